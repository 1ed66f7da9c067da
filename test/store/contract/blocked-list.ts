/** Store contract: listing blocked jobs (`state: "blocked"`) and what each waits for (`blocked_by`). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blockedReason } from "../../../src/core/dependencies.js";
import type { ListedJob } from "../../../src/core/listing.js";
import type { JobFilter } from "../../../src/core/types.js";
import type { Store } from "../../../src/core/store.js";
import { claimOne, finished, newJob, type MakeStore, storeCase } from "./harness.js";

const HOUR = 3_600_000;

const ids = (jobs: ListedJob[]) => jobs.map((job) => job.id);
const list = async (store: Store, filter: Partial<JobFilter>) => store.listJobs({ limit: 10, ...filter });

/** Claims the one ready job (it must be `id`) and records its run ending as `state`. */
async function run(store: Store, id: string, now: number, state: "completed" | "dead" | "failed") {
  const claimed = await claimOne(store, "w1", now);
  assert.equal(claimed.job.id, id, `the job ready at ${now}`);
  const next = state === "failed" ? { state, run_at: now + HOUR } : { state };
  assert.deepEqual(await store.finishRuns([finished(claimed, next)]), []);
}

export function blockedListCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("listJobs state blocked", () => {
      it(
        "lists only the jobs waiting for dependencies, newest first, page by page; pending still has them",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("X", t, { priority: 10 }),
            newJob("A", t),
            newJob("S", t, { run_at: t + HOUR }),
            newJob("B1", t, { after: ["A"] }),
            newJob("B2", t, { after: ["A", "S"] }),
            newJob("B3", t, { after: ["A"], queue: "q2" }),
            newJob("B4", t, { after: ["A"], command: "make deploy" }),
          ]);
          await run(store, "X", t, "failed");
          assert.deepEqual(ids((await list(store, { state: "blocked" })).jobs), ["B4", "B3", "B2", "B1"]);
          const first = await list(store, { state: "blocked", limit: 2 });
          assert.deepEqual(ids(first.jobs), ["B4", "B3"]);
          assert.ok(first.next_cursor);
          const second = await list(store, { state: "blocked", limit: 2, cursor: first.next_cursor });
          assert.deepEqual(ids(second.jobs), ["B2", "B1"]);
          assert.equal(second.next_cursor, null);
          assert.deepEqual(ids((await list(store, { state: "blocked", queue: "q2" })).jobs), ["B3"]);
          assert.deepEqual(ids((await list(store, { state: "blocked", q: "deploy" })).jobs), ["B4"]);
          assert.deepEqual(
            ids((await list(store, { state: "pending" })).jobs),
            ["B4", "B3", "B2", "B1", "S", "A"],
            "pending is the stored state: blocked and scheduled jobs included",
          );
          assert.deepEqual(ids((await list(store, { state: "failed" })).jobs), ["X"]);

          await run(store, "A", t + 1, "completed");
          assert.deepEqual(ids((await list(store, { state: "blocked" })).jobs), ["B2"], "B2 still waits for S");
        }),
      );

      it(
        "a listed blocked job carries its first unfinished dependencies, worst first, then by id",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("c1", t, { priority: 10 }),
            newJob("d1", t, { priority: 9, max_retries: 0 }),
            newJob("f1", t, { priority: 8 }),
            newJob("p3", t + HOUR),
            newJob("p2", t + HOUR),
            newJob("p1", t + HOUR),
          ]);
          await run(store, "c1", t, "completed");
          await run(store, "d1", t + 1, "dead");
          await run(store, "f1", t + 2, "failed");
          await store.insertJobs([
            newJob("J", t + 3, { after: ["p1", "c1", "f1", "p2", "d1", "p3"] }),
            newJob("K", t + 3, { after: ["p3", "p2", "c1", "p1"] }),
            newJob("L", t + 3, { after: ["p2"] }),
          ]);
          const listed = new Map((await list(store, {})).jobs.map((job) => [job.id, job]));
          const j = listed.get("J");
          assert.deepEqual(j?.blocked_by, [
            { id: "d1", state: "dead" },
            { id: "f1", state: "failed" },
            { id: "p1", state: "pending" },
          ]);
          assert.equal(j && blockedReason(j, j.blocked_by), "dependency d1 is dead");
          const k = listed.get("K");
          assert.deepEqual(
            k?.blocked_by?.map((dep) => dep.id),
            ["p1", "p2", "p3"],
            "the completed c1 is not among them",
          );
          assert.equal(k && blockedReason(k, k.blocked_by), "waiting for 3 of 4 jobs (p1, p2, p3)");
          assert.deepEqual(listed.get("L")?.blocked_by, [{ id: "p2", state: "pending" }]);
          for (const id of ["c1", "d1", "f1", "p1"]) assert.equal(listed.get(id)?.blocked_by, undefined, id);

          const blocked = (await list(store, { state: "blocked" })).jobs;
          assert.deepEqual(ids(blocked), ["L", "K", "J"]);
          assert.deepEqual(blocked[2]?.blocked_by, j?.blocked_by, "the blocked list carries the same");
          const changed = await store.jobsUpdatedSince(0, 100);
          assert.deepEqual(
            changed.find((job) => job.id === "K")?.blocked_by?.map((dep) => dep.id),
            ["p1", "p2", "p3"],
            "so does the change feed",
          );
        }),
      );
    });
  });
}
