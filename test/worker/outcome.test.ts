import assert from "node:assert/strict";
import { test } from "node:test";
import { outcome, type ExitFacts } from "../../src/worker/outcome.js";

/** A command that ended by itself with `code`, nothing on stderr, no timeout. */
const exit = (facts: Partial<ExitFacts>): ExitFacts => ({
  code: 0,
  signal: null,
  stopReason: null,
  timeoutMs: null,
  stderrTail: "",
  ...facts,
});

test("exit 0 completes, with no error", () => {
  const noise = Buffer.from("a warning on stderr\n");
  assert.deepEqual(outcome(exit({ code: 0, stderrTail: noise })), {
    outcome: "completed",
    exit_code: 0,
    signal: null,
    error: null,
  });
});

test("a non-zero exit fails, naming the code and the last line of stderr", () => {
  const stderrTail = Buffer.from("first line\n  cannot open foo.txt  \n\n\n");
  assert.deepEqual(outcome(exit({ code: 2, stderrTail })), {
    outcome: "failed",
    exit_code: 2,
    signal: null,
    error: "exit code 2: cannot open foo.txt",
  });
});

test("a non-zero exit with nothing on stderr names the code alone", () => {
  assert.deepEqual(outcome(exit({ code: 1, stderrTail: " \n\n" })), {
    outcome: "failed",
    exit_code: 1,
    signal: null,
    error: "exit code 1",
  });
});

test("a stderr line is cut at 300 characters", () => {
  const { error } = outcome(exit({ code: 1, stderrTail: "x".repeat(1000) }));
  assert.equal(error, `exit code 1: ${"x".repeat(300)}`);
});

test("exit 127 hints at a missing command", () => {
  assert.equal(outcome(exit({ code: 127 })).error, "exit code 127 (command not found?)");
  const stderrTail = "sh: 1: nosuchcmd: not found\n";
  const expected = "exit code 127 (command not found?): sh: 1: nosuchcmd: not found";
  assert.equal(outcome(exit({ code: 127, stderrTail })).error, expected);
});

test("a command killed by a signal fails, naming the signal and no exit code", () => {
  assert.deepEqual(outcome(exit({ code: null, signal: "SIGKILL", stderrTail: "ignored\n" })), {
    outcome: "failed",
    exit_code: null,
    signal: "SIGKILL",
    error: "killed by signal SIGKILL",
  });
});

test("a timeout wins over how the command died, and names the timeout in seconds", () => {
  assert.deepEqual(outcome(exit({ code: null, signal: "SIGTERM", stopReason: "timeout", timeoutMs: 1500 })), {
    outcome: "timeout",
    exit_code: null,
    signal: "SIGTERM",
    error: "timed out after 1.5 s; the process group was killed",
  });
  // A command that traps TERM and exits by itself keeps its code.
  const trapped = outcome(exit({ code: 3, stopReason: "timeout", timeoutMs: 60_000, stderrTail: "bye\n" }));
  assert.deepEqual(
    [trapped.outcome, trapped.exit_code, trapped.error],
    ["timeout", 3, "timed out after 60 s; the process group was killed"],
  );
});

test("worker stop --now interrupts; the run will run again", () => {
  assert.deepEqual(outcome(exit({ code: null, signal: "SIGTERM", stopReason: "stop" })), {
    outcome: "interrupted",
    exit_code: null,
    signal: "SIGTERM",
    error: "interrupted by worker stop --now; will run again",
  });
});

test("an interrupt by the worker itself says why, not 'worker stop --now'", () => {
  for (const stopReason of ["disowned", "store-lost"] as const) {
    const result = outcome(exit({ code: 0, stopReason }));
    assert.equal(result.outcome, "interrupted", stopReason);
    assert.equal(result.exit_code, 0);
    assert.doesNotMatch(result.error ?? "", /stop --now/, stopReason);
  }
  assert.match(outcome(exit({ stopReason: "disowned" })).error ?? "", /no longer this worker's/);
  assert.match(outcome(exit({ stopReason: "store-lost" })).error ?? "", /store was lost/);
});
