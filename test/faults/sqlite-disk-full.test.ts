// A SQLite store whose disk fills while a worker runs: once a little space returns (1.5 MiB), the
// queue must resume by itself, with every job completed once, nothing lost and the file intact.
// Needs root on Linux (a real 40 MiB tmpfs); skipped elsewhere, never under CI.
import assert from "node:assert/strict";
import { rmSync, statSync } from "node:fs";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { withHarness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { fillDisk, reserve, rootLinuxSkipReason, tmpfsEnv } from "./sqlite-fault-env.js";

const JOBS = 250;
/** What is given back once the disk is full: the figure of the issue. */
const FREED = 1536 * 1024;

describe("sqlite: a full disk", () => {
  it("the queue resumes by itself once 1.5 MiB is freed", { timeout: 150_000 }, async (t) => {
    const skip = rootLinuxSkipReason();
    if (skip) return t.skip(skip);
    await withHarness(
      () => tmpfsEnv(40),
      async (h) => {
        // ~2 KB of random text per job (nothing for SQLite to share between rows), slow enough that
        // the disk fills mid-run.
        const command = "head -c 1500 /dev/urandom | base64 -w 76; sleep 0.05";
        const lines = Array.from({ length: JOBS }, (_, i) => JSON.stringify({ id: `full-${i}`, command }));
        await h.ok(["enqueue", "--file", "-"], `${lines.join("\n")}\n`);
        const worker = h.worker(4);
        await h.waitCounts("some jobs to complete", (c) => c.completed >= 10);

        reserve(h.path("reserve"), FREED);
        const filled = fillDisk(h.path("filler"));
        const fullAt = Date.now();
        await waitFor("the worker to meet the full disk", () => /disk is full/.test(worker.output()), {
          timeoutMs: 30_000,
          intervalMs: 100,
        });
        // Let it fail for a while (several retries, heartbeats and claims), as an unlucky operator would.
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        const stalled = await h.counts();
        const failures = worker.output().match(/disk is full/g)?.length ?? 0;
        const mib = (filled / 2 ** 20).toFixed(1);
        t.diagnostic(`filled ${mib} MiB; stalled at ${JSON.stringify(stalled)}; ${failures} refused writes`);
        assert.ok(stalled.completed < JOBS, "the disk filled before the queue was done (else the test proves nothing)");

        rmSync(h.path("reserve"));
        const freedAt = Date.now();
        let last = stalled;
        try {
          const moved = (c: { completed: number }) => c.completed > stalled.completed;
          await h.waitCounts("the first job to complete after the space returned", moved, 60_000);
          t.diagnostic(`first job recorded ${Date.now() - freedAt} ms after the space returned`);
          last = await h.waitCounts(
            `all ${JOBS} jobs to complete after 1.5 MiB was freed`,
            (c) => {
              last = c;
              return c.completed === JOBS;
            },
            60_000,
          );
        } catch (error) {
          const store = ["queuectl.db", "queuectl.db-wal"].map((f) => `${f} ${sizeOf(h.path(f))} bytes`).join(", ");
          throw new Error(`${(error as Error).message}; last counts ${JSON.stringify(last)}; ${store}`, {
            cause: error,
          });
        }
        const resumedIn = Date.now() - freedAt;
        t.diagnostic(`all ${JOBS} completed ${resumedIn} ms after the space returned (full ${freedAt - fullAt} ms)`);
        const done = { pending: 0, processing: 0, completed: JOBS, failed: 0, dead: 0, cancelled: 0 };
        assert.deepEqual(last, done, "nothing lost or stuck");
        assert.equal(await h.total(), JOBS, "every job is still there");
        assert.equal(worker.exitCode, null, `the worker stayed alive:\n${worker.output().slice(-2000)}`);

        // Each job ran once, recorded once, with its output.
        const db = new Database(h.path("queuectl.db"), { readonly: true });
        try {
          const attempts = db.prepare(`SELECT outcome, count(*) AS n FROM attempts GROUP BY outcome`).all();
          assert.deepEqual(attempts, [{ outcome: "completed", n: JOBS }], "one completed attempt per job");
          const withOutput = db
            .prepare(`SELECT count(*) AS n FROM outputs WHERE stream = 'stdout' AND total_bytes > 2000`)
            .get();
          assert.deepEqual(withOutput, { n: JOBS }, "every job's output is stored");
          assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
        } finally {
          db.close();
        }
      },
    );
  });
});

function sizeOf(path: string): number | string {
  try {
    return statSync(path).size;
  } catch {
    return "no file";
  }
}
