/** CLI scenarios: `job output --follow` ends like the job did. */
import assert from "node:assert/strict";
import { scenario, type Scenario } from "../scenarios/scenario.js";

export const followScenarios: Scenario[] = [
  scenario("jobs", "job output --follow exits with a dead job's exit code, 128+N for a signal", async (h) => {
    const five = await h.enqueue({ command: "echo five; exit 5", max_retries: 0 });
    const term = await h.enqueue({ command: "kill -TERM $$", max_retries: 0 });
    const fine = await h.enqueue({ command: "echo fine" });
    h.worker(3);
    for (const id of [five, term, fine]) await h.waitState(id, ["completed", "dead"]);
    const r5 = await h.raw(["job", "output", five, "--follow"]);
    assert.equal(r5.code, 5, r5.stderr);
    assert.equal(r5.stdout.toString(), "five\n");
    const r143 = await h.raw(["job", "output", term, "--follow"]);
    assert.equal(r143.code, 143, r143.stderr);
    const r0 = await h.raw(["job", "output", fine, "--follow"]);
    assert.equal(r0.code, 0, r0.stderr);
    assert.equal(r0.stdout.toString(), "fine\n");
  }),

  scenario("jobs", "job output --follow prints a growing output once, in order, across a retry", async (h) => {
    // Attempt 1 prints 1..3 slowly and fails; attempt 2 prints again and exits 7 (dead).
    const id = await h.enqueue({
      command: "for i in 1 2 3; do echo line-$i; sleep 0.3; done; exit 7",
      max_retries: 1,
    });
    await h.ok(["config", "set", "backoff-base", "1.1"]);
    const follow = h.raw(["job", "output", id, "--follow"]);
    h.worker(1);
    const r = await follow;
    assert.equal(r.code, 7, r.stderr);
    assert.equal(r.stdout.toString(), "line-1\nline-2\nline-3\n".repeat(2));
    assert.match(r.stderr, /following the next attempt/);
  }),
];
