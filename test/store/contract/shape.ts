/**
 * Contract cases where the two engines used to differ: each pins one definition (core/metrics.ts,
 * core/rescue.ts, core/listing.ts, the shared refusals) that both must follow to the letter.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueueError } from "../../../src/core/errors.js";
import { rescue } from "../../../src/core/rescue.js";
import type { Store } from "../../../src/core/store.js";
import type { Job } from "../../../src/core/types.js";
import { claimOne, finished, mustGet, newJob, storeCase, type MakeStore } from "./harness.js";

/** Exactly the fields of a Job: nothing of the engine's own columns (last_attempt, queue) shows. */
const JOB_KEYS = [
  "after",
  "attempts",
  "cancel_grace_ms",
  "cancel_signal",
  "command",
  "created_at",
  "cwd",
  "duration_ms",
  "env",
  "exit_code",
  "finished_at",
  "id",
  "key",
  "last_error",
  "lease_until",
  "max_retries",
  "no_retry_exit_codes",
  "own_run_at",
  "priority",
  "queue",
  "run_at",
  "schedule",
  "seq",
  "started_at",
  "state",
  "timeout",
  "updated_at",
  "waiting_on",
  "worker_id",
] satisfies (keyof Job)[] as string[];

const keys = (job: object) => Object.keys(job).sort();

