/** Store contract: Listing, counting and watching jobs, and the next due time. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newJob, finished, claimOne, type MakeStore, storeCase } from "./harness.js";

export function listingCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("jobIdsByPrefix", () => {
      it(
        "ids starting with a literal prefix (case, _ and % included), ascending, at most limit",
        withStore(async (store) => {
          const t = Date.now();
          const ids = ["ab-2", "ab-1", "abc", "Ab-3", "a_1", "a%1", "ax", "b", "é-1", "é-2", "\u{10FFFF}x"];
          await store.insertJobs(ids.map((id) => newJob(id, t)));
          assert.deepEqual(await store.jobIdsByPrefix("ab", 10), ["ab-1", "ab-2", "abc"]);
          assert.deepEqual(await store.jobIdsByPrefix("ab", 2), ["ab-1", "ab-2"]);
          assert.deepEqual(await store.jobIdsByPrefix("a_", 10), ["a_1"]);
          assert.deepEqual(await store.jobIdsByPrefix("a%", 10), ["a%1"]);
          assert.deepEqual(await store.jobIdsByPrefix("é", 10), ["é-1", "é-2"]);
          assert.deepEqual(await store.jobIdsByPrefix("\u{10FFFF}", 10), ["\u{10FFFF}x"]);
          assert.deepEqual(await store.jobIdsByPrefix("zz", 10), []);
          assert.equal((await store.jobIdsByPrefix("", 100)).length, ids.length);
        }),
      );
    });

    describe("listJobs / countJobs / jobsUpdatedSince / nextRunAt", () => {
      it(
        "lists newest first, filters by state and by a literal substring of id or command",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("alpha", t, { command: "make build" }),
            newJob("beta", t, { command: "echo 100%" }),
            newJob("gamma", t, { command: "make test" }),
            newJob("delta_x", t, { command: "true" }),
          ]);
          await claimOne(store, "w1", t); // alpha (oldest, same priority) → processing
          const all = await store.listJobs({ limit: 10 });
          assert.deepEqual(
            all.jobs.map((j) => j.id),
            ["delta_x", "gamma", "beta", "alpha"],
          );
          assert.equal(all.next_cursor, null);
          assert.deepEqual(
            (await store.listJobs({ limit: 10, state: "processing" })).jobs.map((j) => j.id),
            ["alpha"],
          );
          assert.deepEqual(
            (await store.listJobs({ limit: 10, state: "pending" })).jobs.map((j) => j.id),
            ["delta_x", "gamma", "beta"],
          );
          assert.deepEqual((await store.listJobs({ limit: 10, state: "dead" })).jobs, []);
          assert.deepEqual(
            (await store.listJobs({ limit: 10, q: "make" })).jobs.map((j) => j.id),
            ["gamma", "alpha"],
          );
          assert.deepEqual(
            (await store.listJobs({ limit: 10, q: "amm" })).jobs.map((j) => j.id),
            ["gamma"],
          );
          assert.deepEqual(
            (await store.listJobs({ limit: 10, q: "make", state: "pending" })).jobs.map((j) => j.id),
            ["gamma"],
          );
          // Wildcards of LIKE are plain characters here.
          assert.deepEqual(
            (await store.listJobs({ limit: 10, q: "%" })).jobs.map((j) => j.id),
            ["beta"],
          );
          assert.deepEqual(
            (await store.listJobs({ limit: 10, q: "_" })).jobs.map((j) => j.id),
            ["delta_x"],
          );
          assert.deepEqual((await store.listJobs({ limit: 10, q: "zzz" })).jobs, []);
        }),
      );

      it(
        "paginates with a cursor without gaps or duplicates, even while jobs are added",
        withStore(async (store) => {
          const t = Date.now();
          const ids = Array.from({ length: 47 }, (_, i) => `p-${String(i).padStart(2, "0")}`);
          await store.insertJobs(ids.map((id) => newJob(id, t)));
          const seen: string[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 20; page++) {
            const result = await store.listJobs({ limit: 10, ...(cursor !== undefined ? { cursor } : {}) });
            assert.ok(result.jobs.length <= 10);
            seen.push(...result.jobs.map((j) => j.id));
            // Jobs added between pages are newer: they must not shift the pages still to come.
            if (page === 1) await store.insertJobs([newJob(`late-${page}`, t + 1)]);
            if (result.next_cursor === null) break;
            cursor = result.next_cursor;
          }
          assert.deepEqual(seen, [...ids].reverse());
          // A filtered listing paginates the same way.
          const firstPage = await store.listJobs({ limit: 5, q: "p-1" });
          assert.deepEqual(
            firstPage.jobs.map((j) => j.id),
            ["p-19", "p-18", "p-17", "p-16", "p-15"],
          );
          assert.ok(firstPage.next_cursor !== null);
          const second = await store.listJobs({ limit: 5, q: "p-1", cursor: firstPage.next_cursor });
          assert.deepEqual(
            second.jobs.map((j) => j.id),
            ["p-14", "p-13", "p-12", "p-11", "p-10"],
          );
        }),
      );

      it(
        "counts every state, zeros included",
        withStore(async (store) => {
          assert.deepEqual(await store.countJobs(), {
            pending: 0,
            processing: 0,
            completed: 0,
            failed: 0,
            dead: 0,
            cancelled: 0,
          });
          const t = Date.now();
          await store.insertJobs(["c1", "c2", "c3", "c4", "c5"].map((id) => newJob(id, t, { max_retries: 1 })));
          const a = await claimOne(store, "w1", t);
          const b = await claimOne(store, "w1", t);
          const c = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(a, { state: "completed" }),
            finished(b, { state: "failed", run_at: t + 60_000 }),
          ]);
          assert.deepEqual(await store.countJobs(), {
            pending: 2,
            processing: 1,
            completed: 1,
            failed: 1,
            dead: 0,
            cancelled: 0,
          });
          await store.finishRuns([finished(c, { state: "dead" })]);
          assert.deepEqual(await store.countJobs(), {
            pending: 2,
            processing: 0,
            completed: 1,
            failed: 1,
            dead: 1,
            cancelled: 0,
          });
        }),
      );

      it(
        "returns jobs updated after a time, oldest change first, limited",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("u1", t - 300), newJob("u2", t - 200), newJob("u3", t - 100)]);
          assert.deepEqual(
            (await store.jobsUpdatedSince(t - 250, 10)).map((j) => j.id),
            ["u2", "u3"],
          );
          assert.deepEqual(
            (await store.jobsUpdatedSince(t - 200, 10)).map((j) => j.id),
            ["u3"],
            "strictly after",
          );
          assert.deepEqual(
            (await store.jobsUpdatedSince(0, 2)).map((j) => j.id),
            ["u1", "u2"],
          );
          // A claim is a change: u1 moves to the end.
          const claimed = await claimOne(store, "w1", t);
          assert.equal(claimed.job.id, "u1");
          assert.equal(claimed.job.updated_at, t);
          assert.deepEqual(
            (await store.jobsUpdatedSince(t - 250, 10)).map((j) => j.id),
            ["u2", "u3", "u1"],
          );
        }),
      );

      it(
        "gives the earliest run_at of pending and failed jobs, or null",
        withStore(async (store) => {
          assert.equal(await store.nextRunAt(), null);
          const t = Date.now();
          await store.insertJobs([newJob("n1", t - 50), newJob("n2", t + 5000, { run_at: t + 5000 })]);
          assert.equal(await store.nextRunAt(), t - 50);
          const claimed = await claimOne(store, "w1", t);
          assert.equal(claimed.job.id, "n1");
          assert.equal(await store.nextRunAt(), t + 5000, "processing jobs do not count");
          await store.finishRuns([finished(claimed, { state: "failed", run_at: t + 2000 })]);
          assert.equal(await store.nextRunAt(), t + 2000, "failed jobs waiting for a retry count");
        }),
      );
    });
  });
}
