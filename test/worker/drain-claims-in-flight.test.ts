// A pool asked to drain while a finish-and-claim is under way: that write, begun before the stop,
// may still bring jobs. stop() must resolve only once those have run and been recorded too. It
// resolved before (the late claims ran after "stopped", and their results were written after a
// caller had closed the store, or never: the jobs stayed `processing` until their lease ran out).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Queue as CoreQueue } from "../../src/core/queue.js";
import type { Store } from "../../src/core/store.js";
import { Queue } from "../../src/open.js";
import { openStore } from "../../src/store/open.js";
import type { Executor } from "../../src/worker/executor.js";
import { WorkerPool } from "../../src/worker/pool.js";
import { tempHome, waitFor } from "../helpers/env.js";
import { pgSkipReason, withDatabase } from "../helpers/pg.js";

const EMPTY = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };
/** Completes every job at once: claims and finishes follow each other as fast as the store goes. */
const instant: Executor = () => ({
  result: Promise.resolve({
    outcome: "completed",
    exit_code: 0,
    signal: null,
    error: null,
    finished_at: Date.now(),
    duration_ms: 0,
    stdout: EMPTY,
    stderr: EMPTY,
  }),
  interrupt: () => {},
  output: () => EMPTY,
});

/** The store as the pool sees it, noting every write of runs made after `stopped()` returns true. */
function watched(store: Store, stopped: () => boolean, late: string[]): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      if (key !== "finishRuns" && key !== "finishAndClaim" && key !== "claimJobs") return method;
      return (...args: unknown[]) => {
        if (stopped()) late.push(String(key));
        return method(...args);
      };
    },
  });
}

/** Drains a busy pool 20 times: each time, nothing may be written after stop() resolves. */
async function drainWhileClaiming(db: string): Promise<void> {
  const store = await openStore({ db });
  const queue = new Queue(store);
  try {
    await queue.enqueueMany(Array.from({ length: 6_000 }, () => ({ command: "true" })));
    for (let round = 0; round < 20; round++) {
      const before = (await queue.counts()).completed;
      let stopped = false;
      const late: string[] = [];
      const pool = new WorkerPool(new CoreQueue(watched(store, () => stopped, late)), {
        slots: 8,
        executor: instant,
        host: "drain-test",
      });
      await pool.start();
      await waitFor("the pool to record some runs", async () => (await queue.counts()).completed >= before + 80, {
        intervalMs: 5,
      });
      await pool.stop("drain");
      stopped = true;
      const counts = await queue.counts();
      await new Promise((resolve) => setTimeout(resolve, 100)); // room for a late write to show
      assert.deepEqual(late, [], `round ${round}: the pool wrote after stop() resolved`);
      assert.equal(counts.processing, 0, `round ${round}: a job left processing (${JSON.stringify(counts)})`);
    }
  } finally {
    await queue.close();
  }
}

test("sqlite: a pool drained while it claims writes nothing after stop() resolves", async () => {
  const home = tempHome();
  try {
    await drainWhileClaiming(home.db);
  } finally {
    home.cleanup();
  }
});

test("postgres: a pool drained while it claims writes nothing after stop() resolves", async (t) => {
  const skip = await pgSkipReason();
  if (skip) return t.skip(skip);
  await withDatabase((url) => drainWhileClaiming(url));
});
