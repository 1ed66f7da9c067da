import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { CONFIG_DEFAULTS, configFromStored } from "../../src/core/config.js";
import { parseConfigValue } from "../../src/core/config-input.js";
import { QueueError } from "../../src/core/errors.js";
import { toNewJob } from "../../src/core/job-input.js";
import { deadHook, deadHookJob, HOOK_QUEUE, isHookJob } from "../../src/core/on-dead.js";
import { afterRun, backoffMs } from "../../src/core/retry.js";

const base = { "backoff-base": 2, "backoff-max": 3600 };
/** A random source that returns these values in turn. */
const draws = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

test("backoff-jitter 0 (the default) keeps base^k exact whatever the random source says", () => {
  assert.equal(CONFIG_DEFAULTS["backoff-jitter"], 0);
  for (const r of [0, 0.5, 0.999])
    assert.equal(
      backoffMs(3, { ...base, "backoff-jitter": 0 }, () => r),
      8000,
    );
});

test("backoff-jitter 1 is full jitter: uniform in [0, base^k]", () => {
  const config = { ...base, "backoff-jitter": 1 };
  assert.equal(
    backoffMs(3, config, () => 0),
    8000,
  );
  assert.equal(
    backoffMs(3, config, () => 0.5),
    4000,
  );
  assert.equal(
    backoffMs(3, config, () => 0.999),
    8,
  );
});

test("backoff-jitter between 0 and 1 takes off at most that share of the delay", () => {
  const config = { ...base, "backoff-jitter": 0.25 };
  assert.equal(
    backoffMs(2, config, () => 0),
    4000,
  );
  assert.equal(
    backoffMs(2, config, () => 0.999_999),
    3000,
  );
  const random = draws(0.1, 0.6, 0.9);
  const delays = [1, 2, 3].map(() => backoffMs(4, config, random));
  assert.deepEqual(delays, [15_600, 13_600, 12_400]);
});

test("jitter applies after the backoff-max cap", () => {
  assert.equal(
    backoffMs(20, { "backoff-base": 2, "backoff-max": 60, "backoff-jitter": 1 }, () => 0.5),
    30_000,
  );
});

test("a run that exits with a no_retry_exit_code goes dead at once and says why", () => {
  const job = { attempts: 1, max_retries: 5, no_retry_exit_codes: [3, 64] };
  const decided = afterRun(job, { outcome: "failed", exit_code: 64, error: "exit code 64: usage" }, 1000, base);
  assert.deepEqual(decided.next, { state: "dead" });
  assert.match(decided.error ?? "", /^exit code 64: usage \(exit code 64 is in no_retry_exit_codes: not retried\)$/);
  // Other codes, signals and timeouts retry as usual.
  const other = afterRun(job, { outcome: "failed", exit_code: 1, error: "exit code 1" }, 1000, base);
  assert.deepEqual(other, { next: { state: "failed", run_at: 3000 }, error: "exit code 1" });
  const timedOut = afterRun(job, { outcome: "timeout", exit_code: 64, error: "timed out" }, 1000, base);
  assert.equal(timedOut.next.state, "failed", "a timeout is not an exit with that code");
  const ok = afterRun(
    { ...job, no_retry_exit_codes: [0] },
    { outcome: "completed", exit_code: 0, error: null },
    0,
    base,
  );
  assert.deepEqual(ok.next, { state: "completed" }, "success is success even if 0 is listed");
});

