/** CLI scenarios: `wait ID... [--timeout S]`. */
import assert from "node:assert/strict";
import { startCli } from "../../helpers/cli.js";
import { assertError } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

export const waitScenarios: Scenario[] = [
  scenario("jobs", "wait blocks until the jobs finish, then exits 0", async (h) => {
    const a = await h.enqueue({ command: "true" });
    const b = await h.enqueue({ command: "echo b" });
    const waiter = startCli(["wait", a, b], h.env);
    h.workers.push(waiter); // killed by the harness if the test fails
    // No worker yet: a wait cannot end, and the first waiter is still waiting.
    assert.equal((await h.cli(["wait", "--timeout", "1", a])).code, 124);
    assert.equal(waiter.exitCode, null, `wait returned early: ${waiter.output()}`);
    const worker = h.worker(1);
    await h.waitRegistered(worker.pid!);
    const code = await h.waitExit(waiter, 20_000);
    assert.equal(code, 0, waiter.output());
    assert.equal(await h.state(a), "completed");
    assert.equal(await h.state(b), "completed");
    assert.equal((await h.ok(["wait", a])).trim(), "", "an already finished job: exit 0 at once, nothing on stdout");
    const shown = await h.json<{ id: string; state: string; exit_code: number }[]>(["wait", b, a, b]);
    assert.deepEqual(
      shown.map((j) => [j.id, j.state, j.exit_code]),
      [
        [b, "completed", 0],
        [a, "completed", 0],
      ],
      "--json: each job once, in the order asked",
    );
  }),

  scenario("jobs", "wait exits 1 naming each dead job on its own line", async (h) => {
    const ok = await h.enqueue({ id: "fine", command: "true" });
    const d1 = await h.enqueue({ id: "broken-1", command: "exit 4", max_retries: 0 });
    const d2 = await h.enqueue({ id: "broken-2", command: "false", max_retries: 0 });
    h.worker(2);
    const r = await h.cli(["wait", ok, d1, d2]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0]!, /broken-1.*dead.*exit code 4/);
    assert.match(lines[1]!, /broken-2.*dead/);
    assert.doesNotMatch(r.stderr, /fine/);
  }),

  scenario("jobs", "wait for many jobs at once: every one is waited for", async (h) => {
    const ids = Array.from({ length: 120 }, (_, i) => `many-${i}`);
    await h.ok(["enqueue", JSON.stringify(ids.map((id) => ({ id, command: "true" })))]);
    h.worker(8);
    const r = await h.cli(["wait", "--json", ...ids]);
    assert.equal(r.code, 0, r.stderr);
    const jobs = JSON.parse(r.stdout) as { id: string; state: string }[];
    assert.deepEqual(
      jobs.map((j) => j.id),
      ids,
    );
    assert.ok(
      jobs.every((j) => j.state === "completed"),
      "all completed",
    );
    assert.equal((await h.counts()).completed, 120);
  }),

  scenario("jobs", "wait --timeout exits 124 naming what is unfinished", async (h) => {
    const id = await h.enqueue({ id: "never-run", command: "true" });
    const r = await h.cli(["wait", "--timeout", "1", id]);
    assertError(r, 124, /never-run/, "wait --timeout 1");
    assert.equal(await h.state(id), "pending");
  }),

  scenario("input", "wait: unknown ids exit 1 and nothing is waited for; bad usage exits 2", async (h) => {
    const id = await h.enqueue({ command: "true" });
    // No worker: had it waited for `id`, it would never return.
    assertError(await h.cli(["wait", id, "no-such-job"]), 1, /no-such-job/, "wait with an unknown id");
    assertError(await h.cli(["wait"]), 2, /id/, "wait without ids");
    assertError(await h.cli(["wait", "--timeout", "soon", id]), 2, /timeout/, "wait --timeout soon");
  }),

  scenario(
    "jobs",
    "wait is woken by the finish itself, not by a poll: it returns though its safety poll is longer than it waits",
    async (h) => {
      const fast = await h.enqueue({ id: "woken-fast", command: "true" });
      const dead = await h.enqueue({ id: "woken-dead", command: "exit 5", max_retries: 0 });
      // A safety poll (and so a re-read of unfinished jobs) every 10 minutes, and no --timeout:
      // only a wake-up can end this wait within this test's time.
      const env = { ...h.env, QUEUECTL_WAIT_SAFETY_POLL_MS: "600000" };
      const waiter = startCli(["wait", fast, dead], env);
      h.workers.push(waiter);
      // No worker yet: the waiter has read both jobs unfinished and sleeps by the time this ends.
      assert.equal((await h.cli(["wait", "--timeout", "1", fast])).code, 124);
      assert.equal(waiter.exitCode, null, `wait returned early: ${waiter.output()}`);
      const worker = h.worker(1);
      await h.waitRegistered(worker.pid!);
      const code = await h.waitExit(waiter, 60_000);
      assert.equal(code, 1, waiter.output());
      assert.match(waiter.output(), /woken-dead ended dead: .*exit code 5/);
      assert.doesNotMatch(waiter.output(), /woken-fast/);
    },
    120_000,
  ),
];
