import assert from "node:assert/strict";
import { test } from "node:test";
import { CONFIG_DEFAULTS, configFromStored } from "../../src/core/config.js";
import { parseConfigValue } from "../../src/core/config-input.js";
import { QueueError } from "../../src/core/errors.js";
import { newJobId, toNewJob } from "../../src/core/job-input.js";

const now = Date.parse("2026-01-01T00:00:00Z");

function rejects(input: unknown, field: string): void {
  assert.throws(
    () => toNewJob(input, CONFIG_DEFAULTS, now),
    (error: unknown) => error instanceof QueueError && error.kind === "invalid" && field in error.fields && error.message.includes(field),
    `expected ${JSON.stringify(input)} to be rejected naming ${field}`,
  );
}

test("defaults are applied", () => {
  const job = toNewJob({ command: "echo hi" }, CONFIG_DEFAULTS, now);
  assert.equal(job.priority, 5);
  assert.equal(job.max_retries, 3);
  assert.equal(job.run_at, now);
  assert.equal(job.timeout, null);
  assert.match(job.id, /^[0-9a-z]{16}$/);
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
  rejects({ command: "x", timeout: 0 }, "timeout");
  rejects({ command: "x", id: "" }, "id");
  rejects({ command: "x", id: "has space" }, "id");
  rejects({ command: "x", colour: "red" }, "colour");
  assert.throws(() => toNewJob([], CONFIG_DEFAULTS, now), /must be a JSON object/);
  assert.throws(() => toNewJob(null, CONFIG_DEFAULTS, now), /must be a JSON object/);
});

test("config values are validated per key", () => {
  assert.equal(parseConfigValue("max-retries", "5"), 5);
  assert.equal(parseConfigValue("backoff-base", "1.5"), 1.5);
  for (const [key, value] of [["max-retries", "-1"], ["max-retries", "2.5"], ["backoff-base", "abc"], ["lease-seconds", "0"], ["max-retries", ""], ["max-retries", "0x10"], ["max-retries", "1e1"], ["max-retries", " 5 "]]) {
    assert.throws(() => parseConfigValue(key as string, value), (e: unknown) => e instanceof QueueError && e.kind === "invalid", `${key}=${value}`);
  }
  assert.throws(() => parseConfigValue("colour", "1"), /unknown config key "colour"/);
});

test("broken stored settings fall back to defaults", () => {
  assert.deepEqual(configFromStored({ "max-retries": "oops", "backoff-base": "3" }), { ...CONFIG_DEFAULTS, "backoff-base": 3 });
});
