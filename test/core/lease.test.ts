import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { beatIntervalMs, leaseExcused, leaseExpired, StoreWatch, wasPaused } from "../../src/core/lease.js";

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

  it("a paused worker judges no lease for a lease after it runs again", () => {
    const lease = 3000;
    const watch = new StoreWatch(0);
    assert.equal(watch.mayJudgeLeases(5000, lease), true);
    watch.paused(20_000); // e.g. the machine was suspended until 20 s
    assert.equal(watch.mayJudgeLeases(22_999, lease), false, "the others may have been paused too");
    assert.equal(watch.mayJudgeLeases(23_000, lease), true);
  });

  it("a lease that ran out during the store's last long hold is excused for a lease after it", () => {
    const lease = 1000;
    const hold = { from: 5000, until: 7000 };
    assert.equal(leaseExcused(6000, hold, 7100, lease), true, "ran out during the hold");
    assert.equal(leaseExcused(6000, hold, 7999, lease), true);
    assert.equal(leaseExcused(6000, hold, 8000, lease), false, "a lease after the hold, no beat: lost");
    assert.equal(leaseExcused(4999, hold, 7100, lease), false, "ran out before the hold began");
    assert.equal(leaseExcused(7050, hold, 7100, lease), true, "ran out just after it, its beat still queued");
    assert.equal(leaseExcused(6000, null, 7100, lease), false, "no hold recorded");
  });
});
