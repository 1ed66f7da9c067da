import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { exitStatus } from "../../src/core/exit-status.js";

describe("exitStatus: what a shell would report for a finished run", () => {
  test("completed is 0; an exit code is itself", () => {
    assert.equal(exitStatus({ outcome: "completed", exit_code: 0, signal: null }), 0);
    assert.equal(exitStatus({ outcome: "failed", exit_code: 3, signal: null }), 3);
  });

  test("death by a signal is 128 + its number", () => {
    assert.equal(exitStatus({ outcome: "failed", exit_code: null, signal: "SIGTERM" }), 143);
    assert.equal(exitStatus({ outcome: "timeout", exit_code: null, signal: "SIGKILL" }), 137);
  });

  test("a failure without a code (lost, could not start, unknown signal) is 1", () => {
    assert.equal(exitStatus({ outcome: "lost", exit_code: null, signal: null }), 1);
    assert.equal(exitStatus({ outcome: "start_error", exit_code: null, signal: null }), 1);
    assert.equal(exitStatus({ outcome: "failed", exit_code: null, signal: "SIGNOPE" }), 1);
    assert.equal(exitStatus({ outcome: "failed", exit_code: 0, signal: null }), 1, "a failure is never 0");
  });

  test("no run at all is 1", () => {
    assert.equal(exitStatus(undefined), 1);
  });
});
