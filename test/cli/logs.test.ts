// The logs of `worker start`: structured events on stderr (JSON lines or a readable form), never
// on stdout; a detached worker's log file under $XDG_STATE_HOME unless QUEUECTL_HOME pins a folder.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BIN, stopProcess } from "../helpers/cli.js";
import { alive, waitFor } from "../helpers/env.js";
import { assertError, withHarness, type CliEnv, type Harness } from "./harness.js";
import { startServerProcess } from "../web/harness.js";
import { sqliteEnv } from "./sqlite-env.js";

type Logged = ChildProcess & { stdout_: () => string; stderr_: () => string };

/** `queuectl worker start args…` with stdout and stderr kept apart. */
function worker(h: Harness, args: string[]): Logged {
  const child = spawn(process.execPath, [BIN, "worker", "start", ...args], {
    env: { ...process.env, NO_COLOR: "1", ...h.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  return Object.assign(child, { stdout_: () => out, stderr_: () => err });
}

/** SIGTERM (drain) and the exit code. */
async function drain(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return assert.fail(`a log line that is not JSON: ${line}`);
      }
    });
}

describe("worker logs on stderr", () => {
  it("default off a terminal: one JSON event per line on stderr with job, attempt, worker, duration; stdout empty", () =>
    withHarness(sqliteEnv, async (h) => {
      const ok = await h.enqueue({ command: "echo hi" });
      const bad = await h.enqueue({ command: "exit 3", max_retries: 0 });
      const w = worker(h, ["--count", "2"]);
      try {
        await h.waitState(ok, "completed");
        await h.waitState(bad, "dead");
        assert.equal(await drain(w), 0, w.stderr_());
      } finally {
        await stopProcess(w, "SIGKILL");
      }
      assert.equal(w.stdout_(), "", "nothing on stdout");
      const events = jsonLines(w.stderr_());
      const started = events.find((e) => e.event === "worker.started");
      assert.ok(started, `a worker.started event: ${w.stderr_()}`);
      const workerId = started.worker_id;
      assert.equal(typeof workerId, "string");
      for (const e of events) {
        assert.equal(typeof e.level, "string", "levels by name");
        assert.ok(Number.isFinite(Date.parse(String(e.time))), "ISO times");
        assert.equal(typeof e.msg, "string");
      }
      const finished = (id: string) => events.find((e) => e.event === "job.finished" && e.job_id === id);
      assert.deepEqual(
        { ...finished(ok), time: null, duration_ms: null, msg: null },
        {
          level: "info",
          time: null,
          event: "job.finished",
          job_id: ok,
          attempt: 1,
          worker_id: workerId,
          outcome: "completed",
          exit_code: 0,
          signal: null,
          duration_ms: null,
          next_state: "completed",
          msg: null,
          pid: w.pid,
          hostname: finished(ok)?.hostname,
        },
      );
      assert.equal(typeof finished(ok)?.duration_ms, "number");
      assert.match(String(finished(ok)?.msg), new RegExp(`job ${ok} completed .*in \\d+ ms`));
      assert.deepEqual(
        [finished(bad)?.level, finished(bad)?.outcome, finished(bad)?.exit_code, finished(bad)?.next_state],
        ["warn", "failed", 3, "dead"],
      );
      const start = events.find((e) => e.event === "job.started" && e.job_id === ok);
      assert.deepEqual([start?.attempt, start?.worker_id, start?.command], [1, workerId, "echo hi"]);
      assert.ok(events.some((e) => e.event === "worker.stopped"));
    }));

  it("--log-format pretty: readable lines, control characters of a command escaped", () =>
    withHarness(sqliteEnv, async (h) => {
      const id = await h.enqueue({ command: "echo '\u001b]0;owned\u0007'" });
      const w = worker(h, ["--log-format", "pretty"]);
      try {
        await h.waitState(id, "completed");
        assert.equal(await drain(w), 0, w.stderr_());
      } finally {
        await stopProcess(w, "SIGKILL");
      }
      const lines = w.stderr_().trim().split("\n");
      assert.equal(w.stdout_(), "", "nothing on stdout");
      for (const line of lines) {
        assert.throws(() => JSON.parse(line), `not JSON: ${line}`);
        assert.match(line, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG): /, line);
      }
      assert.ok(lines.some((line) => line.includes(`job ${id} started (attempt 1): echo '\\x1b]0;owned\\x07'`)));
      assert.ok(lines.some((line) => line.includes(`job ${id} completed`)));
      assert.doesNotMatch(w.stderr_(), /[\u0000-\u0009\u000b-\u001f]/, "no raw control character");
    }));

  it("--log-level warn: failures only", () =>
    withHarness(sqliteEnv, async (h) => {
      const ok = await h.enqueue({ command: "true" });
      const bad = await h.enqueue({ command: "exit 4", max_retries: 0 });
      const w = worker(h, ["--log-level", "warn", "--log-format", "json"]);
      try {
        await h.waitState(ok, "completed");
        await h.waitState(bad, "dead");
        assert.equal(await drain(w), 0, w.stderr_());
      } finally {
        await stopProcess(w, "SIGKILL");
      }
      const events = jsonLines(w.stderr_());
      assert.deepEqual(
        events.map((e) => [e.event, e.job_id]),
        [["job.finished", bad]],
      );
    }));

  it("a bad --log-format or --log-level is a usage error", () =>
    withHarness(sqliteEnv, async (h) => {
      assertError(await h.cli(["worker", "start", "--log-format", "xml"]), 2, /--log-format/, "format");
      assertError(await h.cli(["worker", "start", "--log-level", "loud"]), 2, /--log-level/, "level");
      assertError(await h.cli(["web", "--log-format", "xml"]), 2, /--log-format/, "web format");
    }));
});

