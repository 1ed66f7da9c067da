import assert from "node:assert/strict";
import { test } from "node:test";
import { lossCause, rescue } from "../../src/core/rescue.js";

const now = 1_700_000_000_000;

test("a lost run whose job has retries left fails and is due at once", () => {
  for (const attempts of [1, 3]) {
    assert.deepEqual(rescue({ attempts, max_retries: 3, worker_id: "w1" }, "lease_expired", now).next, {
      state: "failed",
      run_at: now,
    });
  }
});

test("a lost run that used up the retries sends its job to the DLQ, as a failed run would", () => {
  assert.deepEqual(rescue({ attempts: 4, max_retries: 3, worker_id: "w1" }, "worker_gone", now).next, {
    state: "dead",
  });
  assert.deepEqual(rescue({ attempts: 5, max_retries: 3, worker_id: "w1" }, "lease_expired", now).next, {
    state: "dead",
  });
  assert.deepEqual(rescue({ attempts: 1, max_retries: 0, worker_id: "w1" }, "worker_gone", now).next, {
    state: "dead",
  });
});

test("the error names the worker and why its run was lost, in one line", () => {
  const job = { attempts: 1, max_retries: 3, worker_id: "host-a:123" };
  assert.equal(
    rescue(job, "lease_expired", now).error,
    "worker host-a:123 was lost (its lease expired without a heartbeat); the run was abandoned",
  );
  assert.equal(
    rescue(job, "worker_gone", now).error,
    "worker host-a:123 was lost (its process is gone); the run was abandoned",
  );
  assert.match(rescue({ ...job, worker_id: null }, "lease_expired", now).error, /^worker \? was lost/);
});

test("a run is lost with its worker when the worker is known dead, else by its lease", () => {
  assert.equal(lossCause("w2", ["w1", "w2"]), "worker_gone");
  assert.equal(lossCause("w3", ["w1", "w2"]), "lease_expired");
  assert.equal(lossCause(null, ["w1"]), "lease_expired");
  assert.equal(lossCause("w1", []), "lease_expired");
});
