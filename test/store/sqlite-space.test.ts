// SQLite gives the space of pruned jobs back to the file system (auto_vacuum = INCREMENTAL), and
// only when pruning freed some: a reclaim ends with a checkpoint, which is not free.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { after, test } from "node:test";
import { prune } from "../../src/core/prune.js";
import type { Store } from "../../src/core/store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome } from "../helpers/env.js";

const home = tempHome("queuectl-space-");
after(() => home.cleanup());

const DAY = 86_400_000;
const old = Date.now() - 30 * DAY;
const none = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };

/** `batches` × 500 jobs finished 30 days ago, each with `outputBytes` of stdout. */
async function addOldJobs(store: Store, batches: number, outputBytes: number): Promise<void> {
  const stdout = { data: Buffer.alloc(outputBytes, "x"), total_bytes: outputBytes, truncated: false };
  for (let batch = 0; batch < batches; batch++) {
    const ids = Array.from({ length: 500 }, (_, i) => `old-${batch}-${i}`);
    await store.insertJobs(
      ids.map((id) => ({
        id,
        command: `echo ${id}`,
        priority: 5,
        max_retries: 0,
        timeout: null,
        run_at: old,
        created_at: old,
      })),
    );
    const claimed = await store.claimJobs("w1", 500, old, 60_000);
    await store.finishRuns(
      claimed.map((c) => ({
        job_id: c.job.id,
        attempt: c.attempt,
        worker_id: "w1",
        outcome: "completed" as const,
        finished_at: old + 5,
        duration_ms: 5,
        exit_code: 0,
        signal: null,
        error: null,
        stdout: outputBytes > 0 ? stdout : none,
        stderr: none,
        next: { state: "completed" as const },
      })),
    );
  }
}

/** Copies the WAL into the file, from another connection: the file then holds every page written. */
function checkpoint(path: string): void {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** The store with its calls to reclaimSpace counted (the store itself is real). */
function countingReclaims(store: Store): { store: Store; reclaims: () => number } {
  let n = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "reclaimSpace") {
        return (...args: Parameters<Store["reclaimSpace"]>) => {
          n++;
          return target.reclaimSpace(...args);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, reclaims: () => n };
}

test("pruning shrinks the SQLite file", async () => {
  const db = join(home.home, "shrink.db");
  const store = SqliteStore.open(db);
  try {
    await store.migrate();
    await addOldJobs(store, 6, 4096);
    await store.insertJobs([
      { id: "keep", command: "true", priority: 5, max_retries: 0, timeout: null, run_at: old, created_at: old },
    ]);
    checkpoint(db);
    const full = statSync(db).size;
    assert.ok(full > 3000 * 4096, `the file holds the output (${full} bytes)`);

    const [result] = await prune(store, [{ what: "completed", before: Date.now() - DAY }]);
    assert.equal(result?.removed, 3000);
    assert.deepEqual(await store.countJobs(), {
      pending: 1,
      processing: 0,
      completed: 0,
      failed: 0,
      dead: 0,
      cancelled: 0,
    });
    const pruned = statSync(db).size;
    assert.ok(pruned < full / 4, `the file shrank from ${full} to ${pruned} bytes`);
  } finally {
    await store.close();
  }
});

test("dropping only output shrinks the SQLite file too", async () => {
  const db = join(home.home, "output.db");
  const store = SqliteStore.open(db);
  try {
    await store.migrate();
    await addOldJobs(store, 4, 4096);
    checkpoint(db);
    const full = statSync(db).size;
    const [result] = await prune(store, [{ what: "output", before: Date.now() - DAY }]);
    assert.equal(result?.removed, 2000);
    assert.equal((await store.countJobs()).completed, 2000, "the jobs stay");
    const pruned = statSync(db).size;
    assert.ok(pruned < full / 2, `the file shrank from ${full} to ${pruned} bytes`);
  } finally {
    await store.close();
  }
});

test("a prune reclaims space once at the end, not after every batch, and not when nothing was freed", async () => {
  const db = join(home.home, "cadence.db");
  const real = SqliteStore.open(db);
  try {
    await real.migrate();
    await addOldJobs(real, 4, 0);
    const { store, reclaims } = countingReclaims(real);
    const before = Date.now() - DAY;

    // 2,000 runs walked, none with output: nothing dropped, nothing to reclaim.
    const [walked] = await prune(store, [{ what: "output", before }]);
    assert.equal(walked?.removed, 0, "runs that printed nothing are walked past, not counted");
    assert.equal(reclaims(), 0, "no reclaim after walking runs that had no output");

    // 2,000 jobs deleted in several batches: one reclaim (its pages fit in one step).
    const [deleted] = await prune(store, [{ what: "completed", before }]);
    assert.equal(deleted?.removed, 2000);
    assert.equal(reclaims(), 1, "one reclaim at the end of the prune");
  } finally {
    await real.close();
  }
});
