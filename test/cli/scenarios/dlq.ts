/** CLI scenarios: Retries and the dead letter queue (dlq list/retry). */
import assert from "node:assert/strict";
import { assertError, ms, sq, type JobJson } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

export const dlqScenarios: Scenario[] = [
  scenario(
    "jobs",
    "exit 1 with max_retries 2: 3 runs ~2 s then ~4 s apart, then the DLQ; dlq retry → pending",
    async (h) => {
      const id = await h.enqueue({ command: "echo try; exit 1", max_retries: 2 });
      const w = h.worker(1);
      const { job, attempts } = await h.waitState(id, "dead", 25_000);
      assert.equal(attempts.length, 3, "1 run + 2 retries");
      assert.deepEqual(
        attempts.map((a) => [a.number, a.outcome, a.exit_code]),
        [
          [1, "failed", 1],
          [2, "failed", 1],
          [3, "failed", 1],
        ],
      );
      const starts = attempts.map((a) => ms(a.started_at));
      const gap1 = starts[1]! - starts[0]!;
      const gap2 = starts[2]! - starts[1]!;
      assert.ok(gap1 >= 1800 && gap1 <= 3500, `retry 1 should come ~2 s after run 1, came after ${gap1} ms`);
      assert.ok(gap2 >= 3800 && gap2 <= 6000, `retry 2 should come ~4 s after run 2, came after ${gap2} ms`);
      assert.equal(job.exit_code, 1);
      assert.ok(job.last_error, "last_error says why");
      const dlq = await h.json<JobJson[]>(["dlq", "list"]);
      assert.deepEqual(
        dlq.map((j) => j.id),
        [id],
      );
      assert.equal((await h.counts()).dead, 1);
      assert.match(await h.ok(["dlq", "list"]), new RegExp(id));

      // stop the worker, then bring the job back
      await h.ok(["worker", "stop"]);
      assert.equal(await h.waitExit(w), 0, "a drained worker exits 0");
      await h.ok(["dlq", "retry", id]);
      const back = await h.row(id);
      assert.equal(back.state, "pending");
      assert.equal(back.attempts, 0, "dlq retry resets the attempt count");
      assert.equal((await h.show(id)).attempts.length, 3, "dlq retry keeps the attempt history");
      assert.deepEqual(await h.json(["dlq", "list"]), []);
      assertError(await h.cli(["dlq", "retry", id]), 1, new RegExp(id), "dlq retry of a job no longer dead");
    },
  ),

  scenario("jobs", "dlq retry --all; --attempt N selects a run's output", async (h) => {
    await h.ok(["config", "set", "backoff-base", "1"]);
    const dead = [
      await h.enqueue({ command: "exit 3", max_retries: 0 }),
      await h.enqueue({ command: "exit 4", max_retries: 0 }),
      await h.enqueue({ command: "kill -KILL $$", max_retries: 0 }),
    ];
    const counter = h.path("count");
    const flaky = await h.enqueue({
      command: `n=$(cat ${sq(counter)} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${sq(counter)}; echo run-$n; echo err-$n >&2; [ $n -ge 2 ]`,
      max_retries: 1,
    });
    const w = h.worker(2);
    await h.waitState(flaky, "completed");
    for (const id of dead) await h.waitState(id, "dead");
    assert.equal((await h.show(dead[0]!)).job.exit_code, 3);
    const killed = (await h.show(dead[2]!)).attempts[0]!;
    assert.equal(killed.outcome, "failed", "death by signal is a failure");
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(killed.exit_code, null);
    assertError(await h.cli(["dlq", "retry", flaky]), 1, new RegExp(flaky), "dlq retry of a completed job");
    assert.equal((await h.output(flaky, ["--attempt", "1"])).toString(), "run-1\n");
    assert.equal((await h.output(flaky, ["--attempt", "2"])).toString(), "run-2\n");
    assert.equal((await h.output(flaky, ["--attempt", "1", "--stderr"])).toString(), "err-1\n");
    assert.equal((await h.output(flaky)).toString(), "run-2\n", "default: the latest attempt");
    assertError(await h.cli(["job", "output", flaky, "--attempt", "9"]), 1, /9|attempt/, "job output --attempt 9");
    const shown = await h.show(flaky);
    assert.deepEqual(
      shown.attempts.map((a) => a.outcome),
      ["failed", "completed"],
    );
    assert.equal((await h.row(flaky)).attempts, 2);

    await h.ok(["worker", "stop"]);
    await h.waitExit(w);
    await h.ok(["dlq", "retry", "--all"]);
    for (const id of dead) assert.equal((await h.row(id)).state, "pending");
    assert.equal((await h.counts()).dead, 0);
  }),
];
