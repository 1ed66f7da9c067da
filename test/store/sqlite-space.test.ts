// SQLite gives the space of pruned jobs back to the file system (auto_vacuum = INCREMENTAL).
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { after, test } from "node:test";
import { prune } from "../../src/core/prune.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome } from "../helpers/env.js";

const home = tempHome("queuectl-space-");
after(() => home.cleanup());

test("pruning shrinks the SQLite file", async () => {
  const store = SqliteStore.open(home.db);
  try {
    await store.migrate();
    const old = Date.now() - 30 * 86_400_000;
    const stdout = { data: Buffer.alloc(4096, "x"), total_bytes: 4096, truncated: false };
    const stderr = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
    for (let batch = 0; batch < 6; batch++) {
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
          stdout,
          stderr,
          next: { state: "completed" as const },
        })),
      );
    }
    await store.insertJobs([
      { id: "keep", command: "true", priority: 5, max_retries: 0, timeout: null, run_at: old, created_at: old },
    ]);
    await store.reclaimSpace(); // a checkpoint: the file holds every page written so far
    const full = statSync(home.db).size;
    assert.ok(full > 3000 * 4096, `the file holds the output (${full} bytes)`);

    const [result] = await prune(store, [{ what: "completed", before: Date.now() - 86_400_000 }]);
    assert.equal(result?.removed, 3000);
    assert.deepEqual(await store.countJobs(), {
      pending: 1,
      processing: 0,
      completed: 0,
      failed: 0,
      dead: 0,
      cancelled: 0,
    });
    const pruned = statSync(home.db).size;
    assert.ok(pruned < full / 4, `the file shrank from ${full} to ${pruned} bytes`);
  } finally {
    await store.close();
  }
});
