/** CLI scenarios: retention settings and `prune`. */
import assert from "node:assert/strict";
import { assertError } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

interface PruneRow {
  what: string;
  before: string;
  removed: number;
}

const removed = (rows: PruneRow[]) => Object.fromEntries(rows.map((r) => [r.what, r.removed]));

export const pruneScenarios: Scenario[] = [
  scenario("jobs", "retention settings; prune --dry-run counts, prune removes finished jobs and output", async (h) => {
    await h.ok(["config", "set", "retention-dead", "12h"]);
    assert.equal((await h.ok(["config", "get", "retention-dead"])).trim(), "43200");
    assert.equal((await h.ok(["config", "get", "retention-completed"])).trim(), "604800", "default 7 days");
    assertError(await h.cli(["config", "set", "retention-output", "7x"]), 2, /retention-output/, "a bad duration");
    assertError(await h.cli(["config", "set", "retention-output", "4000d"]), 2, /ten years/, "beyond the bound");
    assertError(await h.cli(["prune", "--state", "pending"]), 2, /--state/, "a state that is never pruned");
    assertError(await h.cli(["prune", "--older-than", "soon"]), 2, /--older-than/, "a bad duration");

    const done = [await h.enqueue({ command: "echo kept-then-gone" }), await h.enqueue({ command: "echo two" })];
    // A run that printed nothing: it has no output to drop, so the output counts leave it out.
    await h.enqueue({ command: "true" });
    const dead = await h.enqueue({ command: "echo bad >&2; exit 3", max_retries: 0 });
    const later = await h.enqueue({ command: "true", run_at: new Date(Date.now() + 3_600_000).toISOString() });
    const dropped = await h.enqueue({ command: "true", run_at: new Date(Date.now() + 3_600_000).toISOString() });
    await h.ok(["job", "cancel", dropped]);
    const w = h.worker(2);
    await h.waitCounts("3 completed, 1 dead", (c) => c.completed === 3 && c.dead === 1);
    await h.ok(["worker", "stop"]);
    assert.equal(await h.waitExit(w), 0);

    // Everything is recent: the configured retentions remove nothing.
    assert.deepEqual(removed(await h.json(["prune", "--dry-run"])), { completed: 0, dead: 0, cancelled: 0, output: 0 });
    // --older-than 0: everything finished counts; a dry run changes nothing.
    assert.deepEqual(removed(await h.json(["prune", "--older-than", "0", "--dry-run"])), {
      completed: 3,
      dead: 1,
      cancelled: 1,
      output: 3,
    });
    assert.match(await h.ok(["prune", "--older-than", "0", "--dry-run"]), /would remove/);
    assert.equal((await h.counts()).completed, 3);

    // Output first: the runs stay, their output is gone and says so.
    assert.deepEqual(removed(await h.json(["prune", "--older-than", "0", "--state", "output"])), { output: 3 });
    const shown = await h.raw(["job", "output", done[0]!]);
    assert.equal(shown.code, 0);
    assert.equal(shown.stdout.length, 0);
    assert.match(shown.stderr, /output pruned/);
    const json = await h.json<{ pruned: boolean; total_bytes: number }>(["job", "output", done[0]!]);
    assert.deepEqual([json.pruned, json.total_bytes], [true, "kept-then-gone\n".length]);
    assert.equal((await h.show(dead)).attempts.length, 1, "the run is still listed");

    const human = await h.ok(["prune", "--older-than", "0"]);
    assert.match(human, /completed jobs\s.*\s3\b/);
    assert.match(human, /dead jobs\s.*\s1\b/);
    assert.match(human, /cancelled jobs\s.*\s1\b/);
    const counts = await h.counts();
    assert.deepEqual(
      [counts.completed, counts.dead, counts.cancelled, counts.pending],
      [0, 0, 0, 1],
      "the scheduled job stays",
    );
    assert.equal(await h.state(later), "pending");
    assertError(await h.cli(["job", "show", done[0]!]), 1, new RegExp(done[0]!), "a pruned job is gone");
    const metrics = await h.json<{ attempts_total: number; attempts_failed: number }>(["metrics"]);
    assert.deepEqual([metrics.attempts_total, metrics.attempts_failed], [4, 1], "counts keep pruned runs");
  }),
];
