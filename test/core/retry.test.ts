import assert from "node:assert/strict";
import { test } from "node:test";
import { backoffMs, nextState } from "../../src/core/retry.js";

const config = { "backoff-base": 2, "backoff-max": 3600 };

test("failed run k waits base^k seconds: 2 s, 4 s, 8 s", () => {
  assert.deepEqual(
    [1, 2, 3].map((k) => backoffMs(k, config)),
    [2000, 4000, 8000],
  );
});

test("the delay is capped by backoff-max", () => {
  assert.equal(backoffMs(20, { "backoff-base": 2, "backoff-max": 60 }), 60_000);
});

test("max_retries counts retries after the first run", () => {
  const now = 1_000;
  assert.deepEqual(nextState({ attempts: 1, max_retries: 2 }, "failed", now, config), {
    state: "failed",
    run_at: 3_000,
  });
  assert.deepEqual(nextState({ attempts: 2, max_retries: 2 }, "timeout", now, config), {
    state: "failed",
    run_at: 5_000,
  });
  assert.deepEqual(nextState({ attempts: 3, max_retries: 2 }, "failed", now, config), { state: "dead" });
  assert.deepEqual(nextState({ attempts: 1, max_retries: 0 }, "start_error", now, config), { state: "dead" });
});

test("success completes; an interrupted run goes back without counting", () => {
  assert.deepEqual(nextState({ attempts: 3, max_retries: 2 }, "completed", 0, config), { state: "completed" });
  assert.deepEqual(nextState({ attempts: 3, max_retries: 2 }, "interrupted", 0, config), { state: "requeue" });
});
