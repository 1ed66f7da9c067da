/** Store contract: Inserting jobs and reading them back. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Job } from "../../../src/core/types.js";
import { newJob, mustGet, rejectsWith, type MakeStore, storeCase } from "./harness.js";

export function insertCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("insertJobs / getJob", () => {
      it(
        "stores every field and starts pending with no history",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("a", t, {
              command: "printf 'héllo ✓' && exit 3",
              priority: 9,
              max_retries: 0,
              timeout: 2.5,
              run_at: t + 5000,
            }),
          ]);
          const job = await mustGet(store, "a");
          assert.equal(job.command, "printf 'héllo ✓' && exit 3");
          assert.equal(job.state, "pending");
          assert.equal(job.priority, 9);
          assert.equal(job.attempts, 0);
          assert.equal(job.max_retries, 0);
          assert.equal(job.timeout, 2.5);
          assert.equal(job.run_at, t + 5000);
          assert.equal(job.created_at, t);
          assert.equal(job.updated_at, t);
          assert.equal(typeof job.seq, "number");
          for (const key of [
            "started_at",
            "finished_at",
            "exit_code",
            "duration_ms",
            "last_error",
            "worker_id",
            "lease_until",
          ] as const) {
            assert.equal(job[key], null, key);
          }
          assert.equal(await store.getJob("nope"), null);
          assert.deepEqual(await store.listAttempts("a"), []);
          assert.deepEqual(await store.listAttempts("nope"), []);
        }),
      );

      it(
        "keeps cwd and env as given (null when absent) in getJob, listJobs, the change feed and claims",
        withStore(async (store) => {
          const t = Date.now();
          const env = { GREETING: "hello world", EMPTY: "", UNICODE: "naïve ✓ 'q' \"d\" $x", _9: "=a=b" };
          await store.insertJobs([
            newJob("with", t, { cwd: "/srv/app dir/ünï", env }),
            newJob("without", t + 1),
            newJob("nulls", t + 2, { cwd: null, env: null }),
          ]);
          const check = (job: Pick<Job, "id" | "cwd" | "env">, where: string) => {
            if (job.id === "with") {
              assert.equal(job.cwd, "/srv/app dir/ünï", where);
              assert.deepEqual(job.env, env, where);
            } else {
              assert.equal(job.cwd, null, `${job.id} ${where}`);
              assert.equal(job.env, null, `${job.id} ${where}`);
            }
          };
          for (const id of ["with", "without", "nulls"]) check(await mustGet(store, id), "getJob");
          for (const job of (await store.listJobs({ limit: 10 })).jobs) check(job, "listJobs");
          for (const job of await store.jobsUpdatedSince(0, 10)) check(job, "jobsUpdatedSince");
          const claimed = await store.claimJobs("w-env", 3, t + 10, 60_000);
          assert.equal(claimed.length, 3);
          for (const { job } of claimed) check(job, "claimJobs");
        }),
      );

      it(
        "gives increasing seq in batch order",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs(["s1", "s2", "s3"].map((id) => newJob(id, t)));
          await store.insertJobs([newJob("s4", t)]);
          const seqs = await Promise.all(["s1", "s2", "s3", "s4"].map(async (id) => (await mustGet(store, id)).seq));
          for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seq ${seqs.join(",")}`);
        }),
      );

      it(
        "rejects a duplicate of an existing id with conflict, naming it, and writes nothing",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("dup-1", t)]);
          await rejectsWith(
            store.insertJobs([newJob("fresh-1", t), newJob("dup-1", t), newJob("fresh-2", t)]),
            "conflict",
            "dup-1",
          );
          assert.equal(await store.getJob("fresh-1"), null);
          assert.equal(await store.getJob("fresh-2"), null);
          assert.equal((await store.countJobs()).pending, 1);
        }),
      );

      it(
        "rejects a duplicate within one batch with conflict and writes nothing",
        withStore(async (store) => {
          const t = Date.now();
          await rejectsWith(
            store.insertJobs([newJob("x1", t), newJob("twice", t), newJob("twice", t)]),
            "conflict",
            "twice",
          );
          assert.equal(await store.getJob("x1"), null);
          assert.equal((await store.countJobs()).pending, 0);
        }),
      );

      it(
        "inserts a large batch",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs(Array.from({ length: 5000 }, (_, i) => newJob(`big-${i}`, t)));
          assert.equal((await store.countJobs()).pending, 5000);
        }),
      );
    });
  });
}
