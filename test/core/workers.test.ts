import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { queueStatus } from "../../src/core/status.js";
import type { WorkerInfo } from "../../src/core/types.js";
import { capacity, workerStatus } from "../../src/core/workers.js";

const LEASE = 6000;
const NOW = 1_000_000;

function worker(
  id: string,
  beatAgo: number,
  slots: number,
  running: number,
  stop: WorkerInfo["stop_requested"] = null,
) {
  return {
    id,
    host: "h",
    pid: 1,
    slots,
    started_at: 0,
    heartbeat_at: NOW - beatAgo,
    stop_requested: stop,
    running: Array.from({ length: running }, (_, i) => `${id}-job-${i}`),
    queues: null,
  } satisfies WorkerInfo;
}

describe("worker status and capacity", () => {
  it("a heartbeat older than a lease is lost, whatever the worker was asked", () => {
    assert.equal(workerStatus(worker("a", LEASE, 1, 0), LEASE, NOW), "alive");
    assert.equal(workerStatus(worker("a", LEASE + 1, 1, 0), LEASE, NOW), "lost");
    assert.equal(workerStatus(worker("a", 0, 1, 0, "drain"), LEASE, NOW), "draining");
    assert.equal(workerStatus(worker("a", 0, 1, 0, "now"), LEASE, NOW), "stopping");
    assert.equal(workerStatus(worker("a", LEASE + 1, 1, 0, "drain"), LEASE, NOW), "lost");
  });

  it("capacity counts the slots of live workers only; status agrees", () => {
    const workers = [worker("live", 100, 4, 3), worker("draining", 0, 2, 1, "drain"), worker("lost", LEASE + 1, 8, 8)];
    assert.deepEqual(capacity(workers, LEASE, NOW), { slots: 6, busy: 4 });
    const { health } = queueStatus(
      { pending: 0, processing: 12, completed: 0, failed: 0, dead: 0, cancelled: 0 },
      workers,
      null,
      LEASE,
      NOW,
    );
    assert.deepEqual([health.live_workers, health.lost_workers, health.slots, health.busy_slots], [2, 1, 6, 4]);
  });

  it("the oldest ready job's wait and the next due time", () => {
    const counts = { pending: 1, processing: 0, completed: 0, failed: 0, dead: 0, cancelled: 0 };
    assert.equal(queueStatus(counts, [], NOW - 250, LEASE, NOW).health.oldest_ready_ms, 250);
    assert.equal(queueStatus(counts, [], NOW + 250, LEASE, NOW).health.oldest_ready_ms, null);
    assert.equal(queueStatus(counts, [], null, LEASE, NOW).health.next_run_at, null);
  });
});
