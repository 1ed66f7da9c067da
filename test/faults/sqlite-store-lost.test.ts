// A SQLite store file deleted or replaced under a running worker: the worker must notice within a
// couple of heartbeats, kill its running commands, write nothing more and exit non-zero with one
// line, and it must leave alone whatever store now lives at that path.
import assert from "node:assert/strict";
import { renameSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { withHarness, type Harness, type Worker } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { runCli } from "../helpers/cli.js";
import { pidsMatching, waitFor } from "../helpers/env.js";

/** The default lease is 6 s and a worker beats three times per lease. */
const HEARTBEAT_MS = 2_000;

interface Running {
  worker: Worker;
  exitedAt: () => number | null;
  stderr: () => string;
  sleeps: string[];
}

/** A 2-slot worker running two long jobs. */
async function runningWorker(h: Harness): Promise<Running> {
  const sleeps = [h.sleep(120), h.sleep(120)];
  for (const command of sleeps) await h.enqueue({ command });
  const worker = h.worker(2);
  let stderr = "";
  worker.stderr?.on("data", (d: string) => (stderr += d));
  let exitedAt: number | null = null;
  worker.once("exit", () => (exitedAt = Date.now()));
  await h.waitCounts("both jobs to run", (c) => c.processing === 2);
  await waitFor("both commands to start", () => sleeps.every((s) => pidsMatching(s).length > 0));
  return { worker, stderr: () => stderr, sleeps, exitedAt: () => exitedAt };
}

/** Waits for the worker's exit, which must come within two heartbeats (plus a second of slack). */
async function assertStops(h: Harness, run: Running, lostAt: number, what: RegExp): Promise<void> {
  const code = await h.waitExit(run.worker, 2 * HEARTBEAT_MS + 4_000);
  const after = (run.exitedAt() ?? Date.now()) - lostAt;
  assert.ok(after <= 2 * HEARTBEAT_MS + 1_000, `the worker stopped ${after} ms after the loss: over two heartbeats`);
  assert.notEqual(code, 0, "the worker exits non-zero");
  const stderr = run.stderr().trim();
  // The log is on stderr too, as JSON lines off a terminal: the one other line is the error.
  const errors = stderr.split("\n").filter((line) => !line.startsWith("{"));
  assert.equal(errors.length, 1, `one line on stderr besides the log, got:\n${stderr}`);
  assert.match(errors[0] ?? "", what);
  assert.doesNotMatch(stderr, /^\s*at .+:\d+/m, "no stack trace");
  const killed = () => run.sleeps.every((s) => pidsMatching(s).length === 0);
  await waitFor("the lost worker's commands to be killed", killed, { timeoutMs: 5_000 });
}

describe("sqlite: the store file lost under a running worker", () => {
  const deleted = "deleted (db, -wal, -shm): the worker stops, and a new store at that path keeps its data";
  it(deleted, { timeout: 60_000 }, async (t) => {
    await withHarness(sqliteEnv, async (h) => {
      const run = await runningWorker(h);
      const db = h.path("queuectl.db");
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${db}${suffix}`);
      const lostAt = Date.now();

      // Meanwhile the operator starts afresh at the same path: a worker, and a job for it.
      const fresh = h.worker(1);
      await h.waitRegistered(fresh.pid!);
      const list = await h.json<{ pid: number }[]>(["worker", "list"]);
      assert.deepEqual(
        list.map((w) => w.pid),
        [fresh.pid],
        "the new store knows only the new worker",
      );
      const id = await h.enqueue({ command: "echo after" });

      // The new store may exist at the path before the old worker looks: then it reads "replaced".
      await assertStops(h, run, lostAt, /queuectl\.db was (deleted|replaced by another file) while in use/);
      t.diagnostic(`stopped ${run.exitedAt()! - lostAt} ms after the deletion: ${run.stderr().trim()}`);

      // The lost worker's exit must not take the new store's WAL with it.
      await h.waitState(id, "completed");
      const shown = await h.show(id);
      assert.equal(shown.attempts.length, 1);
      assert.equal((await h.output(id)).toString(), "after\n");
      assert.equal(fresh.exitCode, null, "the new worker runs on");
    });
  });

  const replaced = "replaced (another store renamed over it): the worker stops, the new store stays intact";
  it(replaced, { timeout: 60_000 }, async (t) => {
    await withHarness(sqliteEnv, async (h) => {
      const run = await runningWorker(h);
      const db = h.path("queuectl.db");
      // A store made elsewhere (say, a backup), closed, then moved over the live one.
      const other = h.path("other.db");
      const job = '{"id":"from-the-other-store","command":"true"}';
      const made = await runCli(["enqueue", job], { ...h.env, QUEUECTL_DB: other });
      assert.equal(made.code, 0, made.stderr);
      renameSync(other, db);
      const lostAt = Date.now();

      await assertStops(h, run, lostAt, /queuectl\.db was replaced by another file while in use/);
      t.diagnostic(`stopped ${run.exitedAt()! - lostAt} ms after the replacement: ${run.stderr().trim()}`);

      // The lost worker's WAL was not left behind to be read into the new file.
      const jobs = await h.json<{ id: string; state: string }[]>(["list"]);
      assert.deepEqual(
        jobs.map((j) => [j.id, j.state]),
        [["from-the-other-store", "pending"]],
      );
      const check = new Database(db, { readonly: true });
      try {
        assert.equal(check.pragma("integrity_check", { simple: true }), "ok");
      } finally {
        check.close();
      }
    });
  });
});
