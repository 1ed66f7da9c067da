import assert from "node:assert/strict";
import { after, test } from "node:test";
// The package's own name: what a user writes after `npm install queuectl`.
import { Queue, QueueError, WorkerPool } from "queuectl";
import { tempHome, waitFor } from "../helpers/env.js";

const home = tempHome();
after(() => home.cleanup());

test("the library enqueues, runs, retries and reports, typed", async () => {
  const queue = await Queue.open({ db: home.db });
  const pool = new WorkerPool(queue, { slots: 2 });
  try {
    await queue.setConfig("backoff-base", 1.01);
    const ok = await queue.enqueue({ command: "printf library", priority: 7 });
    const bad = await queue.enqueue({ command: "exit 3", max_retries: 1 });
    await pool.start();
    await waitFor("both jobs to finish", async () => {
      const counts = await queue.counts();
      return counts.completed === 1 && counts.dead === 1;
    });
    assert.equal((await queue.output(ok.id)).data.toString(), "library");
    const dead = await queue.get(bad.id);
    assert.equal(dead.state, "dead");
    assert.equal(dead.exit_code, 3);
    assert.equal((await queue.attempts(bad.id)).length, 2);
    const retried = await queue.retry(bad.id);
    assert.equal(retried.state, "pending");
    assert.equal(retried.attempts, 0);
    await assert.rejects(queue.get("nope"), (e: unknown) => e instanceof QueueError && e.kind === "not_found");
    await assert.rejects(
      queue.enqueue({ command: "x", priority: 99 }),
      (e: unknown) => e instanceof QueueError && e.kind === "invalid",
    );
    const metrics = await queue.metrics();
    assert.equal(
      metrics.counts.completed + metrics.counts.pending + metrics.counts.processing + metrics.counts.failed,
      2,
    );
  } finally {
    await pool.stop("now");
    await queue.close();
  }
});
