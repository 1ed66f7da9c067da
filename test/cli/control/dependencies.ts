/** CLI scenarios: job dependencies (`add --after`, enqueue `after`) with a real worker. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { assertError, type Harness } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

const ms = (iso: unknown): number => Date.parse(String(iso));

async function showJson(h: Harness, id: string) {
  return h.json<Record<string, any>>(["job", "show", id]);
}

export const dependencyScenarios: Scenario[] = [
  scenario(
    "workers",
    "A → B → C: A dies, B shows blocked with the reason; A retried completes, then B and C run in order",
    async (h) => {
      const flag = h.path("flag");
      const a = await h.ok(["add", "--id", "A", "--retries", "0", "--", `test -f ${flag}`]);
      assert.equal(a.trim(), "A");
      assert.equal((await h.ok(["add", "--id", "B", "--after", "A", "--", "echo b"])).trim(), "B");
      const c = JSON.parse(
        await h.ok(["enqueue", "--json", JSON.stringify({ id: "C", command: "echo c", after: ["B"] })]),
      );
      assert.equal(c.blocked, true, "enqueue answers the job as stored: blocked");
      assert.deepEqual(c.after, ["B"]);
      assert.equal(c.blocked_reason, "waiting for 1 job");
      const w = h.worker(2);
      await h.waitState("A", "dead", 60_000);
      const b = await showJson(h, "B");
      assert.equal(b.state, "pending");
      assert.equal(b.blocked, true);
      assert.equal(b.scheduled, false, "blocked wins over scheduled");
      assert.equal(b.blocked_reason, "dependency A is dead");
      assert.deepEqual(
        b.dependencies.map((d: Record<string, unknown>) => [d.id, d.state]),
        [["A", "dead"]],
      );
      assert.deepEqual(
        b.dependents.map((d: Record<string, unknown>) => [d.id, d.state, d.blocked]),
        [["C", "pending", true]],
      );
      const table = await h.ok(["job", "show", "B"]);
      assert.match(table, /pending \(blocked\)/);
      assert.match(table, /blocked\s+dependency A is dead/);
      assert.match(table, /dependents \(waiting for it\)/);
      const list = await h.ok(["list"]);
      assert.match(list, /B\s+default\s+pending \(blocked\)/, list);
      const blocked = await h.ok(["list", "--state", "blocked"]);
      assert.match(blocked, /^C\s.*echo c\s+waiting for 1 job \(B\)$/m, blocked);
      assert.match(blocked, /^B\s.*echo b\s+dependency A is dead$/m, blocked);
      assert.equal((await h.row("B")).blocked, true);

      writeFileSync(flag, "");
      await h.ok(["job", "retry", "A"]);
      const done = await h.waitState("C", "completed", 60_000);
      const jobs = await Promise.all(["A", "B", "C"].map((id) => showJson(h, id)));
      for (const job of jobs) assert.equal(job.state, "completed", job.id);
      const [ja, jb, jc] = jobs as [Record<string, any>, Record<string, any>, Record<string, any>];
      assert.ok(ms(jb.started_at) >= ms(ja.finished_at), "B started after A finished");
      assert.ok(ms(jc.started_at) >= ms(jb.finished_at), "C started after B finished");
      assert.equal(done.job.blocked, false);
      await h.ok(["worker", "stop"]);
      assert.equal(await h.waitExit(w), 0);
    },
    // About 20 CLI runs and a worker: generous for a loaded 2-core machine.
    180_000,
  ),

  scenario(
    "workers",
    "job show: a dependency that completed and was retried is marked, and the reason leaves it out",
    async (h) => {
      await h.ok(["add", "--id", "A", "--", "true"]);
      await h.ok(["add", "--id", "X", "--delay", "1h", "--", "true"]);
      await h.ok(["add", "--id", "C", "--after", "A,X", "--", "true"]);
      const w = h.worker(1);
      await h.waitState("A", "completed", 60_000);
      await h.ok(["worker", "stop"]);
      assert.equal(await h.waitExit(w), 0);
      await h.ok(["job", "retry", "A"]);
      const c = await showJson(h, "C");
      assert.equal(c.blocked_reason, "waiting for 1 of 2 jobs (X)");
      assert.deepEqual(
        c.dependencies.map((d: Record<string, unknown>) => [d.id, d.state, d.satisfied]),
        [
          ["A", "pending", true],
          ["X", "pending", false],
        ],
      );
      const table = await h.ok(["job", "show", "C"]);
      assert.match(table, /blocked\s+waiting for 1 of 2 jobs \(X\)/);
      assert.match(table, /^A\s+pending \(completed before\)\s+true$/m, table);
      assert.match(table, /^X\s+pending\s+true$/m, table);
    },
  ),

  scenario(
    "jobs",
    "cancelling A cancels B and C, each naming its cause; unknown ids write nothing",
    async (h) => {
      await h.ok(["add", "--id", "A", "--delay", "1h", "--", "true"]);
      await h.ok(["add", "--id", "B", "--after", "A", "--", "true"]);
      await h.ok(["add", "--id", "C", "--after", "A,B", "--", "true"]);
      assert.deepEqual((await showJson(h, "C")).after, ["A", "B"], "a comma list names each");
      await h.ok(["job", "cancel", "A"]);
      const b = await showJson(h, "B");
      assert.equal(b.state, "cancelled");
      assert.equal(b.last_error, "dependency A was cancelled");
      const c = await showJson(h, "C");
      assert.equal(c.state, "cancelled");
      assert.match(c.last_error, /^dependency (A|B) was cancelled$/);

      const before = await h.total();
      assertError(
        await h.cli(["add", "--after", "A2", "--", "true"]),
        1,
        /^queuectl: unknown job ID A2 \(in after\)$/,
        "an unknown dependency",
      );
      const batch = [
        { id: "x1", command: "true" },
        { id: "x2", command: "true", after: ["x1", "ghost"] },
      ]
        .map((j) => JSON.stringify(j))
        .join("\n");
      assertError(await h.cli(["enqueue", "--file", "-"], batch), 1, /ghost/, "an unknown dependency in a batch");
      assertError(
        await h.cli(["add", "--after", "A", "--", "true"]),
        1,
        /dependency A is cancelled/,
        "a cancelled one",
      );
      assertError(await h.cli(["add", "--id", "me", "--after", "me", "--", "true"]), 2, /itself/, "itself");
      assert.equal(await h.total(), before, "nothing was written");
    },
    // About 15 CLI runs, each a Node start: generous for a loaded 2-core machine.
    180_000,
  ),
];
