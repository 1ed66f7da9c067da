// Output that cannot be written. A worker or web server whose log is on a full disk (here stderr
// opened on /dev/full: every write fails with ENOSPC) keeps running jobs; a command whose reader
// goes away (`queuectl list | head -1`) ends quietly; a command's answer on a full disk is exit 1
// with one line. A log on a disk that fills and frees again counts what it lost and says so.
// Needs Linux (/dev/full; root for the tmpfs); skips elsewhere.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { withHarness, type Harness } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { BIN, stopProcess } from "../helpers/cli.js";
import { waitFor } from "../helpers/env.js";
import { fillDisk, rootLinuxSkipReason, tmpfsEnv } from "./sqlite-fault-env.js";

const skip = existsSync("/dev/full") ? false : "needs /dev/full (Linux)";

type Logged = ChildProcess & { collected: () => string };

/** `queuectl args…` with `stream` on /dev/full and the other one collected (`collected()`). */
function onDevFull(h: Harness, args: string[], stream: "stdout" | "stderr" = "stdout"): Logged {
  const full = openSync("/dev/full", "w");
  try {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...h.env },
      stdio: stream === "stdout" ? ["ignore", full, "pipe"] : ["ignore", "pipe", full],
    });
    let other = "";
    (stream === "stdout" ? child.stderr : child.stdout)?.setEncoding("utf8").on("data", (d: string) => (other += d));
    return Object.assign(child, { collected: () => other });
  } finally {
    closeSync(full);
  }
}

/** Resolves with `value()` once truthy; rejects at once if `child` exits first (it died). */
async function whileAlive<T>(child: Logged, what: string, value: () => Promise<T>): Promise<NonNullable<T>> {
  const died = new Promise<never>((_, reject) =>
    child.once("exit", (code, signal) =>
      reject(
        new Error(
          `died (exit ${code ?? signal}) before ${what}; its other output:\n${child.collected().slice(0, 3000)}`,
        ),
      ),
    ),
  );
  return Promise.race([waitFor(what, value, { timeoutMs: 30_000, intervalMs: 200 }), died]);
}

