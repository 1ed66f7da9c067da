/**
 * The Store contract suite: every method and semantic documented in src/core/store.ts, run
 * against each engine (sqlite.contract.test.ts, postgres.contract.test.ts). An engine passes by
 * behaving as documented; the suite never looks at SQL or files.
 *
 * Times are epoch ms near the real clock (an engine may use Date.now() where the contract says
 * "now" without passing it), and every case gets a fresh, empty store.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueueError } from "../../src/core/errors.js";
import type { AttemptOutput, ClaimedJob, Job, NewJob, RunResult } from "../../src/core/types.js";
import type { FinishedRun, NextState, RunRef, Store } from "../../src/core/store.js";
import { waitFor } from "../helpers/env.js";

export interface StoreHandle {
  store: Store;
  /** Closes `store` (and anything else the factory opened) and deletes the database. */
  cleanup: () => Promise<void>;
  /** Opens a second, independent instance (own connection) on the same database. The caller closes it. */
  reopen: () => Promise<Store>;
}

export type MakeStore = () => Promise<StoreHandle>;

const LEASE = 10_000;

function newJob(id: string, at: number, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id,
    command: `echo ${id}`,
    priority: 5,
    max_retries: 3,
    timeout: null,
    run_at: at,
    created_at: at,
    ...overrides,
  };
}

const output = (text: string | Buffer, truncated = false): AttemptOutput => {
  const data = typeof text === "string" ? Buffer.from(text) : text;
  return { data, total_bytes: data.length, truncated };
};

function finished(claimed: ClaimedJob, next: NextState, overrides: Partial<RunResult> = {}): FinishedRun {
  const duration = overrides.duration_ms ?? 50;
  const ok = next.state === "completed";
  return {
    job_id: claimed.job.id,
    attempt: claimed.attempt,
    worker_id: claimed.job.worker_id ?? "w1",
    outcome: ok ? "completed" : next.state === "requeue" ? "interrupted" : "failed",
    finished_at: (claimed.job.started_at ?? 0) + duration,
    duration_ms: duration,
    exit_code: ok ? 0 : next.state === "requeue" ? null : 1,
    signal: next.state === "requeue" ? "SIGTERM" : null,
    error: ok ? null : next.state === "requeue" ? "interrupted by worker stop --now" : "exit code 1",
    stdout: output(`out ${claimed.job.id}`),
    stderr: output(""),
    next,
    ...overrides,
  };
}

async function claimOne(store: Store, worker: string, now: number, leaseMs = LEASE): Promise<ClaimedJob> {
  const [claimed, ...rest] = await store.claimJobs(worker, 1, now, leaseMs);
  assert.ok(claimed, `expected a job to claim at ${now}`);
  assert.equal(rest.length, 0);
  return claimed;
}

/** A heartbeat whose clock reads `now`: the new leases end at now + leaseMs. */
function beat(store: Store, workerId: string, now: number, leaseMs = 1000, held: RunRef[] = []) {
  return store.heartbeat({ workerId, held, leaseMs, clock: () => now });
}

async function mustGet(store: Store, id: string): Promise<Job> {
  const job = await store.getJob(id);
  assert.ok(job, `job ${id} should exist`);
  return job;
}

