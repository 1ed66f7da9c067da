import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beatIntervalMs, leaseExpired, StoreWatch, wasPaused } from "../../src/core/lease.js";

describe("lease rules", () => {
  it("beats three times per lease; a lease ending before now has expired", () => {
    assert.equal(beatIntervalMs(6000), 2000);
    assert.equal(leaseExpired(1000, 1001), true);
    assert.equal(leaseExpired(1000, 1000), false);
  });

  it("a timer later than one beat interval means the process was paused", () => {
    assert.equal(wasPaused(0, 2000, 6000), false);
    assert.equal(wasPaused(0, 2001, 6000), true);
  });

  it("judges leases only after a whole lease without a stalled or failed write", () => {
    const lease = 3000;
    const watch = new StoreWatch(0);
    assert.equal(watch.mayJudgeLeases(2999, lease), false, "a new worker has seen nothing yet");
    assert.equal(watch.mayJudgeLeases(3000, lease), true);
    watch.wrote(4000, 4900, true, lease); // 900 ms: less than a beat (1000 ms), not a stall
    assert.equal(watch.mayJudgeLeases(5000, lease), true);
    watch.wrote(5000, 9000, true, lease); // waited 4 s for the write lock
    assert.equal(watch.mayJudgeLeases(11_999, lease), false);
    assert.equal(watch.mayJudgeLeases(12_000, lease), true);
    watch.wrote(12_000, 12_010, false, lease); // failed: the store was unreachable
    assert.equal(watch.mayJudgeLeases(15_009, lease), false);
    assert.equal(watch.mayJudgeLeases(15_010, lease), true);
    watch.wrote(1000, 1500, false, lease); // a late report of an old failure does not move time back
    assert.equal(watch.mayJudgeLeases(15_010, lease), true);
  });
});
