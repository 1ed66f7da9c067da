import assert from "node:assert/strict";
import { test } from "node:test";
import { CONFIG_DEFAULTS } from "../../src/core/config.js";
import { parseConfigValue } from "../../src/core/config-input.js";
import { QueueError } from "../../src/core/errors.js";
import { pruneTargetsFor } from "../../src/core/prune.js";
import { pruneTargets } from "../../src/core/retention.js";

const DAY = 86_400_000;

test("retention settings take durations (7d, 12h, seconds), 0 = forever, at most ten years", () => {
  assert.equal(CONFIG_DEFAULTS["retention-completed"], 7 * 86_400);
  assert.equal(CONFIG_DEFAULTS["retention-dead"], 30 * 86_400);
  assert.equal(CONFIG_DEFAULTS["retention-cancelled"], 7 * 86_400);
  assert.equal(CONFIG_DEFAULTS["retention-output"], 7 * 86_400);
  assert.equal(parseConfigValue("retention-completed", "7d"), 604_800);
  assert.equal(parseConfigValue("retention-dead", "12h"), 43_200);
  assert.equal(parseConfigValue("retention-output", "90m"), 5_400);
  assert.equal(parseConfigValue("retention-output", "3600"), 3_600);
  assert.equal(parseConfigValue("retention-cancelled", "0"), 0);
  // Other keys counting seconds take units too.
  assert.equal(parseConfigValue("job-timeout", "2h"), 7_200);
  for (const value of ["7x", "-1", "1.5", "3651d", "d", "7 d", "250ms"]) {
    assert.throws(
      () => parseConfigValue("retention-completed", value),
      (e: unknown) =>
        e instanceof QueueError && e.kind === "invalid" && e.message.startsWith("config retention-completed:"),
      value,
    );
  }
  assert.throws(() => parseConfigValue("max-retries", "5d"), /plain decimal/, "units only where a key counts seconds");
});

test("pruneTargets: one target per state whose retention is set, and the output; 0 means keep", () => {
  const now = 1_000 * DAY;
  const config = { ...CONFIG_DEFAULTS, "retention-dead": 0 };
  assert.deepEqual(pruneTargets(config, now), [
    { what: "completed", before: now - 7 * DAY },
    { what: "cancelled", before: now - 7 * DAY },
    { what: "output", before: now - 7 * DAY },
  ]);
  assert.deepEqual(pruneTargets(config, now, { olderThanMs: DAY, only: "dead" }), [
    { what: "dead", before: now - DAY },
  ]);
  assert.deepEqual(pruneTargets(config, now, { olderThanMs: 0 }).length, 4, "--older-than replaces every retention");
});

test("prune requests: a state that cannot be pruned or a bad duration is invalid input naming the option", () => {
  const invalid = (pattern: RegExp) => (e: unknown) =>
    e instanceof QueueError && e.kind === "invalid" && pattern.test(e.message);
  assert.throws(() => pruneTargetsFor({ state: "pending" }, CONFIG_DEFAULTS, 0), invalid(/^--state: must be one of/));
  assert.throws(() => pruneTargetsFor({ olderThan: "soon" }, CONFIG_DEFAULTS, 0), invalid(/^--older-than: /));
  assert.deepEqual(pruneTargetsFor({ state: "output", olderThan: "1h" }, CONFIG_DEFAULTS, 10 * DAY), [
    { what: "output", before: 10 * DAY - 3_600_000 },
  ]);
});
