/** CLI scenarios: `job delete ID...` and `job retry ID...`, each id handled on its own. */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Store } from "../../../src/core/store.js";
import { PostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { assertError, type Harness } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

interface Acted {
  done: string[];
  refused: { id: string; error: string }[];
}

/** The store the harness's CLI uses, opened directly: to see what no command shows (attempts of a deleted job). */
async function openSame(h: Harness): Promise<Store> {
  const db = h.env.QUEUECTL_DB ?? "";
  if (db.startsWith("postgres")) return PostgresStore.connect(db, { ...process.env, ...h.env });
  return SqliteStore.open(join(h.env.QUEUECTL_HOME!, "queuectl.db"));
}

export const deleteRetryScenarios: Scenario[] = [
  scenario(
    "jobs",
    "job delete: finished and waiting jobs go with their history; running and unknown refused",
    async (h) => {
      const done = await h.enqueue({ id: "done", command: "echo hi" });
      const busy = await h.enqueue({ id: "busy", command: h.sleep(300) });
      h.worker(2);
      await h.waitState(done, "completed");
      await h.waitState(busy, "processing");
      const later = await h.enqueue({ id: "later", command: "true", run_at: "2099-01-01T00:00:00Z" });
      const keep = await h.enqueue({ id: "keep", command: "true", run_at: "2099-01-01T00:00:00Z" });

      const r = await h.cli(["job", "delete", done, busy, "ghost", later]);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), [done, later], "the deleted ids, in the order given");
      assert.deepEqual(r.stderr.trim().split("\n"), [
        "queuectl: job busy is running: cancel it first",
        "queuectl: no job ghost",
      ]);
      assertError(await h.cli(["job", "show", done]), 1, /done/, "job show of a deleted job");
      assertError(await h.cli(["job", "output", done]), 1, /done/, "job output of a deleted job");
      assert.equal(await h.state(busy), "processing", "a running job is left alone");
      assert.equal(await h.state(keep), "pending");
      const store = await openSame(h);
      try {
        assert.deepEqual(await store.listAttempts(done), [], "nothing left of a deleted job's runs");
      } finally {
        await store.close();
      }

      assert.deepEqual(await h.json<Acted>(["job", "delete", keep]), { done: [keep], refused: [] });
      const refused = await h.cli(["job", "delete", "--json", busy]);
      assert.equal(refused.code, 1);
      assert.deepEqual(JSON.parse(refused.stdout), {
        done: [],
        refused: [{ id: busy, error: "job busy is running: cancel it first" }],
      });
      assertError(
        await h.cli(["job", "delete", "ghost"]),
        1,
        /^queuectl: no job ghost$/,
        "job delete of an unknown id",
      );
      assertError(await h.cli(["job", "delete"]), 2, /id/, "job delete without an id");
      assertError(await h.cli(["job", "delete", ""]), 2, /empty/, "job delete of an empty id");
    },
  ),

  scenario("jobs", "job retry: completed and dead jobs run again, history kept; waiting ones refused", async (h) => {
    const ok = await h.enqueue({ id: "ok", command: "echo run" });
    const bad = await h.enqueue({ id: "bad", command: "exit 3", max_retries: 0 });
    const w = h.worker(1);
    await h.waitState(ok, "completed");
    await h.waitState(bad, "dead");
    await h.ok(["worker", "stop"]);
    assert.equal(await h.waitExit(w), 0);

    assert.deepEqual(await h.json<Acted>(["job", "retry", ok, bad]), { done: [ok, bad], refused: [] });
    for (const id of [ok, bad]) {
      const row = await h.row(id);
      assert.equal(row.state, "pending");
      assert.equal(row.attempts, 0, "attempts reset");
      assert.equal((await h.show(id)).attempts.length, 1, "history kept");
    }
    assertError(
      await h.cli(["job", "retry", ok]),
      1,
      /^queuectl: job ok is pending: it will run anyway$/,
      "job retry of a pending job",
    );
    assertError(await h.cli(["job", "retry", "ghost"]), 1, /no job ghost/, "job retry of an unknown id");

    h.worker(1);
    const { attempts } = await h.waitState(ok, "completed");
    assert.deepEqual(
      attempts.map((a) => [a.number, a.outcome]),
      [
        [1, "completed"],
        [2, "completed"],
      ],
      "attempt numbers go on counting",
    );
    assert.equal((await h.output(ok)).toString(), "run\n");
    await h.waitState(bad, "dead");
    assert.equal((await h.ok(["job", "retry", bad])).trim(), bad, "prints the retried id");
  }),

  scenario(
    "jobs",
    "job delete while a worker claims: every job ran or is gone, never half",
    async (h) => {
      const ids = Array.from({ length: 240 }, (_, i) => `race-${String(i).padStart(3, "0")}`);
      await h.ok(["enqueue", JSON.stringify(ids.map((id) => ({ id, command: "sleep 0.02" })))]);
      h.worker(4);
      // Newest first while the worker takes the oldest first: the two meet in the middle.
      const deleted = new Set<string>();
      const refused = new Set<string>();
      const newestFirst = [...ids].reverse();
      for (let i = 0; i < newestFirst.length; i += 24) {
        const r = await h.cli(["job", "delete", "--json", ...newestFirst.slice(i, i + 24)]);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        const acted = JSON.parse(r.stdout) as Acted;
        acted.done.forEach((id) => deleted.add(id));
        for (const { id, error } of acted.refused) {
          assert.equal(error, `job ${id} is running: cancel it first`);
          refused.add(id);
        }
      }
      await h.waitCounts("no job left to run", (c) => c.pending + c.processing + c.failed === 0);
      const store = await openSame(h);
      try {
        for (const id of ids) {
          const job = await store.getJob(id);
          const attempts = await store.listAttempts(id);
          if (deleted.has(id)) {
            assert.equal(job, null, `${id} was deleted`);
            assert.deepEqual(attempts, [], `${id}: no attempt without its job`);
          } else {
            assert.equal(job?.state, "completed", `${id} not deleted: it ran`);
            assert.deepEqual(
              attempts.map((a) => a.outcome),
              ["completed"],
              `${id}: its one run recorded`,
            );
          }
        }
      } finally {
        await store.close();
      }
      assert.ok(deleted.size > 0, "some jobs were deleted before they ran");
    },
    90_000,
  ),
];