test("job input: key, on_conflict and no_retry_exit_codes are validated, naming the field", () => {
  const now = Date.now();
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ key: "" }, /^key: must not be empty/],
    [{ key: "x".repeat(201) }, /^key: must be at most 200 characters/],
    [{ key: "a\u0007b" }, /^key: must be printable/],
    [{ key: "queuectl:mine" }, /^key: must not start with "queuectl:"/],
    [{ key: 5 }, /^key: must be a string/],
    [{ key: "k", on_conflict: "overwrite" }, /^on_conflict: must be one of "skip", "replace", "error"/],
    [{ no_retry_exit_codes: [256] }, /^no_retry_exit_codes\.0: must be an integer 0\.\.255/],
    [{ no_retry_exit_codes: [1.5] }, /^no_retry_exit_codes\.0: must be an integer 0\.\.255/],
    [{ no_retry_exit_codes: "3" }, /^no_retry_exit_codes: must be an array of exit codes/],
    [{ no_retry_exit_codes: Array.from({ length: 65 }, (_, i) => i) }, /^no_retry_exit_codes: must list at most 64/],
  ];
  for (const [fields, pattern] of bad) {
    assert.throws(
      () => toNewJob({ command: "true", ...fields }, CONFIG_DEFAULTS, now),
      (error: unknown) => error instanceof QueueError && error.kind === "invalid" && pattern.test(error.message),
      JSON.stringify(fields),
    );
  }
  const job = toNewJob(
    { command: "true", key: "nightly report", no_retry_exit_codes: [64, 2, 64] },
    CONFIG_DEFAULTS,
    now,
  );
  assert.equal(job.key, "nightly report");
  assert.equal(job.on_conflict, "skip");
  assert.deepEqual(job.no_retry_exit_codes, [2, 64]);
});

test("config: backoff-jitter is 0..1 and on-dead a command line; bad values name the key", () => {
  assert.equal(parseConfigValue("backoff-jitter", "0.5"), 0.5);
  assert.throws(
    () => parseConfigValue("backoff-jitter", "1.5"),
    /: config backoff-jitter: must be a number from 0 to 1, got "1.5"/,
  );
  assert.equal(parseConfigValue("on-dead", "  notify-send dead  "), "notify-send dead");
  assert.equal(parseConfigValue("on-dead", ""), "", "empty turns the hook off");
  assert.throws(() => parseConfigValue("on-dead", "a\u0000b"), /: config on-dead: must not contain NUL bytes/);
  assert.throws(() => parseConfigValue("on-dead", "x".repeat(20_000)), /: config on-dead: must be at most 16384 bytes/);
  assert.throws(() => parseConfigValue("on-dead", 5), /: config on-dead: must be a shell command line/);
  const stored = configFromStored({ "on-dead": "mail -s dead me", "backoff-jitter": "7" });
  assert.equal(stored["on-dead"], "mail -s dead me");
  assert.equal(stored["backoff-jitter"], 0, "an out-of-range stored value falls back to the default");
});

test("the on-dead hook job carries the dead job's facts in its env, in the hooks queue", () => {
  const config = {
    ...CONFIG_DEFAULTS,
    "on-dead":
      'printf "%s|%s|%s|%s" "$QUEUECTL_DEAD_JOB_ID" "$QUEUECTL_DEAD_JOB_COMMAND" "$QUEUECTL_DEAD_JOB_EXIT_CODE" "$QUEUECTL_DEAD_JOB_ERROR"',
  };
  const dead = {
    id: "j1",
    command: `echo 'it''s' $HOME "x"`,
    key: null,
    exit_code: 7,
    error: "exit code 7: can't; $(rm -rf /)",
  };
  const hook = deadHookJob(dead, deadHook(config), 5000);
  assert.ok(hook);
  assert.equal(hook.key, "queuectl:on-dead:j1");
  assert.equal(hook.run_at, 5000);
  assert.equal(hook.queue, HOOK_QUEUE);
  assert.equal(HOOK_QUEUE, "hooks");
  // Run it with the real shell and its env: every value arrives exactly.
  const out = execFileSync("/bin/sh", ["-c", hook.command], { encoding: "utf8", env: { ...process.env, ...hook.env } });
  assert.equal(out, `j1|${dead.command}|7|${dead.error}`);
  assert.equal(deadHookJob(dead, deadHook(CONFIG_DEFAULTS), 5000), null, "no hook when on-dead is empty");
  assert.ok(isHookJob(hook));
  assert.equal(deadHookJob({ ...dead, key: hook.key }, deadHook(config), 5000), null, "a dead hook fires no hook");
});
