// A running worker prunes finished jobs past their retention while it keeps claiming and
// completing new ones, on both engines; on SQLite the file shrinks.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { Queue } from "../../src/open.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { PG_URL, tempHome, waitFor } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const OLD_JOBS = 1200; // more than two batches
const NEW_JOBS = 60;
/** Output of each old job: enough that the SQLite file's size is mostly theirs. */
const OLD_OUTPUT = Buffer.alloc(4096, "o");

/** Finished jobs from 30 days ago (past the default retention of 7 days for completed jobs). */
async function addOldJobs(queue: Queue): Promise<void> {
  const old = Date.now() - 30 * 86_400_000;
  const { store } = queue;
  for (let start = 0; start < OLD_JOBS; start += 400) {
    const ids = Array.from({ length: Math.min(400, OLD_JOBS - start) }, (_, i) => `old-${start + i}`);
    await store.insertJobs(
      ids.map((id) => ({
        id,
        command: "true",
        priority: 1,
        max_retries: 0,
        timeout: null,
        run_at: old,
        created_at: old,
      })),
    );
    const claimed = await store.claimJobs("old-worker", ids.length, old, 60_000);
    const empty = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
    await store.finishRuns(
      claimed.map((c) => ({
        job_id: c.job.id,
        attempt: c.attempt,
        worker_id: "old-worker",
        outcome: "completed" as const,
        finished_at: old + 1,
        duration_ms: 1,
        exit_code: 0,
        signal: null,
        error: null,
        stdout: { data: OLD_OUTPUT, total_bytes: OLD_OUTPUT.length, truncated: false },
        stderr: empty,
        next: { state: "completed" as const },
      })),
    );
  }
}

/** The SQLite file's size with every page written so far in it (a checkpoint from another connection). */
function fileSize(path: string): number {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
  return statSync(path).size;
}

/** `sqliteFile`: the store's file, which must shrink once the old jobs are pruned. */
async function pruneWhileClaiming(db: string, sqliteFile?: string): Promise<void> {
  const queue = await Queue.open({ db });
  const pool = new WorkerPool(queue, { slots: 4 });
  try {
    await addOldJobs(queue);
    assert.equal((await queue.counts()).completed, OLD_JOBS);
    const full = sqliteFile === undefined ? 0 : fileSize(sqliteFile);
    assert.ok(full === 0 || full > OLD_JOBS * OLD_OUTPUT.length, `the file holds the old output (${full} bytes)`);
    const runsBefore = (await queue.runCounts()).started;
    const fresh = await queue.enqueueMany(Array.from({ length: NEW_JOBS }, () => ({ command: "true" })));
    await pool.start();
    await waitFor(
      "old jobs pruned and new jobs completed",
      async () => {
        const counts = await queue.counts();
        return counts.completed === NEW_JOBS && counts.pending === 0 && counts.processing === 0;
      },
      { timeoutMs: 60_000 },
    );
    for (const job of fresh) assert.equal((await queue.get(job.id)).state, "completed", job.id);
    assert.equal(await queue.store.getJob("old-0"), null);
    assert.equal(await queue.store.getJob(`old-${OLD_JOBS - 1}`), null);
    // The run counters (Prometheus) count every run ever: pruning takes none away.
    assert.equal((await queue.runCounts()).started, runsBefore + NEW_JOBS);
    const metrics = await queue.metrics();
    assert.equal(metrics.attempts_total, OLD_JOBS + NEW_JOBS, "counts read the rollups of pruned runs");
    if (sqliteFile !== undefined) {
      // The pruner hands the space back itself once it has caught up: no checkpoint from here.
      await waitFor("the SQLite file shrunk", () => statSync(sqliteFile).size < full / 2, { timeoutMs: 60_000 });
    }
  } finally {
    await pool.stop("now");
    await queue.close();
  }
}

describe("worker: retention", () => {
  it(
    "sqlite: prunes old finished jobs while claiming and completing new ones; the file shrinks",
    { timeout: 150_000 },
    async () => {
      const home = tempHome("queuectl-prune-");
      try {
        await pruneWhileClaiming(home.db, home.db);
      } finally {
        home.cleanup();
      }
    },
  );

  it("postgres: prunes old finished jobs while claiming and completing new ones", { timeout: 90_000 }, async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const schema = uniqueSchema();
    const url = new URL(PG_URL);
    url.searchParams.set("schema", schema);
    try {
      await pruneWhileClaiming(url.toString());
    } finally {
      await dropSchema(schema);
    }
  });
});