/** The log is on stderr: nothing of it may turn up on stdout instead. */
function assertStdoutEmpty(child: Logged): void {
  assert.equal(child.collected(), "", "nothing on stdout");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : null;
      server.close(() => (port ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

describe("a log that cannot be written is dropped, never fatal", { skip }, () => {
  it("worker start 2> /dev/full: runs every job to completion, stays up, drains on SIGTERM", () =>
    withHarness(sqliteEnv, async (h) => {
      for (let i = 0; i < 6; i++) await h.enqueue({ command: `sleep 0.2; echo ${i}` });
      const worker = onDevFull(h, ["worker", "start", "--count", "2"], "stderr");
      try {
        await whileAlive(worker, "6 jobs completed", async () => (await h.counts()).completed === 6);
        // Still working after its log failed: more jobs are run too.
        for (let i = 0; i < 3; i++) await h.enqueue({ command: "true" });
        const counts = await whileAlive(worker, "9 jobs completed", async () => {
          const c = await h.counts();
          return c.completed === 9 ? c : null;
        });
        assert.equal(counts.processing, 0, "no job left in processing");
        assertStdoutEmpty(worker);
        const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
        worker.kill("SIGTERM");
        assert.equal(await exited, 0, "the worker drains and exits 0");
        assertStdoutEmpty(worker);
      } finally {
        await stopProcess(worker, "SIGKILL");
      }
    }));

  it("web --workers 1 2> /dev/full: serves the API and runs jobs", () =>
    withHarness(sqliteEnv, async (h) => {
      const port = await freePort();
      const web = onDevFull(h, ["web", "--port", String(port), "--workers", "1"], "stderr");
      try {
        const url = `http://127.0.0.1:${port}`;
        const answers = async () => (await fetch(`${url}/api/status`).catch(() => null))?.ok;
        await whileAlive(web, "the server to answer", answers);
        const id = await h.enqueue({ command: "echo hi" });
        await whileAlive(web, "the job to complete", async () => (await h.state(id)) === "completed");
        assert.equal((await fetch(`${url}/api/status`)).status, 200);
        assertStdoutEmpty(web);
      } finally {
        await stopProcess(web, "SIGKILL");
      }
    }));
});

describe("a log on a disk that fills up and frees again", () => {
  const needsRoot = rootLinuxSkipReason();
  it(
    "loses lines while the disk is full, then says how many, and the jobs never notice",
    { skip: needsRoot ?? false },
    () =>
      withHarness(sqliteEnv, async (h) => {
        const disk = tmpfsEnv(1);
        const logPath = join(disk.home, "worker.log");
        const fd = openSync(logPath, "a");
        const worker = spawn(process.execPath, [BIN, "worker", "start", "--count", "2", "--log-format", "json"], {
          env: { ...process.env, NO_COLOR: "1", ...h.env },
          stdio: ["ignore", "ignore", fd],
        });
        closeSync(fd);
        const log = () => readFileSync(logPath, "utf8");
        try {
          await waitFor("the worker to start", () => log().includes('"event":"worker.started"'));
          fillDisk(join(disk.home, "filler"));
          // ~20 lines of ~300 bytes: more than the log file's last, partly used page can hold.
          const during: string[] = [];
          for (let i = 0; i < 10; i++) during.push(await h.enqueue({ command: `echo ${i}` }));
          await h.waitCounts("10 jobs completed", (c) => c.completed === 10);
          rmSync(join(disk.home, "filler"));
          const after = await h.enqueue({ command: "echo after" });
          await h.waitState(after, "completed");
          await waitFor("the worker to log again", () => log().includes(after));
          // A line the disk cut short is on its own line: it is one of the lost ones.
          const lines = log().split("\n").filter(Boolean);
          const events = lines.flatMap((line) => {
            try {
              return [JSON.parse(line) as Record<string, unknown>];
            } catch {
              return [];
            }
          });
          assert.ok(lines.length - events.length <= 1, `at most one cut line:\n${lines.join("\n")}`);
          const dropped = events.filter((e) => e.event === "log.dropped");
          assert.equal(dropped.length, 1, "said once");
          assert.equal(dropped[0]?.reason, "ENOSPC");
          const lost = Number(dropped[0]?.lines);
          const logged = events.filter((e) => typeof e.job_id === "string" && during.includes(e.job_id)).length;
          assert.ok(lost > 0, "some lines were lost");
          assert.equal(logged + lost, 2 * during.length, "every line of those jobs was written or counted");
          const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
          worker.kill("SIGTERM");
          assert.equal(await exited, 0);
        } finally {
          await stopProcess(worker, "SIGKILL");
          disk.cleanup();
        }
      }),
  );
});

describe("a command's own output that cannot be written", { skip }, () => {
  it("list | head -1 (the reader goes away): exit 0, nothing on stderr, for the table and --json", () =>
    withHarness(sqliteEnv, async (h) => {
      const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ command: `echo ${"x".repeat(200)} ${i}` }));
      writeFileSync(h.path("jobs.jsonl"), `${lines.join("\n")}\n`);
      await h.ok(["enqueue", "--file", h.path("jobs.jsonl")]);
      for (const args of [
        ["list", "--limit", "2000"],
        ["list", "--limit", "2000", "--json"],
      ]) {
        const child = spawn(process.execPath, [BIN, ...args], {
          env: { ...process.env, NO_COLOR: "1", ...h.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        // Read one chunk, then close the pipe, as `head -1` does.
        child.stdout.once("data", () => child.stdout.destroy());
        const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
        assert.equal(stderr, "", `${args.join(" ")}: nothing on stderr`);
        assert.equal(code, 0, `${args.join(" ")}: exit 0`);
      }
    }));

  it("list > /dev/full: exit 1, one line naming ENOSPC, no stack", () =>
    withHarness(sqliteEnv, async (h) => {
      await h.enqueue({ command: "true" });
      for (const args of [["list"], ["list", "--json"], ["status"]]) {
        const child = onDevFull(h, args);
        const code = await new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
        assert.equal(code, 1, `${args.join(" ")}: exit 1`);
        const stderr = child.collected();
        assert.match(stderr, /^queuectl: cannot write the output: ENOSPC\n$/, `${args.join(" ")}: ${stderr}`);
      }
    }));
});
