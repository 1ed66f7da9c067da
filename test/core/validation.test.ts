import assert from "node:assert/strict";
import { test } from "node:test";
import { CONFIG_DEFAULTS, configFromStored } from "../../src/core/config.js";
import { parseConfigValue } from "../../src/core/config-input.js";
import { QueueError } from "../../src/core/errors.js";
import { runTimeoutMs } from "../../src/core/job-defaults.js";
import { RUNNER_ENV_NAMES } from "../../src/core/job-env.js";
import { newJobId, toNewJob } from "../../src/core/job-input.js";
import { ATTEMPT_VAR, JOB_ID_VAR, WORKER_ID_VAR } from "../../src/worker/orphans.js";

const now = Date.parse("2026-01-01T00:00:00Z");

function rejects(input: unknown, field: string): void {
  assert.throws(
    () => toNewJob(input, CONFIG_DEFAULTS, now),
    (error: unknown) =>
      error instanceof QueueError && error.kind === "invalid" && field in error.fields && error.message.includes(field),
    `expected ${JSON.stringify(input)} to be rejected naming ${field}`,
  );
}

test("defaults are applied at enqueue, from the settings of that moment", () => {
  const job = toNewJob({ command: "echo hi" }, CONFIG_DEFAULTS, now);
  assert.equal(job.priority, 5);
  assert.equal(job.max_retries, 3);
  assert.equal(job.run_at, now);
  assert.equal(job.timeout, 3600, "the job-timeout setting is stored with the job");
  assert.match(job.id, /^[0-9a-z]{16}$/);
  const set = { ...CONFIG_DEFAULTS, "max-retries": 0, "job-timeout": 0 };
  const other = toNewJob({ command: "echo hi" }, set, now);
  assert.deepEqual([other.max_retries, other.timeout], [0, 0]);
  const own = toNewJob({ command: "echo hi", max_retries: 7, timeout: 0 }, CONFIG_DEFAULTS, now);
  assert.deepEqual([own.max_retries, own.timeout], [7, 0], "timeout 0 (none) is kept, not replaced by the setting");
});

test("a run's time limit: 0 is none; an unset timeout (an older version's job) takes the setting", () => {
  assert.equal(runTimeoutMs(2.5, CONFIG_DEFAULTS), 2500);
  assert.equal(runTimeoutMs(0, CONFIG_DEFAULTS), null);
  assert.equal(runTimeoutMs(null, CONFIG_DEFAULTS), 3_600_000);
  assert.equal(runTimeoutMs(null, { ...CONFIG_DEFAULTS, "job-timeout": 0 }), null);
});