describe("web logs on stderr", () => {
  it("the address as an event; Fastify's line per request only at --log-level debug", () =>
    withHarness(sqliteEnv, async (h) => {
      for (const level of ["info", "debug"]) {
        const server = await startServerProcess(h.env, { args: ["--log-level", level, "--log-format", "json"] });
        try {
          assert.equal((await fetch(`${server.url}/api/status`)).status, 200);
          const events = () => jsonLines(server.output());
          const listening = events().find((e) => e.event === "web.listening");
          assert.equal(listening?.url, `${server.url}/`);
          if (level === "debug") {
            await waitFor("the request's line", () =>
              events().some(
                (e) => e.event === "http.request" && (e.res as { statusCode?: number })?.statusCode === 200,
              ),
            );
            const incoming = events().find((e) => e.event === "http.request" && e.req);
            assert.deepEqual(
              [(incoming?.req as { method?: string })?.method, (incoming?.req as { url?: string })?.url],
              ["GET", "/api/status"],
            );
          } else {
            await stopProcess(server.child, "SIGTERM");
            assert.deepEqual(
              events().filter((e) => e.event !== "web.listening" && e.event !== "web.stopping"),
              [],
              "nothing per request",
            );
          }
        } finally {
          await server.stop();
        }
      }
    }));
});

/** A store by file, with no QUEUECTL_HOME: logs go by the XDG rules. */
function xdgEnv(): CliEnv {
  const root = mkdtempSync(join(tmpdir(), "queuectl-xdg-"));
  mkdirSync(join(root, "home"));
  return {
    home: root,
    env: {
      QUEUECTL_HOME: "",
      QUEUECTL_DB: join(root, "queue.db"),
      HOME: join(root, "home"),
      XDG_STATE_HOME: join(root, "state"),
      XDG_DATA_HOME: join(root, "data"),
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

describe("a detached worker's log", () => {
  it("goes to $XDG_STATE_HOME/queuectl/logs/, at the level and in the format asked", () =>
    withHarness(xdgEnv, async (h) => {
      // At warn the worker's start is not logged: it must be noticed another way than by its log.
      const r = await h.cli(["worker", "start", "--detach", "--log-level", "warn", "--log-format", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const pid = Number(r.stdout.trim());
      h.detachedPids.push(pid);
      const dir = join(h.home, "state", "queuectl", "logs");
      assert.match(r.stderr, new RegExp(`log ${dir}/worker-[^ ]+\\.log`));
      const files = readdirSync(dir);
      assert.equal(files.length, 1);
      const ok = await h.enqueue({ command: "echo detached" });
      const bad = await h.enqueue({ command: "exit 5", max_retries: 0 });
      await h.waitState(ok, "completed");
      await h.waitState(bad, "dead");
      const log = join(dir, files[0]!);
      await waitFor("the failure in the log", () => readFileSync(log, "utf8").includes('"event":"job.finished"'));
      const events = jsonLines(readFileSync(log, "utf8"));
      assert.deepEqual(
        events.map((e) => [e.event, e.job_id, e.outcome]),
        [["job.finished", bad, "failed"]],
      );
      assert.ok(!existsSync(join(h.home, "data")), "nothing under XDG_DATA_HOME");
      await h.ok(["worker", "stop"]);
      await waitFor("the detached worker to exit", () => !alive(pid));
    }));
});
