// The benches count recorded runs through a proxy of the store. It must pass the store's answers
// on: the worker reads which results were refused, and a proxy that answered nothing made the
// soak's last finish fail forever, so every soak that stopped at its time limit hung.
import assert from "node:assert/strict";
import { test } from "node:test";
import { countingRuns } from "../../bench/lib.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { claimOne, finished, newJob } from "../store/contract/harness.js";

test("bench: the counting store passes on finishRuns' and finishAndClaim's answers", async () => {
  const store = SqliteStore.open(":memory:");
  try {
    await store.migrate();
    let recorded = 0;
    const counting = countingRuns(store, (n) => (recorded = n));
    const t = Date.now();
    await store.insertJobs([newJob("a", t), newJob("b", t + 1, { run_at: t })]);
    const a = await claimOne(store, "w1", t);
    const b = await claimOne(store, "w1", t);
    assert.deepEqual(await counting.finishRuns([finished(a, { state: "completed" })]), []);
    // Recorded already: the second finish of the same run is refused, and the proxy says so.
    assert.deepEqual(await counting.finishRuns([finished(a, { state: "completed" })]), ["a"]);
    const answer = await counting.finishAndClaim([finished(b, { state: "completed" })], {
      workerId: "w1",
      limit: 1,
      now: t,
      leaseMs: 30_000,
    });
    assert.deepEqual(answer, { claimed: [], refused: [] });
    assert.equal(recorded, 3);
  } finally {
    await store.close();
  }
});