test("generated ids are unique and sort in the order they were made, even within a millisecond or when the clock steps back", () => {
  const ms = Date.now() + 60_000; // ahead of any id made so far in this process
  const ids = [
    ...Array.from({ length: 10_000 }, () => newJobId(ms)),
    newJobId(ms - 5_000), // the clock stepped back
    newJobId(ms + 1),
    ...Array.from({ length: 1_000 }, (_, i) => newJobId(ms + 2 + i)),
  ];
  for (const id of ids) assert.match(id, /^[0-9a-hjkmnp-tv-z]{16}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  // The time leads: an id of a later millisecond sorts after every id of an earlier one.
  assert.ok(newJobId(ms + 10_000).slice(0, 9) > ids.at(-1)!.slice(0, 9));
});

test("run_at accepts an offset or Z", () => {
  assert.equal(toNewJob({ command: "x", run_at: "2026-01-01T02:00:00+02:00" }, CONFIG_DEFAULTS, now).run_at, now);
});

test("bad jobs are rejected naming the field", () => {
  rejects({}, "command");
  rejects({ command: "" }, "command");
  rejects({ command: "   " }, "command");
  rejects({ command: 5 }, "command");
  rejects({ command: "echo a\u0000b" }, "command");
  rejects({ command: `echo ${"x".repeat(131_072)}` }, "command");
  assert.equal(toNewJob({ command: `echo ${"x".repeat(131_000)}` }, CONFIG_DEFAULTS, now).command.length, 131_005);
  rejects({ command: "x", priority: 0 }, "priority");
  rejects({ command: "x", priority: 11 }, "priority");
  rejects({ command: "x", priority: 2.5 }, "priority");
  rejects({ command: "x", priority: "5" }, "priority");
  rejects({ command: "x", run_at: "tomorrow" }, "run_at");
  rejects({ command: "x", run_at: "2026-01-01T00:00:00" }, "run_at");
  rejects({ command: "x", max_retries: -1 }, "max_retries");
  rejects({ command: "x", timeout: -1 }, "timeout");
  rejects({ command: "x", timeout: 31_536_001 }, "timeout");
  rejects({ command: "x", id: "" }, "id");
  rejects({ command: "x", id: "has space" }, "id");
  rejects({ command: "x", colour: "red" }, "colour");
  assert.throws(() => toNewJob([], CONFIG_DEFAULTS, now), /must be a JSON object/);
  assert.throws(() => toNewJob(null, CONFIG_DEFAULTS, now), /must be a JSON object/);
});

test("config values are validated per key", () => {
  assert.equal(parseConfigValue("max-retries", "5"), 5);
  assert.equal(parseConfigValue("backoff-base", "1.5"), 1.5);
  for (const [key, value] of [
    ["max-retries", "-1"],
    ["max-retries", "2.5"],
    ["backoff-base", "abc"],
    ["lease-seconds", "0"],
    ["max-retries", ""],
    ["max-retries", "0x10"],
    ["max-retries", "1e1"],
    ["max-retries", " 5 "],
  ]) {
    assert.throws(
      () => parseConfigValue(key as string, value),
      (e: unknown) => e instanceof QueueError && e.kind === "invalid",
      `${key}=${value}`,
    );
  }
  assert.throws(() => parseConfigValue("colour", "1"), /unknown config key "colour"/);
});

test("broken stored settings fall back to defaults", () => {
  assert.deepEqual(configFromStored({ "max-retries": "oops", "backoff-base": "3" }), {
    ...CONFIG_DEFAULTS,
    "backoff-base": 3,
  });
});

/** The one-line message of an invalid input. */
function messageOf(input: unknown): string {
  try {
    toNewJob(input, CONFIG_DEFAULTS, now);
  } catch (error) {
    assert.ok(error instanceof QueueError && error.kind === "invalid", String(error));
    assert.doesNotMatch(error.message, /[\n\r\u001b]/, "one line, no raw controls");
    return error.message;
  }
  assert.fail(`${JSON.stringify(input)} was accepted`);
}

test("a wrong type names the field, what it must be and what was given (never 'is required')", () => {
  assert.equal(messageOf({ command: "x", priority: "urgent" }), 'priority: must be an integer 1..10, got "urgent"');
  assert.equal(messageOf({ command: "x", priority: "5" }), 'priority: must be an integer 1..10, got "5"');
  assert.equal(
    messageOf(JSON.parse('{"command":"x","priority":1e309}')),
    "priority: must be an integer 1..10, got a number too large to represent",
  );
  assert.match(messageOf({ command: "x", run_at: 5 }), /^run_at: must be ISO 8601 .*, got 5$/);
  assert.equal(messageOf({ command: "x", max_retries: null }), "max_retries: must be an integer 0..1000, got null");
  assert.match(messageOf({ command: "x", timeout: [] }), /^timeout: must be a number of seconds .*, got an array$/);
  assert.equal(messageOf({ command: "x", priority: 11 }), "priority: must be an integer 1..10, got 11");
  assert.equal(messageOf({}), "command: is required");
  assert.equal(messageOf({ command: "x", id: `a${"b".repeat(300)}` }).length < 160, true, "a long value is cut");
});

test("unknown keys, __proto__ included, are named as unknown fields", () => {
  assert.equal(messageOf(JSON.parse('{"command":"x","__proto__":{"a":1}}')), "__proto__: unknown field");
  assert.equal(messageOf(JSON.parse('{"command":"x","constructor":{"prototype":{}}}')), "constructor: unknown field");
  assert.equal(messageOf({ command: "x", "bad\nkey": 1 }), "bad\\x0akey: unknown field");
});

test("ids: printable characters only, no bidi controls, well-formed UTF-8", () => {
  const bad = ["\u007f", "\u0085", "\u009b", "\u202e", "\u2066", "\u200b", "\ufeff", "\ud800", "\udc00", "\n", " "];
  for (const char of bad) {
    const message = messageOf({ command: "x", id: `a${char}b` });
    assert.match(message, /^id: must be (printable|well-formed)/, JSON.stringify(char));
  }
  assert.match(messageOf({ command: "echo \ud800" }), /^command: must be well-formed Unicode/);
  for (const id of ["job-1", "é-ü", "日本", "a\u{1F600}b", "x.y:z/1"]) {
    assert.equal(toNewJob({ command: "x", id }, CONFIG_DEFAULTS, now).id, id);
  }
});

test("printable escapes C0, DEL, C1, bidi and lone surrogates, and nothing else", async () => {
  const { printable, quote } = await import("../../src/core/printable.js");
  assert.equal(printable("a\u001b]0;t\u0007b\u009b\u202e\ud800c\n"), "a\\x1b]0;t\\x07b\\x9b\\u202e\\ud800c\\x0a");
  assert.equal(printable("l1\n\tl2\u001b", { lines: true }), "l1\n\tl2\\x1b");
  assert.equal(printable("é 日本 \u{1F600} \\n"), "é 日本 \u{1F600} \\n");
  assert.equal(printable(printable("\u001b")), "\\x1b", "idempotent");
  assert.equal(quote("a\nb"), '"a\\x0ab"');
  assert.equal(quote(Infinity), "a number too large to represent");
});

test("every duration in config has an upper bound; the message names it", () => {
  const tooLong = [
    ["job-timeout", "1".padEnd(24, "0")],
    ["job-timeout", 1e23],
    ["backoff-max", "31536001"],
  ] as const;
  for (const [key, value] of tooLong) {
    assert.throws(
      () => parseConfigValue(key, value),
      (e: unknown) => e instanceof QueueError && e.kind === "invalid" && /to 31536000 \(a year\), got/.test(e.message),
      `${key}=${value}`,
    );
  }
  assert.equal(parseConfigValue("job-timeout", "31536000"), 31_536_000);
  assert.equal(parseConfigValue("job-timeout", 0), 0);
  // A value stored before the bound existed falls back to the default rather than overflow timers.
  assert.equal(configFromStored({ "job-timeout": "1e+23" })["job-timeout"], CONFIG_DEFAULTS["job-timeout"]);
});

test("cwd and env: kept as given, absent or empty as null; bad shapes rejected naming the field", () => {
  const job = toNewJob(
    { command: "x", cwd: "/srv/app dir", env: { A: "1", _b2: "", C: "x=y z" } },
    CONFIG_DEFAULTS,
    now,
  );
  assert.equal(job.cwd, "/srv/app dir");
  assert.deepEqual(job.env, { A: "1", _b2: "", C: "x=y z" });
  const plain = toNewJob({ command: "x", env: {} }, CONFIG_DEFAULTS, now);
  assert.deepEqual([plain.cwd, plain.env], [null, null]);

  for (const cwd of ["relative/dir", "", "/a\u0000b", 5, null, "/\ud800", `/${"a".repeat(4096)}`])
    rejects({ command: "x", cwd }, "cwd");
  for (const env of ["A=1", ["A=1"], null, 5]) rejects({ command: "x", env }, "env");
  for (const name of ["1A", "A-B", "A B", "", "A=B", "É"])
    rejects({ command: "x", env: { [name]: "v" } }, `env.${name}`);
  for (const value of [1, null, true, "a\u0000b", "\udc00"]) rejects({ command: "x", env: { A: value } }, "env.A");
  // Set by the worker for every run: a job cannot pose as another run.
  for (const name of ["QUEUECTL_JOB_ID", "QUEUECTL_ATTEMPT", "QUEUECTL_WORKER_ID"]) {
    rejects({ command: "x", env: { [name]: "v" } }, `env.${name}`);
  }
  // Bounds: at most 1000 variables and 128 KiB in all.
  const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`V${i}`, "x"]));
  rejects({ command: "x", env: many }, "env");
  rejects({ command: "x", env: { BIG: "x".repeat(131_072) } }, "env");
  delete many.V0;
  assert.equal(Object.keys(toNewJob({ command: "x", env: many }, CONFIG_DEFAULTS, now).env ?? {}).length, 1000);
});

test("the names a job may not set are exactly those the worker sets for every run", () => {
  assert.deepEqual([...RUNNER_ENV_NAMES].sort(), [ATTEMPT_VAR, JOB_ID_VAR, WORKER_ID_VAR].sort());
});