async function rejectsWith(promise: Promise<unknown>, kind: QueueError["kind"], mentions?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof QueueError, `expected a QueueError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of "${error.message}"`);
    if (mentions !== undefined)
      assert.ok(error.message.includes(mentions), `"${error.message}" should name ${mentions}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

export function storeContract(engineName: string, makeStore: MakeStore): void {
  /** Runs `body` with a fresh store and always cleans up. */
  const withStore = (body: (store: Store, handle: StoreHandle) => Promise<void>) => async () => {
    const handle = await makeStore();
    try {
      await body(handle.store, handle);
    } finally {
      await handle.cleanup();
    }
  };

  describe(`Store contract: ${engineName}`, () => {
    describe("migrate", () => {
      it(
        "is idempotent and safe from two instances at once",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            await Promise.all([store.migrate(), other.migrate(), store.migrate()]);
            await store.insertJobs([newJob("m1", Date.now())]);
            assert.equal((await other.getJob("m1"))?.id, "m1");
          } finally {
            await other.close();
          }
        }),
      );
    });

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
          assert.deepEqual(await store.countJobs(), { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0 });
          const t = Date.now();
          await store.insertJobs(["c1", "c2", "c3", "c4", "c5"].map((id) => newJob(id, t, { max_retries: 1 })));
          const a = await claimOne(store, "w1", t);
          const b = await claimOne(store, "w1", t);
          const c = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(a, { state: "completed" }),
            finished(b, { state: "failed", run_at: t + 60_000 }),
          ]);
          assert.deepEqual(await store.countJobs(), { pending: 2, processing: 1, completed: 1, failed: 1, dead: 0 });
          await store.finishRuns([finished(c, { state: "dead" })]);
          assert.deepEqual(await store.countJobs(), { pending: 2, processing: 0, completed: 1, failed: 1, dead: 1 });
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

    describe("claimJobs", () => {
      it(
        "takes ready jobs by priority desc, then created_at, then insertion order within one ms",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("late-p5", t + 2, { run_at: t })]);
          await store.insertJobs(
            [
              newJob("p5-a", t),
              newJob("p1", t),
              newJob("p5-b", t),
              newJob("p10", t + 1, { run_at: t }),
              newJob("p5-c", t),
            ].map((j) => (j.id === "p1" ? { ...j, priority: 1 } : j.id === "p10" ? { ...j, priority: 10 } : j)),
          );
          await store.insertJobs([newJob("early-p5", t - 1)]);
          const order: string[] = [];
          for (let i = 0; i < 7; i++) order.push((await claimOne(store, "w1", t + 10)).job.id);
          assert.deepEqual(order, ["p10", "early-p5", "p5-a", "p5-b", "p5-c", "late-p5", "p1"]);
          assert.deepEqual(await store.claimJobs("w1", 5, t + 10, LEASE), []);
        }),
      );

      it(
        "returns a batch in pick-up order and no more than asked",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("b1", t, { priority: 1 }),
            newJob("b2", t),
            newJob("b3", t, { priority: 8 }),
            newJob("b4", t),
          ]);
          const batch = await store.claimJobs("w1", 3, t, LEASE);
          assert.deepEqual(
            batch.map((c) => c.job.id),
            ["b3", "b2", "b4"],
          );
          const rest = await store.claimJobs("w1", 10, t, LEASE);
          assert.deepEqual(
            rest.map((c) => c.job.id),
            ["b1"],
          );
        }),
      );

      it(
        "skips jobs whose run_at is in the future and takes them once due",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("future", t, { run_at: t + 1000, priority: 10 }), newJob("now", t)]);
          assert.deepEqual(
            (await store.claimJobs("w1", 10, t, LEASE)).map((c) => c.job.id),
            ["now"],
          );
          assert.deepEqual(await store.claimJobs("w1", 10, t + 999, LEASE), []);
          assert.deepEqual(
            (await store.claimJobs("w1", 10, t + 1000, LEASE)).map((c) => c.job.id),
            ["future"],
          );
        }),
      );

      it(
        "marks the job processing and opens a running attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("j", t - 1000)]);
          const claimed = await claimOne(store, "worker-a", t, 7000);
          assert.equal(claimed.attempt, 1);
          for (const job of [claimed.job, await mustGet(store, "j")]) {
            assert.equal(job.state, "processing");
            assert.equal(job.worker_id, "worker-a");
            assert.equal(job.attempts, 1);
            assert.equal(job.started_at, t);
            assert.equal(job.lease_until, t + 7000);
            assert.equal(job.finished_at, null);
            assert.equal(job.exit_code, null);
            assert.equal(job.duration_ms, null);
          }
          const [attempt, ...more] = await store.listAttempts("j");
          assert.equal(more.length, 0);
          assert.equal(attempt?.number, 1);
          assert.equal(attempt?.outcome, "running");
          assert.equal(attempt?.worker_id, "worker-a");
          assert.equal(attempt?.started_at, t);
          assert.equal(attempt?.finished_at, null);
          assert.equal(await store.getOutput("j", 1, "stdout").then((o) => o?.total_bytes), 0);
        }),
      );

      it(
        "clears the previous run's result when a failed job is claimed again",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("again", t)]);
          const first = await claimOne(store, "w1", t);
          await store.finishRuns([finished(first, { state: "failed", run_at: t + 100 })]);
          const failed = await mustGet(store, "again");
          assert.equal(failed.exit_code, 1);
          assert.notEqual(failed.finished_at, null);
          const second = await claimOne(store, "w2", t + 100);
          assert.equal(second.attempt, 2);
          assert.equal(second.job.attempts, 2);
          assert.equal(second.job.worker_id, "w2");
          assert.equal(second.job.finished_at, null);
          assert.equal(second.job.exit_code, null);
          assert.equal(second.job.duration_ms, null);
        }),
      );

      it(
        "never hands one job to two concurrent claimers",
        withStore(async (store, handle) => {
          const t = Date.now();
          const ids = Array.from({ length: 300 }, (_, i) => `cc-${i}`);
          await store.insertJobs(ids.map((id) => newJob(id, t)));
          const others = await Promise.all([handle.reopen(), handle.reopen(), handle.reopen()]);
          try {
            const stores = [store, store, ...others, ...others];
            const taken = await Promise.all(
              stores.map(async (s, i) => {
                const mine: string[] = [];
                for (;;) {
                  const batch = await s.claimJobs(`w${i}`, 7, t, LEASE);
                  if (batch.length === 0) return mine;
                  mine.push(...batch.map((c) => c.job.id));
                }
              }),
            );
            const all = taken.flat();
            assert.equal(all.length, ids.length, "every job claimed exactly once in total");
            assert.deepEqual([...new Set(all)].sort(), [...ids].sort());
            assert.ok(taken.filter((list) => list.length > 0).length > 1, "several claimers got work");
            const counts = await store.countJobs();
            assert.equal(counts.processing, 300);
            for (const id of ids.slice(0, 20)) assert.equal((await store.listAttempts(id)).length, 1);
          } finally {
            await Promise.all(others.map((o) => o.close()));
          }
        }),
      );

      it(
        "numbers attempts over the whole life of a job, across a DLQ retry",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("life", t, { max_retries: 1 })]);
          const one = await claimOne(store, "w1", t);
          await store.finishRuns([finished(one, { state: "failed", run_at: t + 10 })]);
          const two = await claimOne(store, "w1", t + 10);
          assert.equal(two.attempt, 2);
          await store.finishRuns([finished(two, { state: "dead" })]);
          const dead = await mustGet(store, "life");
          assert.equal(dead.state, "dead");
          assert.equal(dead.attempts, 2);
          const retried = await store.retryDead("life", t + 20);
          assert.equal(retried.attempts, 0);
          const three = await claimOne(store, "w1", t + 20);
          assert.equal(three.attempt, 3);
          assert.equal(three.job.attempts, 1);
          assert.deepEqual(
            (await store.listAttempts("life")).map((a) => [a.number, a.outcome]),
            [
              [1, "failed"],
              [2, "failed"],
              [3, "running"],
            ],
          );
        }),
      );
    });

    describe("claims and stop requests", () => {
      it(
        "a worker asked to stop claims nothing; other workers still do",
        withStore(async (store) => {
          const t = Date.now();
          for (const id of ["draining", "other"])
            await store.registerWorker({ id, host: "h", pid: 1, slots: 1, started_at: t });
          await store.requestStop("drain", "draining");
          await store.insertJobs([newJob("a", t), newJob("b", t)]);
          assert.deepEqual(await store.claimJobs("draining", 5, t, LEASE), []);
          assert.deepEqual(await store.finishAndClaim([], { workerId: "draining", limit: 5, now: t, leaseMs: LEASE }), {
            claimed: [],
            refused: [],
          });
          assert.equal((await store.claimJobs("other", 5, t, LEASE)).length, 2);
        }),
      );
    });

    describe("finishAndClaim", () => {
      it(
        "records the finished runs, then claims the next jobs in pick-up order",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([
            newJob("first", t, { priority: 9 }),
            newJob("low", t, { priority: 1 }),
            newJob("high", t, { priority: 8 }),
          ]);
          const claimed = await claimOne(store, "w1", t);
          assert.equal(claimed.job.id, "first");
          const { claimed: next, refused } = await store.finishAndClaim([finished(claimed, { state: "completed" })], {
            workerId: "w1",
            limit: 1,
            now: t + 100,
            leaseMs: LEASE,
          });
          assert.deepEqual(refused, []);
          assert.equal((await mustGet(store, "first")).state, "completed");
          assert.deepEqual(
            next.map((c) => c.job.id),
            ["high"],
          );
          assert.equal(next[0]?.job.state, "processing");
          assert.equal(next[0]?.attempt, 1);
          assert.equal((await mustGet(store, "low")).state, "pending");
        }),
      );

      it(
        "works with no runs to finish, and with nothing left to claim",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("only", t)]);
          const first = await store.finishAndClaim([], { workerId: "w1", limit: 5, now: t, leaseMs: LEASE });
          const [claimed] = first.claimed;
          assert.equal(claimed?.job.id, "only");
          assert.ok(claimed);
          const none = await store.finishAndClaim([finished(claimed, { state: "dead" })], {
            workerId: "w1",
            limit: 5,
            now: t + 1,
            leaseMs: LEASE,
          });
          assert.deepEqual(none, { claimed: [], refused: [] });
          assert.equal((await mustGet(store, "only")).state, "dead");
        }),
      );

      it(
        "refuses a run recovered meanwhile and still claims",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("reaped", t), newJob("next", t + 1, { run_at: t })]);
          const old = await claimOne(store, "w1", t, 1000);
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["reaped"]);
          const result = await store.finishAndClaim([finished(old, { state: "completed" })], {
            workerId: "w1",
            limit: 1,
            now: t + 2100,
            leaseMs: LEASE,
          });
          assert.deepEqual(result.refused, ["reaped"]);
          assert.deepEqual(
            result.claimed.map((c) => [c.job.id, c.attempt]),
            [["reaped", 2]],
          );
          assert.deepEqual(
            (await store.listAttempts("reaped")).map((a) => a.outcome),
            ["lost", "running"],
          );
        }),
      );
    });

    describe("finishRuns", () => {
      it(
        "completed: records the run on the job and its attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("ok", t)]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "completed" },
              { finished_at: t + 1234, duration_ms: 1234, stdout: output("hello\n"), stderr: output("warn\n") },
            ),
          ]);
          const job = await mustGet(store, "ok");
          assert.equal(job.state, "completed");
          assert.equal(job.attempts, 1);
          assert.equal(job.started_at, t, "started_at kept");
          assert.equal(job.finished_at, t + 1234);
          assert.equal(job.duration_ms, 1234);
          assert.equal(job.exit_code, 0);
          assert.equal(job.last_error, null);
          assert.equal(job.worker_id, null);
          assert.equal(job.lease_until, null);
          const [attempt] = await store.listAttempts("ok");
          assert.deepEqual(attempt, {
            job_id: "ok",
            number: 1,
            worker_id: "w1",
            outcome: "completed",
            started_at: t,
            finished_at: t + 1234,
            duration_ms: 1234,
            exit_code: 0,
            signal: null,
            error: null,
            stdout_bytes: 6,
            stderr_bytes: 5,
          });
          assert.equal((await store.getOutput("ok", 1, "stdout"))?.data.toString(), "hello\n");
          assert.equal((await store.getOutput("ok", 1, "stderr"))?.data.toString(), "warn\n");
        }),
      );

      it(
        "failed: waits for its retry at run_at with the error kept",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("bad", t)]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "failed", run_at: t + 2000 },
              { exit_code: 2, error: "exit code 2", outcome: "failed" },
            ),
          ]);
          const job = await mustGet(store, "bad");
          assert.equal(job.state, "failed");
          assert.equal(job.run_at, t + 2000);
          assert.equal(job.exit_code, 2);
          assert.equal(job.last_error, "exit code 2");
          assert.equal(job.attempts, 1);
          assert.equal(job.worker_id, null);
          assert.deepEqual(await store.claimJobs("w1", 1, t + 1999, LEASE), []);
          assert.equal((await claimOne(store, "w1", t + 2000)).job.id, "bad");
        }),
      );

      it(
        "dead: goes to the DLQ, signal and timeout outcomes kept on the attempt",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("rip", t, { max_retries: 0 })]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([
            finished(
              claimed,
              { state: "dead" },
              { outcome: "timeout", exit_code: null, signal: "SIGKILL", error: "timed out after 1 s" },
            ),
          ]);
          const job = await mustGet(store, "rip");
          assert.equal(job.state, "dead");
          assert.equal(job.last_error, "timed out after 1 s");
          const [attempt] = await store.listAttempts("rip");
          assert.equal(attempt?.outcome, "timeout");
          assert.equal(attempt?.signal, "SIGKILL");
          assert.equal(attempt?.exit_code, null);
          assert.deepEqual(await store.claimJobs("w1", 1, t + 100_000, LEASE), []);
        }),
      );

      it(
        "requeue: back to pending, due now, the run not counted",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("stopped", t - 5000, { max_retries: 0 })]);
          const claimed = await claimOne(store, "w1", t - 5000);
          await store.finishRuns([finished(claimed, { state: "requeue" })]);
          const job = await mustGet(store, "stopped");
          assert.equal(job.state, "pending");
          assert.equal(job.attempts, 0);
          assert.equal(job.worker_id, null);
          assert.ok(job.run_at <= Date.now(), "due now");
          assert.equal((await store.listAttempts("stopped"))[0]?.outcome, "interrupted");
          const again = await claimOne(store, "w2", Date.now() + 1);
          assert.equal(again.attempt, 2);
          assert.equal(again.job.attempts, 1);
        }),
      );

      it(
        "applies a batch of runs with different next states together",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs(["f1", "f2", "f3", "f4"].map((id) => newJob(id, t)));
          const batch = await store.claimJobs("w1", 4, t, LEASE);
          assert.equal(batch.length, 4);
          const [a, b, c, d] = batch as [ClaimedJob, ClaimedJob, ClaimedJob, ClaimedJob];
          await store.finishRuns([
            finished(a, { state: "completed" }),
            finished(b, { state: "failed", run_at: t + 500 }),
            finished(c, { state: "dead" }),
            finished(d, { state: "requeue" }),
          ]);
          const states = await Promise.all(
            ["f1", "f2", "f3", "f4"].map(async (id) => (await mustGet(store, id)).state),
          );
          assert.deepEqual(states, ["completed", "failed", "dead", "pending"]);
          assert.equal((await store.countJobs()).processing, 0);
          await store.finishRuns([]);
        }),
      );

      it(
        "refuses the late result of a run recovered meanwhile: its attempt stays lost",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("slow", t), newJob("slow2", t + 1, { run_at: t })]);
          const old = await claimOne(store, "w1", t, 1000);
          const old2 = await claimOne(store, "w1", t, 1000);
          // w1 stops heartbeating; both leases expire and the jobs are recovered.
          assert.deepEqual((await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 })).sort(), [
            "slow",
            "slow2",
          ]);
          const taken = await claimOne(store, "w2", t + 2000); // slow, by another worker
          assert.equal(taken.job.id, "slow");
          const retaken = await claimOne(store, "w1", t + 2000); // slow2, by the same worker, a new attempt
          assert.equal(retaken.job.id, "slow2");
          // The old runs report late: fencing refuses both, nothing of them is written.
          const refused = await store.finishRuns([
            finished(old, { state: "completed" }, { finished_at: t + 2500, stdout: output("late") }),
            finished(old2, { state: "completed" }, { finished_at: t + 2500, stdout: output("late") }),
          ]);
          assert.deepEqual(refused.sort(), ["slow", "slow2"]);
          for (const [id, worker] of [
            ["slow", "w2"],
            ["slow2", "w1"],
          ] as const) {
            const job = await mustGet(store, id);
            assert.equal(job.state, "processing", `${id} still held by its new run`);
            assert.equal(job.worker_id, worker);
            assert.equal(job.attempts, 2);
            assert.equal(job.finished_at, null);
            const attempts = await store.listAttempts(id);
            assert.deepEqual(
              attempts.map((a) => [a.number, a.outcome]),
              [
                [1, "lost"],
                [2, "running"],
              ],
            );
            assert.equal(attempts[0]?.finished_at, t + 2000, "the lost record is kept");
            assert.equal(attempts[0]?.exit_code, null);
            assert.equal((await store.getOutput(id, 1, "stdout"))?.data.length, 0, "no late output either");
          }
          // The new runs still finish normally.
          const none = await store.finishRuns([
            finished(taken, { state: "completed" }),
            finished(retaken, { state: "completed" }),
          ]);
          assert.deepEqual(none, []);
          assert.equal((await store.countJobs()).completed, 2);
        }),
      );
    });

    describe("output", () => {
      it(
        "stores binary and invalid UTF-8 bytes exactly, replaced by newer snapshots",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("bin", t)]);
          const claimed = await claimOne(store, "w1", t);
          const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
          assert.equal(await store.writeOutput("bin", 1, "w1", "stdout", output(bytes)), true);
          let got = await store.getOutput("bin", 1, "stdout");
          assert.ok(got && Buffer.isBuffer(got.data), "data is a Buffer");
          assert.deepEqual([...got.data], [0xff, 0xfe, 0x00, 0x41]);
          assert.equal(got.total_bytes, 4);
          assert.equal(got.truncated, false);
          assert.equal((await store.getOutput("bin", 1, "stderr"))?.data.length, 0, "streams are separate");
          const snapshot = Buffer.concat([bytes, Buffer.from("[… 10 bytes cut …]"), Buffer.from([0x80])]);
          await store.writeOutput("bin", 1, "w1", "stdout", {
            data: snapshot,
            total_bytes: 1_000_000,
            truncated: true,
          });
          got = await store.getOutput("bin", 1, "stdout");
          assert.deepEqual(got, { data: snapshot, total_bytes: 1_000_000, truncated: true });
          await store.writeOutput("bin", 1, "w1", "stderr", output(Buffer.from([0xc3, 0x28])));
          assert.deepEqual([...(await store.getOutput("bin", 1, "stderr"))!.data], [0xc3, 0x28]);
          assert.equal((await store.listAttempts("bin"))[0]?.stdout_bytes, 1_000_000);
          // The final result replaces the snapshots.
          await store.finishRuns([
            finished(
              claimed,
              { state: "completed" },
              { stdout: output(Buffer.from([0x00, 0xff])), stderr: output("") },
            ),
          ]);
          assert.deepEqual([...(await store.getOutput("bin", 1, "stdout"))!.data], [0x00, 0xff]);
          assert.equal(await store.getOutput("bin", 2, "stdout"), null, "no such attempt");
          assert.equal(await store.getOutput("nope", 1, "stdout"), null, "no such job");
        }),
      );

      it(
        "refuses output for a run its writer no longer holds",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("fenced", t)]);
          await claimOne(store, "w1", t, 1000);
          assert.equal(
            await store.writeOutput("fenced", 1, "w2", "stdout", output("not mine")),
            false,
            "another worker",
          );
          assert.equal(await store.writeOutput("fenced", 2, "w1", "stdout", output("no such run")), false, "attempt");
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("mine")), true);
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["fenced"]);
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("after the reap")), false);
          const retaken = await claimOne(store, "w2", t + 2000);
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("over the new run")), false);
          assert.equal(await store.writeOutput("fenced", 2, "w1", "stdout", output("over the new run")), false);
          assert.equal(retaken.attempt, 2);
          assert.equal((await store.getOutput("fenced", 1, "stdout"))?.data.toString(), "mine");
          assert.equal((await store.getOutput("fenced", 2, "stdout"))?.data.length, 0);
          assert.deepEqual(
            (await store.listAttempts("fenced")).map((a) => a.outcome),
            ["lost", "running"],
          );
        }),
      );
    });

    describe("heartbeat", () => {
      it(
        "extends the leases of this worker's jobs and returns its stop request",
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h1", pid: 11, slots: 2, started_at: t });
          await store.registerWorker({ id: "w2", host: "h2", pid: 22, slots: 1, started_at: t });
          await store.insertJobs(["h1", "h2", "h3"].map((id) => newJob(id, t)));
          await store.claimJobs("w1", 2, t, 1000);
          await store.claimJobs("w2", 1, t, 1000);
          const held = [
            { job_id: "h1", attempt: 1 },
            { job_id: "h2", attempt: 1 },
          ];
          assert.deepEqual(await beat(store, "w1", t + 500, 4500, held), { stop: null, lost: [] });
          assert.equal((await mustGet(store, "h1")).lease_until, t + 5000, "dated from the clock read in the write");
          assert.equal((await mustGet(store, "h2")).lease_until, t + 5000);
          assert.equal((await mustGet(store, "h3")).lease_until, t + 1000, "other workers' leases untouched");
          const w1 = (await store.listWorkers()).find((w) => w.id === "w1");
          assert.equal(w1?.heartbeat_at, t + 500);
          // Extended leases survive a reap that recovers the others.
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["h3"]);

          assert.equal(await store.requestStop("drain", "w1"), 1);
          assert.equal((await beat(store, "w1", t + 600)).stop, "drain");
          assert.equal((await beat(store, "w2", t + 600)).stop, null, "only the named worker was asked");
          assert.equal(await store.requestStop("now"), 2);
          assert.equal((await beat(store, "w1", t + 700)).stop, "now");
          assert.equal((await beat(store, "w2", t + 700)).stop, "now");
        }),
      );

      it(
        'answers "gone" once the worker row was removed',
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 1, started_at: t });
          assert.equal((await beat(store, "w1", t + 1)).stop, null);
          await store.deregisterWorker("w1");
          assert.equal((await beat(store, "w1", t + 2)).stop, "gone");
          assert.equal((await beat(store, "never-registered", t)).stop, "gone");
          await store.registerWorker({ id: "w2", host: "h", pid: 2, slots: 1, started_at: t });
          await store.reap({ now: t + 100, deadWorkerIds: [], staleBefore: t + 50 });
          assert.equal((await beat(store, "w2", t + 101)).stop, "gone", "a stale worker removed by reap");
        }),
      );

      it(
        "reports held runs the worker no longer holds and extends only those it does",
        withStore(async (store) => {
          const t = Date.now();
          await store.registerWorker({ id: "w1", host: "h", pid: 1, slots: 3, started_at: t });
          await store.insertJobs(["f1", "f2", "f3"].map((id, i) => newJob(id, t + i, { run_at: t })));
          const [a, b, c] = await store.claimJobs("w1", 3, t, 1000);
          assert.ok(a && b && c);
          // b is recovered (w1 was paused past its lease) and taken by w2; c's claim answer was lost to w1.
          await store.reap({ now: t + 1, deadWorkerIds: [], staleBefore: 0, judgeLeases: false });
          assert.equal((await mustGet(store, b.job.id)).state, "processing", "leases not judged: nothing recovered");
          await store.insertJobs([newJob("other", t + 10)]);
          const answer = await beat(store, "w1", t + 500, 1000, [
            { job_id: a.job.id, attempt: 1 },
            { job_id: "f9", attempt: 1 },
          ]);
          assert.deepEqual(answer, { stop: null, lost: ["f9"] }, "a job it never held is reported");
          assert.equal(
            (await mustGet(store, c.job.id)).lease_until,
            t + 1000,
            "an unknown run's lease is not extended",
          );
          const reaped = await store.reap({ now: t + 1200, deadWorkerIds: [], staleBefore: 0 });
          assert.deepEqual(reaped, [b.job.id, c.job.id].sort());
          const again = await claimOne(store, "w2", t + 1200);
          assert.equal(again.job.id, b.job.id);
          const lost = await beat(store, "w1", t + 1300, 1000, [
            { job_id: a.job.id, attempt: 1 },
            { job_id: b.job.id, attempt: 1 },
          ]);
          assert.deepEqual(lost, { stop: null, lost: [b.job.id] });
          assert.equal(
            (await mustGet(store, b.job.id)).lease_until,
            t + 1200 + LEASE,
            "the new owner's lease untouched",
          );
          assert.equal((await mustGet(store, a.job.id)).lease_until, t + 2300);
        }),
      );
    });

    describe("reap", () => {
      it(
        "judges no lease when told not to, but still recovers dead workers' jobs",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("expired", t), newJob("dead", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t, 100);
          await claimOne(store, "w2", t, 100);
          const options = { now: t + 5000, deadWorkerIds: ["w2"], staleBefore: 0, judgeLeases: false };
          const recovered = await store.reap(options);
          assert.deepEqual(recovered, ["dead"]);
          assert.equal((await mustGet(store, "expired")).state, "processing");
        }),
      );

      it(
        "recovers a job whose lease expired as failed and due now, closing its attempt as lost",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("lost", t), newJob("alive", t + 1, { run_at: t })]);
          await claimOne(store, "w1", t, 1000);
          await claimOne(store, "w2", t, 5000);
          assert.deepEqual(
            await store.reap({ now: t + 1000, deadWorkerIds: [], staleBefore: 0 }),
            [],
            "lease not yet expired",
          );
          assert.deepEqual(await store.reap({ now: t + 1500, deadWorkerIds: [], staleBefore: 0 }), ["lost"]);
          const job = await mustGet(store, "lost");
          assert.equal(job.state, "failed");
          assert.equal(job.run_at, t + 1500);
          assert.equal(job.worker_id, null);
          assert.equal(job.lease_until, null);
          assert.equal(job.attempts, 1);
          assert.ok(job.last_error, "says why");
          const [attempt] = await store.listAttempts("lost");
          assert.equal(attempt?.outcome, "lost");
          assert.ok(attempt?.error && attempt.error.length > 0, "the lost attempt says why");
          assert.equal((await mustGet(store, "alive")).state, "processing");
          // Recovered: the next claim runs it again.
          const again = await claimOne(store, "w2", t + 1500);
          assert.equal(again.job.id, "lost");
          assert.equal(again.attempt, 2);
          assert.deepEqual(await store.reap({ now: t + 1600, deadWorkerIds: [], staleBefore: 0 }), [], "nothing twice");
        }),
      );

      it(
        "sends a recovered job that used up its retries to the DLQ",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("killer", t, { max_retries: 1 })]);
          await claimOne(store, "w1", t, 100);
          await store.reap({ now: t + 200, deadWorkerIds: [], staleBefore: 0 });
          assert.equal((await mustGet(store, "killer")).state, "failed", "attempt 1 of 2");
          await claimOne(store, "w1", t + 200, 100);
          assert.deepEqual(await store.reap({ now: t + 400, deadWorkerIds: [], staleBefore: 0 }), ["killer"]);
          const job = await mustGet(store, "killer");
          assert.equal(job.state, "dead");
          assert.equal(job.attempts, 2);
          assert.deepEqual(
            (await store.listAttempts("killer")).map((a) => a.outcome),
            ["lost", "lost"],
          );
        }),
      );

      it(
        "recovers the jobs of dead workers at once and removes dead and stale worker rows",
        withStore(async (store) => {
          const t = Date.now();
          for (const [id, at] of [
            ["dead-w", t],
            ["stale-w", t - 60_000],
            ["live-w", t],
          ] as const) {
            await store.registerWorker({ id, host: "h", pid: 1, slots: 1, started_at: at });
          }
          await store.insertJobs([
            newJob("d1", t),
            newJob("s1", t + 1, { run_at: t }),
            newJob("l1", t + 2, { run_at: t }),
          ]);
          await claimOne(store, "dead-w", t, 60_000);
          await claimOne(store, "stale-w", t, 60_000);
          await claimOne(store, "live-w", t, 60_000);
          const recovered = await store.reap({ now: t + 10, deadWorkerIds: ["dead-w"], staleBefore: t - 30_000 });
          assert.deepEqual(recovered, ["d1"]);
          assert.equal((await mustGet(store, "d1")).state, "failed");
          assert.equal((await store.listAttempts("d1"))[0]?.outcome, "lost");
          assert.equal((await mustGet(store, "s1")).state, "processing", "a stale worker's jobs recover by lease");
          assert.deepEqual(
            (await store.listWorkers()).map((w) => w.id),
            ["live-w"],
          );
        }),
      );
    });

    describe("dead letter queue", () => {
      it(
        "retryDead: dead → pending, attempts reset, due now, error and history kept",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("dlq", t, { max_retries: 0 }), newJob("busy", t + 1, { run_at: t })]);
          const claimed = await claimOne(store, "w1", t);
          await store.finishRuns([finished(claimed, { state: "dead" }, { error: "boom" })]);
          const job = await store.retryDead("dlq", t + 5000);
          assert.equal(job.id, "dlq");
          assert.equal(job.state, "pending");
          assert.equal(job.attempts, 0);
          assert.equal(job.run_at, t + 5000);
          assert.equal(job.last_error, "boom");
          assert.deepEqual(await store.getJob("dlq"), job);
          assert.equal((await store.listAttempts("dlq")).length, 1);

          await rejectsWith(store.retryDead("missing", t), "not_found", "missing");
          await rejectsWith(store.retryDead("dlq", t), "conflict", "dlq");
          await claimOne(store, "w1", t + 5000);
          await rejectsWith(store.retryDead("busy", t), "conflict", "busy");
        }),
      );

      it(
        "retryAllDead: every dead job, and only those",
        withStore(async (store) => {
          const t = Date.now();
          assert.equal(await store.retryAllDead(t), 0);
          await store.insertJobs(["r1", "r2", "r3", "r4"].map((id) => newJob(id, t, { max_retries: 0 })));
          const batch = await store.claimJobs("w1", 3, t, LEASE);
          await store.finishRuns([
            finished(batch[0]!, { state: "dead" }),
            finished(batch[1]!, { state: "dead" }),
            finished(batch[2]!, { state: "completed" }),
          ]);
          assert.equal(await store.retryAllDead(t + 10), 2);
          assert.deepEqual(await store.countJobs(), { pending: 3, processing: 0, completed: 1, failed: 0, dead: 0 });
          const r1 = await mustGet(store, "r1");
          assert.equal(r1.attempts, 0);
          assert.equal(r1.run_at, t + 10);
        }),
      );
    });

    describe("workers", () => {
      it(
        "registers, lists with running job ids, asks to stop, and deregisters",
        withStore(async (store) => {
          const t = Date.now();
          assert.deepEqual(await store.listWorkers(), []);
          await store.registerWorker({ id: "w-a", host: "host-a", pid: 101, slots: 4, started_at: t });
          await store.registerWorker({ id: "w-b", host: "host-b", pid: 202, slots: 2, started_at: t + 1 });
          await store.insertJobs(["j1", "j2", "j3"].map((id) => newJob(id, t)));
          await store.claimJobs("w-a", 2, t, LEASE);
          const workers = await store.listWorkers();
          const a = workers.find((w) => w.id === "w-a");
          const b = workers.find((w) => w.id === "w-b");
          assert.deepEqual(
            { ...a, running: [...(a?.running ?? [])].sort() },
            {
              id: "w-a",
              host: "host-a",
              pid: 101,
              slots: 4,
              started_at: t,
              heartbeat_at: t,
              stop_requested: null,
              running: ["j1", "j2"],
            },
          );
          assert.deepEqual(b?.running, []);
          assert.equal(b?.host, "host-b");

          assert.equal(await store.requestStop("drain", "w-b"), 1);
          assert.equal(await store.requestStop("drain", "no-such-worker"), 0);
          assert.equal((await store.listWorkers()).find((w) => w.id === "w-b")?.stop_requested, "drain");
          assert.equal((await store.listWorkers()).find((w) => w.id === "w-a")?.stop_requested, null);
          assert.equal(await store.requestStop("drain"), 2);
          assert.ok((await store.listWorkers()).every((w) => w.stop_requested === "drain"));

          await store.deregisterWorker("w-b");
          assert.deepEqual(
            (await store.listWorkers()).map((w) => w.id),
            ["w-a"],
          );
          await store.deregisterWorker("w-b"); // unknown: no error
        }),
      );
    });

    describe("settings", () => {
      it(
        "stores raw strings and overwrites them",
        withStore(async (store, handle) => {
          await store.setSetting("max-retries", "7");
          await store.setSetting("backoff-base", "1.5");
          assert.equal((await store.getSettings())["max-retries"], "7");
          await store.setSetting("max-retries", "2");
          const settings = await store.getSettings();
          assert.equal(settings["max-retries"], "2");
          assert.equal(settings["backoff-base"], "1.5");
          const other = await handle.reopen();
          try {
            assert.equal((await other.getSettings())["max-retries"], "2", "shared by every instance");
          } finally {
            await other.close();
          }
        }),
      );
    });

    describe("metrics", () => {
      it(
        "computes totals, success rate, durations of successful runs and throughput on a known data set",
        withStore(async (store) => {
          const now = Date.now();
          /** Inserts one job and runs it once to `next`, ending at `end`. */
          const runOnce = async (
            id: string,
            end: number,
            duration: number,
            outcome: RunResult["outcome"],
            next: NextState,
          ) => {
            await store.insertJobs([newJob(id, end - duration - 10, { max_retries: 0 })]);
            const claimed = await claimOne(store, "w1", end - duration);
            assert.equal(claimed.job.id, id);
            await store.finishRuns([finished(claimed, next, { outcome, finished_at: end, duration_ms: duration })]);
          };
          // 21 successful runs, 10..210 ms: 6 in the last minute, 15 earlier in the last hour.
          for (let i = 1; i <= 21; i++) {
            const end = i <= 6 ? now - i * 5_000 : now - 120_000 - i * 60_000;
            await runOnce(`ok-${i}`, end, i * 10, "completed", { state: "completed" });
          }
          // Failed runs, with extreme durations that must not count as fastest or slowest.
          await runOnce("f-dead", now - 1000, 1, "failed", { state: "dead" });
          await runOnce("f-retry", now - 2000, 99_999, "failed", { state: "failed", run_at: now + 3_600_000 });
          await runOnce("f-timeout", now - 3000, 5_000, "timeout", { state: "failed", run_at: now + 3_600_000 });
          // One running, one waiting: counted as jobs, not as finished attempts.
          await store.insertJobs([newJob("running", now - 100)]);
          await claimOne(store, "w1", now - 100);
          await store.insertJobs([newJob("waiting", now, { run_at: now + 3_600_000 })]);

          const m = await store.metrics(now);
          assert.deepEqual(m.counts, { pending: 1, processing: 1, completed: 21, failed: 2, dead: 1 });
          assert.equal(m.total_jobs, 26);
          assert.equal(m.attempts_total, 24);
          assert.equal(m.attempts_failed, 3);
          assert.ok(Math.abs((m.success_rate ?? 0) - 21 / 22) < 1e-9, `success_rate ${m.success_rate}`);
          assert.ok(Math.abs((m.duration_ms.avg ?? 0) - 110) < 1e-9, `avg ${m.duration_ms.avg}`);
          assert.equal(m.duration_ms.p50, 110);
          assert.equal(m.duration_ms.p95, 200);
          assert.deepEqual(m.fastest, { job_id: "ok-1", duration_ms: 10 });
          assert.deepEqual(m.slowest, { job_id: "ok-21", duration_ms: 210 });
          assert.equal(m.throughput.last_minute, 6);
          assert.ok(Math.abs(m.throughput.last_hour - 21 / 60) < 1e-9, `last_hour ${m.throughput.last_hour}`);
          assert.ok(Math.abs(m.throughput.per_second_last_minute - 6 / 60) < 1e-9);
        }),
      );

      it(
        "reports nulls and zeros on an empty store",
        withStore(async (store) => {
          const m = await store.metrics(Date.now());
          assert.equal(m.total_jobs, 0);
          assert.equal(m.attempts_total, 0);
          assert.equal(m.success_rate, null);
          assert.deepEqual(m.duration_ms, { avg: null, p50: null, p95: null });
          assert.equal(m.fastest, null);
          assert.equal(m.slowest, null);
          assert.equal(m.throughput.last_minute, 0);
        }),
      );

      it(
        "buckets finished attempts by time, oldest bucket first",
        withStore(async (store) => {
          const now = Date.now();
          const ends: [string, number, RunResult["outcome"], NextState][] = [
            ["b4-ok", now - 30_000, "completed", { state: "completed" }],
            ["b4-bad", now - 20_000, "failed", { state: "dead" }],
            ["b3-ok1", now - 90_000, "completed", { state: "completed" }],
            ["b3-ok2", now - 100_000, "completed", { state: "completed" }],
            ["b0-ok", now - 270_000, "completed", { state: "completed" }],
            ["outside", now - 400_000, "completed", { state: "completed" }],
          ];
          for (const [id, end, outcome, next] of ends) {
            await store.insertJobs([newJob(id, end - 100, { max_retries: 0 })]);
            const claimed = await claimOne(store, "w1", end - 50);
            await store.finishRuns([finished(claimed, next, { outcome, finished_at: end, duration_ms: 50 })]);
          }
          const points = await store.throughput(now, 60_000, 5);
          assert.deepEqual(
            points.map((p) => [p.at - now, p.completed, p.failed]),
            [
              [-300_000, 1, 0],
              [-240_000, 0, 0],
              [-180_000, 0, 0],
              [-120_000, 2, 0],
              [-60_000, 1, 1],
            ],
          );
        }),
      );
    });

    describe("notify / subscribe", () => {
      it(
        "wakes subscribers of this instance and of another instance on the same database",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            let here = 0;
            let there = 0;
            const offHere = store.subscribe(() => here++);
            const offThere = other.subscribe(() => there++);
            // A subscription may take a moment to be in place: notify until it is seen.
            await waitFor(
              "a notify from this instance to reach the other",
              () => {
                store.notify();
                return there > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            await waitFor(
              "a notify to reach this instance's own subscriber",
              () => {
                store.notify();
                return here > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            const before = here;
            await waitFor(
              "a notify from the other instance to reach this one",
              () => {
                other.notify();
                return here > before;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            offHere();
            offThere();
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "stops calling a listener once unsubscribed",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            let gone = 0;
            let witness = 0;
            const offGone = other.subscribe(() => gone++);
            const offWitness = other.subscribe(() => witness++);
            await waitFor(
              "both listeners subscribed",
              () => {
                store.notify();
                return gone > 0 && witness > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            offGone();
            const goneBefore = gone;
            const witnessBefore = witness;
            // The witness, still subscribed, proves notifies keep arriving.
            await waitFor(
              "more notifies to arrive",
              () => {
                store.notify();
                return witness >= witnessBefore + 3;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            assert.equal(gone, goneBefore);
            offWitness();
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
