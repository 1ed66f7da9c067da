/** Store contract: named queues: the job field, settings, and claims limited, paused or filtered by queue. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClaimedJob } from "../../../src/core/types.js";
import { finished, LEASE, mustGet, newJob, storeCase, type MakeStore } from "./harness.js";

const ids = (claims: { job: { id: string } }[]) => claims.map((c) => c.job.id);

export function queuesCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("named queues", () => {
      it(
        "stores a job's queue (default: default) and lists jobs of one queue",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("plain", t),
            newJob("in-a", t, { queue: "a" }),
            newJob("in-b", t, { queue: "b" }),
          ]);
          assert.equal((await mustGet(store, "plain")).queue, "default");
          assert.equal((await mustGet(store, "in-a")).queue, "a");
          const page = await store.listJobs({ queue: "a", limit: 10 });
          assert.deepEqual(
            page.jobs.map((j) => [j.id, j.queue]),
            [["in-a", "a"]],
          );
          const claimed = await store.claimJobs("w1", 1, t, LEASE);
          assert.equal(claimed[0]?.job.queue, "default");
        }),
      );

      it(
        "lists every queue a job or a setting names, with settings, counts and running jobs",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("a1", t, { queue: "a" }), newJob("a2", t, { queue: "a" }), newJob("d1", t)]);
          await store.claimJobs("w1", 1, t, LEASE, ["a"]);
          assert.deepEqual(await store.setQueue("only-set", { concurrency: 3 }), {
            name: "only-set",
            paused: false,
            concurrency: 3,
          });
          // A change names only what it changes: pausing keeps the concurrency.
          assert.deepEqual(await store.setQueue("only-set", { paused: true }), {
            name: "only-set",
            paused: true,
            concurrency: 3,
          });
          const queues = await store.listQueues();
          assert.deepEqual(
            queues.map((q) => [q.name, q.paused, q.concurrency, q.running, q.counts.pending]),
            [
              ["a", false, null, 1, 1],
              ["default", false, null, 0, 1],
              ["only-set", true, 3, 0, 0],
            ],
          );
          await store.setQueue("only-set", { concurrency: null, paused: false });
          const cleared = (await store.listQueues()).find((q) => q.name === "only-set");
          assert.deepEqual([cleared?.paused, cleared?.concurrency], [false, null]);
        }),
      );

      it(
        "a worker serving some queues takes only theirs, in pick-up order across them",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("x-old", t - 5, { queue: "x", priority: 9 }),
            newJob("a-low", t, { queue: "a", priority: 2 }),
            newJob("b-high", t, { queue: "b", priority: 8 }),
            newJob("a-first", t - 1, { queue: "a" }),
            newJob("b-second", t, { queue: "b" }),
            newJob("a-third", t, { queue: "a" }),
          ]);
          assert.deepEqual(ids(await store.claimJobs("w1", 10, t, LEASE, ["a", "b"])), [
            "b-high",
            "a-first",
            "b-second",
            "a-third",
            "a-low",
          ]);
          assert.deepEqual(ids(await store.claimJobs("w1", 10, t, LEASE, ["nothing-here"])), []);
          assert.deepEqual(ids(await store.claimJobs("w1", 10, t, LEASE)), ["x-old"]);
        }),
      );

      it(
        "a paused queue gives no job and holds back no other; resumed, it gives them again",
        withStore(async (store) => {
          const t = Date.now();
          // The paused queue's jobs come first in pick-up order: the others must still be taken.
          const paused = Array.from({ length: 50 }, (_, i) =>
            newJob(`p${i}`, t - 100 + i, { queue: "slow", priority: 9 }),
          );
          await store.insertJobs([...paused, newJob("other", t), newJob("other2", t, { queue: "c" })]);
          await store.setQueue("slow", { paused: true });
          assert.deepEqual(ids(await store.claimJobs("w1", 3, t, LEASE)), ["other", "other2"]);
          assert.deepEqual(ids(await store.claimJobs("w1", 3, t, LEASE, ["slow"])), []);
          await store.setQueue("slow", { paused: false });
          assert.deepEqual(ids(await store.claimJobs("w1", 2, t, LEASE)), ["p0", "p1"]);
        }),
      );

      it(
        "a queue's concurrency caps its processing jobs across claims; other queues go on",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            ...Array.from({ length: 5 }, (_, i) => newJob(`l${i}`, t + i, { queue: "limited", priority: 9 })),
            newJob("free1", t + 10),
            newJob("free2", t + 11),
          ]);
          await store.setQueue("limited", { concurrency: 2 });
          const first = await store.claimJobs("w1", 10, t + 20, LEASE);
          assert.deepEqual(ids(first), ["l0", "l1", "free1", "free2"]);
          assert.deepEqual(ids(await store.claimJobs("w2", 10, t + 20, LEASE)), []);
          // One limited job ends: exactly one more may start, also through finishAndClaim.
          const l0 = first.find((c) => c.job.id === "l0");
          assert.ok(l0);
          const again = await store.finishAndClaim([finished(l0, { state: "completed" })], {
            workerId: "w1",
            limit: 5,
            now: t + 30,
            leaseMs: LEASE,
          });
          assert.deepEqual(again.refused, []);
          assert.deepEqual(ids(again.claimed), ["l2"]);
          // Raised, the limit lets more start at once; removed, all of them.
          await store.setQueue("limited", { concurrency: 3 });
          assert.deepEqual(ids(await store.claimJobs("w2", 10, t + 40, LEASE)), ["l3"]);
          await store.setQueue("limited", { concurrency: null });
          assert.deepEqual(ids(await store.claimJobs("w2", 10, t + 40, LEASE)), ["l4"]);
        }),
      );

      it(
        "claimers racing on two connections never exceed a queue's concurrency",
        withStore(async (store, handle) => {
          const t = Date.now();
          const other = await handle.reopen();
          try {
            await store.insertJobs(Array.from({ length: 40 }, (_, i) => newJob(`r${i}`, t + i, { queue: "one" })));
            await store.setQueue("one", { concurrency: 3 });
            const stores = [store, other];
            const claims = await Promise.all(
              Array.from({ length: 12 }, (_, i) => stores[i % 2]?.claimJobs(`w${i}`, 4, t + 100, LEASE) ?? []),
            );
            assert.equal(claims.flat().length, 3);
            const queues = await store.listQueues();
            assert.equal(queues.find((q) => q.name === "one")?.running, 3);
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "finishes and claims racing on two connections never exceed a limit of 1",
        withStore(async (store, handle) => {
          const t = Date.now();
          const other = await handle.reopen();
          try {
            const ones = Array.from({ length: 20 }, (_, i) => newJob(`one${i}`, t + i, { queue: "one", priority: 9 }));
            const free = Array.from({ length: 200 }, (_, i) => newJob(`free${i}`, t + i, { queue: "free" }));
            await store.insertJobs([...ones, ...free]);
            await store.setQueue("one", { concurrency: 1 });
            const stores = [store, other];
            const workers = Array.from({ length: 6 }, (_, i) => `w${i}`);
            // Each worker holds runs of the unlimited queue, so its claims go with a finish.
            const held = new Map<string, ClaimedJob[]>();
            for (const w of workers) held.set(w, await store.claimJobs(w, 2, t + 50, LEASE, ["free"]));
            for (let round = 0; round < 8; round++) {
              // The one slot is free at the start of each round: every worker wants its job at once.
              const holding = workers.flatMap((w) => (held.get(w) ?? []).filter((c) => c.job.queue === "one"));
              await store.finishRuns(holding.map((c) => finished(c, { state: "completed" })));
              const results = await Promise.all(
                workers.map((w, i) => {
                  const runs = (held.get(w) ?? []).filter((c) => c.job.queue !== "one");
                  return (stores[i % 2] ?? store).finishAndClaim(
                    runs.map((c) => finished(c, { state: "completed" })),
                    { workerId: w, limit: 3, now: t + 100 + round, leaseMs: LEASE, queues: ["one", "free"] },
                  );
                }),
              );
              workers.forEach((w, i) => held.set(w, results[i]?.claimed ?? []));
              const claimedOnes = results.flatMap((r) => r.claimed).filter((c) => c.job.queue === "one");
              assert.equal(claimedOnes.length, 1, `round ${round}: ${ids(claimedOnes).join(", ")}`);
              const running = (await store.listQueues()).find((q) => q.name === "one")?.running;
              assert.equal(running, 1, `round ${round}`);
            }
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "a limited queue's running jobs stay counted exactly through every way a run starts or ends",
        withStore(async (store, handle) => {
          const t = Date.now();
          await store.insertJobs(Array.from({ length: 60 }, (_, i) => newJob(`q${i}`, t - 100 + i, { queue: "q" })));
          await store.setQueue("q", { concurrency: 3 });
          let now = t;
          // A claim asking for more than any limit: it gets exactly the free slots, so a count that
          // drifted either way shows here.
          const take = async (expected: number, step: string, worker = "w1", leaseMs = LEASE, queues = ["q"]) => {
            now += 10;
            const got = await store.claimJobs(worker, 10, now, leaseMs, queues);
            assert.equal(got.length, expected, step);
            return got;
          };
          const end = (runs: ClaimedJob[], next: Parameters<typeof finished>[1] = { state: "completed" }) =>
            store.finishRuns(runs.map((run) => finished(run, next)));
          const [a, b, c] = await take(3, "claim up to the limit");
          assert.ok(a && b && c);
          await take(0, "full");
          await end([a]);
          const [d] = await take(1, "a completed run frees one slot");
          await end([b], { state: "failed", run_at: now });
          const [e] = await take(1, "a failed run (to be retried) frees one");
          await end([c], { state: "requeue" });
          await take(1, "a requeued run frees one");
          assert.ok(d && e);
          const both = await store.finishAndClaim([finished(d, { state: "dead" })], {
            workerId: "w1",
            limit: 10,
            now: (now += 10),
            leaseMs: LEASE,
            queues: ["q"],
          });
          assert.equal(both.claimed.length, 1, "finish and claim in one: the run ended frees one slot");
          // Running now: e, the requeued slot's job, and the one just claimed. A worker is lost.
          await end([e]);
          const lost = await take(1, "claimed by a worker about to be lost", "lost");
          await store.reap({ now: (now += 10), deadWorkerIds: ["lost"], staleBefore: 0 });
          assert.notEqual((await mustGet(store, lost[0]?.job.id ?? "")).state, "processing", "recovered");
          const expiring = await take(1, "claimed under a short lease", "late", 5);
          await store.reap({ now: now + 1000, deadWorkerIds: [], staleBefore: 0 });
          assert.notEqual((await mustGet(store, expiring[0]?.job.id ?? "")).state, "processing", "lease expired");
          const [cancelled] = await take(1, "a lost lease frees its slot");
          assert.ok(cancelled);
          assert.equal(
            (await store.cancelJob(cancelled.job.id, { signal: "SIGTERM", grace_ms: 100 }, now)).done,
            "requested",
          );
          await take(0, "a run asked to cancel still runs");
          await end([cancelled], { state: "failed", run_at: now });
          assert.equal((await mustGet(store, cancelled.job.id)).state, "cancelled");
          const last = await take(1, "the cancelled run freed its slot");
          // The limit raised, lowered, removed and set again while jobs run.
          await store.setQueue("q", { concurrency: 5 });
          await take(2, "raised to 5");
          await store.setQueue("q", { concurrency: 2 });
          await take(0, "lowered below the running jobs");
          const running = (await store.listJobs({ state: "processing", limit: 100 })).jobs;
          assert.equal(running.length, 5);
          await store.setQueue("q", { concurrency: null });
          const unlimited = await take(10, "no limit");
          await store.setQueue("q", { concurrency: 20 });
          await take(5, "a limit set again counts the jobs that ran meanwhile");
          // A store whose last claim found nothing restricted finishes through the plain statement.
          const other = await handle.reopen();
          try {
            const freed = await other.finishAndClaim(
              [...last, ...unlimited.slice(0, 2)].map((run) => finished(run, { state: "completed" })),
              { workerId: "w2", limit: 10, now: (now += 10), leaseMs: LEASE },
            );
            assert.deepEqual(freed.refused, []);
            assert.equal(freed.claimed.length, 3, "the plain finish frees its slots too");
          } finally {
            await other.close();
          }
          await take(0, "full again", "w1", LEASE, ["q", "other"]);
          assert.equal((await store.listJobs({ state: "processing", limit: 100 })).jobs.length, 20);
        }),
      );

      it(
        "records the queues a worker serves",
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "wq", host: "h", pid: 1, slots: 2, started_at: t, queues: ["a", "b"] });
          await store.registerWorker({ id: "wall", host: "h", pid: 2, slots: 2, started_at: t });
          const workers = await store.listWorkers();
          assert.deepEqual(
            workers.map((w) => [w.id, w.queues]),
            [
              ["wall", null],
              ["wq", ["a", "b"]],
            ],
          );
        }),
      );
    });
  });
}