async function refusedWith(promise: Promise<unknown>, kind: QueueError["kind"], message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof QueueError, `expected a QueueError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.equal(error.message, message);
    return true;
  });
}

export function shapeCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  /** Runs one job `id` to completion: claimed at `end - duration`, finished at `end`. */
  const complete = async (store: Store, id: string, end: number, duration: number) => {
    await store.insertJobs([newJob(id, end - duration - 10)]);
    const claimed = await claimOne(store, "w1", end - duration);
    assert.equal(claimed.job.id, id);
    await store.finishRuns([finished(claimed, { state: "completed" }, { finished_at: end, duration_ms: duration })]);
  };

  describe(`Store contract, one shape: ${engineName}`, () => {
    it(
      "percentiles are nearest rank, also on an even number of runs",
      withStore(async (store) => {
        const now = Date.now();
        for (const [i, duration] of [30, 10, 40, 20].entries())
          await complete(store, `d${i}`, now - 1000 + i, duration);
        const m = await store.metrics(now);
        assert.deepEqual(m.duration_ms, { avg: 25, p50: 20, p95: 40 });
      }),
    );

    it(
      "counts neither an interrupted run nor one finished after now; a window is (now - length, now]",
      withStore(async (store) => {
        const now = Date.now();
        await complete(store, "edge", now - 60_000, 10);
        await complete(store, "inside", now, 10);
        await complete(store, "later", now + 5, 10);
        await store.insertJobs([newJob("stopped", now - 500)]);
        const claimed = await claimOne(store, "w1", now - 400);
        await store.finishRuns([finished(claimed, { state: "requeue" }, { finished_at: now - 300, duration_ms: 100 })]);
        const m = await store.metrics(now);
        assert.equal(m.attempts_total, 3, "edge, inside, later: the interrupted run is neither success nor failure");
        assert.equal(m.attempts_failed, 0);
        assert.equal(m.throughput.last_minute, 1, "only inside: edge is a minute old, later is not yet");
        const points = await store.throughput(now, 60_000, 2);
        assert.deepEqual(
          points.map((p) => [p.at - now, p.completed, p.failed]),
          [
            [-120_000, 0, 0],
            [-60_000, 2, 0],
          ],
          "edge opens the last bucket, inside closes it, later is outside",
        );
      }),
    );

    it(
      "orders runs by duration, then finish: fastest is the first, slowest the last",
      withStore(async (store) => {
        const now = Date.now();
        await store.insertJobs([newJob("first-claimed", now - 1000), newJob("second-claimed", now - 999)]);
        const a = await claimOne(store, "w1", now - 900);
        const b = await claimOne(store, "w1", now - 900);
        assert.equal(a.job.id, "first-claimed");
        const done = (c: typeof a, end: number) =>
          store.finishRuns([finished(c, { state: "completed" }, { finished_at: end, duration_ms: 50 })]);
        await done(b, now - 500);
        await done(a, now - 400);
        const m = await store.metrics(now);
        assert.deepEqual(m.fastest, { job_id: "second-claimed", duration_ms: 50 });
        assert.deepEqual(m.slowest, { job_id: "first-claimed", duration_ms: 50 });
      }),
    );

    it(
      "refuses a cursor it did not make, 1e3 included, with one message",
      withStore(async (store) => {
        const t = Date.now();
        await store.insertJobs(Array.from({ length: 3 }, (_, i) => newJob(`c${i}`, t + i)));
        for (const cursor of ["1e3", "0x10", " 2", "-1", "2.0", "", "99999999999999999999"]) {
          await refusedWith(
            store.listJobs({ limit: 2, cursor }),
            "invalid",
            `cursor: "${cursor}" is not a cursor returned by a previous page`,
          );
        }
        const page = await store.listJobs({ limit: 2 });
        assert.ok(page.next_cursor !== null);
        assert.deepEqual(
          (await store.listJobs({ limit: 2, cursor: page.next_cursor })).jobs.map((j) => j.id),
          ["c0"],
        );
      }),
    );

    it(
      "records a lost run with the words core/rescue.ts chose, for a lost lease and a dead worker",
      withStore(async (store) => {
        const t = Date.now();
        await store.insertJobs([newJob("by-lease", t), newJob("by-death", t + 1, { run_at: t, max_retries: 0 })]);
        await claimOne(store, "w1", t, 100);
        await claimOne(store, "w2", t, 60_000);
        assert.deepEqual(await store.reap({ now: t + 500, deadWorkerIds: ["w2"], staleBefore: 0 }), [
          "by-death",
          "by-lease",
        ]);
        const cases = [
          ["by-lease", rescue({ attempts: 1, max_retries: 3, worker_id: "w1" }, "lease_expired", t + 500)],
          ["by-death", rescue({ attempts: 1, max_retries: 0, worker_id: "w2" }, "worker_gone", t + 500)],
        ] as const;
        for (const [id, decided] of cases) {
          const job = await mustGet(store, id);
          assert.equal(job.state, decided.next.state, id);
          assert.equal(job.last_error, decided.error, id);
          assert.equal((await store.listAttempts(id))[0]?.error, decided.error, id);
        }
        assert.equal((await mustGet(store, "by-lease")).run_at, t + 500, "due at once");
      }),
    );

    it(
      "shows no column of its own in any job it returns",
      withStore(async (store) => {
        const t = Date.now();
        await store.insertJobs([newJob("k1", t, { max_retries: 0 }), newJob("k2", t + 1)]);
        assert.deepEqual(keys(await mustGet(store, "k1")), JOB_KEYS, "getJob");
        const claimed = await claimOne(store, "w1", t + 2);
        assert.deepEqual(keys(claimed.job), JOB_KEYS, "claimJobs");
        const next = await store.finishAndClaim([finished(claimed, { state: "dead" })], {
          workerId: "w1",
          limit: 1,
          now: t + 3,
          leaseMs: 10_000,
        });
        assert.deepEqual(keys(next.claimed[0]?.job ?? {}), JOB_KEYS, "finishAndClaim");
        assert.deepEqual(keys(await store.retryDead("k1", t + 4)), JOB_KEYS, "retryDead");
        const listed = [...JOB_KEYS, "command_truncated"].sort();
        for (const job of (await store.listJobs({ limit: 5 })).jobs) assert.deepEqual(keys(job), listed, "listJobs");
        for (const job of await store.jobsUpdatedSince(0, 5)) assert.deepEqual(keys(job), listed, "jobsUpdatedSince");
      }),
    );

    it(
      "refuses a duplicate id and a retry of a job that is not dead in the same words",
      withStore(async (store) => {
        const t = Date.now();
        await store.insertJobs([newJob("here", t)]);
        await refusedWith(
          store.insertJobs([newJob("new", t), newJob("here", t)]),
          "conflict",
          `duplicate id "here": a job with this id already exists`,
        );
        assert.equal(await store.getJob("new"), null, "all or none");
        await refusedWith(
          store.retryDead("here", t),
          "conflict",
          "job here is pending, not dead: only dead jobs can be retried",
        );
        await refusedWith(store.retryDead("nowhere", t), "not_found", "job not found: nowhere");
      }),
    );

    it(
      "lets a worker register again under its id, afresh, and lists its jobs by id",
      withStore(async (store) => {
        const t = Date.now();
        const worker = { id: "w1", host: "h", pid: 1, slots: 2, started_at: t };
        await store.registerWorker(worker);
        assert.equal(await store.requestStop("drain", "w1"), 1);
        await store.registerWorker({ ...worker, pid: 2, started_at: t + 1 });
        await store.insertJobs([newJob("b", t), newJob("a", t + 1, { run_at: t })]);
        await store.claimJobs("w1", 2, t + 2, 10_000);
        const [listed, ...others] = await store.listWorkers();
        assert.equal(others.length, 0);
        assert.deepEqual(
          { pid: listed?.pid, stop: listed?.stop_requested, running: listed?.running },
          { pid: 2, stop: null, running: ["a", "b"] },
        );
        assert.equal(await store.requestStop("now"), 1);
        assert.equal(await store.requestStop("drain"), 1, "a drain asks again, without weakening the now");
        assert.equal((await store.listWorkers())[0]?.stop_requested, "now");
      }),
    );
  });
}
