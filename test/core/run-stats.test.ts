import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FINISHED_SETTLE_MS, FinishedRunFeed, pickupLatencyMs, runResult } from "../../src/core/run-stats.js";
import type { FinishedAttempt } from "../../src/core/store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome } from "../helpers/env.js";

const run = (overrides: Partial<FinishedAttempt>): FinishedAttempt => ({
  job_id: "j",
  number: 1,
  outcome: "completed",
  started_at: 10_000,
  finished_at: 11_000,
  duration_ms: 1_000,
  run_at: 4_000,
  created_at: 1_000,
  queue: "default",
  ...overrides,
});

describe("run rules", () => {
  it("pickup latency runs from the later of run_at and enqueue to the start", () => {
    assert.equal(pickupLatencyMs(run({})), 6_000);
    // A run_at in the past when enqueued: due at the enqueue.
    assert.equal(pickupLatencyMs(run({ run_at: 0, created_at: 9_000 })), 1_000);
    // Runs recorded before run_at was kept with them have none.
    assert.equal(pickupLatencyMs(run({ run_at: null })), null);
  });

  it("a run completed, failed (every failing outcome) or neither (interrupted)", () => {
    assert.equal(runResult("completed"), "completed");
    for (const outcome of ["failed", "timeout", "start_error", "lost"] as const)
      assert.equal(runResult(outcome), "failed");
    assert.equal(runResult("interrupted"), null);
  });
});

describe("FinishedRunFeed on a real store", () => {
  const home = tempHome("queuectl-feed-");
  let store: SqliteStore;
  const T = Date.now() - 3_600_000;
  before(async () => {
    store = SqliteStore.open(home.db);
    await store.migrate();
    await store.registerWorker({ id: "w", host: "h", pid: 1, slots: 30, started_at: T });
    const jobs = Array.from({ length: 25 }, (_, i) => ({
      id: `job-${String(i).padStart(2, "0")}`,
      command: "true",
      priority: 5,
      max_retries: 0,
      timeout: null,
      run_at: T,
      created_at: T,
    }));
    await store.insertJobs(jobs);
    const claimed = await store.claimJobs("w", 25, T + 100, 60_000);
    const empty = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
    // Five runs share each finished_at: the cursor must not skip or repeat ties.
    await store.finishRuns(
      claimed.map((c, i) => ({
        job_id: c.job.id,
        attempt: c.attempt,
        worker_id: "w",
        outcome: "completed" as const,
        finished_at: T + 1_000 + Math.floor(i / 5),
        duration_ms: 900,
        exit_code: 0,
        signal: null,
        error: null,
        stdout: empty,
        stderr: empty,
        next: { state: "completed" as const },
      })),
    );
  });
  after(async () => {
    await store.close();
    home.cleanup();
  });

  it("hands each run over once, at most `max` per read, in pages", async () => {
    const pages: number[] = [];
    const feed = new FinishedRunFeed(
      async (after, until, limit) => {
        pages.push(limit);
        return store.finishedAttempts(after, until, limit);
      },
      T,
      4,
    );
    const seen: string[] = [];
    const take = (r: FinishedAttempt) => seen.push(r.job_id);
    assert.equal(await feed.read(10, take), 10);
    assert.deepEqual(pages, [4, 4, 2]);
    assert.equal(await feed.read(10, take), 10);
    assert.equal(await feed.read(10, take), 5);
    assert.equal(await feed.read(10, take), 0);
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => `job-${String(i).padStart(2, "0")}`),
    );
  });

  it("reads two scrapes at once one after the other, never the same run twice", async () => {
    const feed = new FinishedRunFeed((a, u, l) => store.finishedAttempts(a, u, l), T, 3);
    const seen: string[] = [];
    const counts = await Promise.all([
      feed.read(20, (r) => seen.push(r.job_id)),
      feed.read(20, (r) => seen.push(r.job_id)),
    ]);
    assert.deepEqual(counts, [20, 5]);
    assert.equal(new Set(seen).size, 25);
  });

  it("leaves runs younger than the settle time for a later read, and runs from before `since`", async () => {
    const finishedAt = T + 1_000;
    const early = new FinishedRunFeed((a, u, l) => store.finishedAttempts(a, u, l), T);
    assert.equal(await early.read(100, () => {}, finishedAt + FINISHED_SETTLE_MS - 1), 0);
    assert.equal(await early.read(100, () => {}, finishedAt + FINISHED_SETTLE_MS), 5);
    // Runs finished at T + 1002 ms and later: the last three groups of five.
    const late = new FinishedRunFeed((a, u, l) => store.finishedAttempts(a, u, l), T + 1_002);
    assert.equal(await late.read(100, () => {}), 15);
  });
});
