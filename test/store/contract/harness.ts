/**
 * Shared pieces of the Store contract suite: the handle each engine's factory returns, and the
 * helpers the area files use to build jobs and runs. Times are epoch ms near the real clock (an
 * engine may use Date.now() where the contract says "now" without passing it), and every case gets
 * a fresh, empty store.
 */
import assert from "node:assert/strict";
import { QueueError } from "../../../src/core/errors.js";
import type { AttemptOutput, ClaimedJob, Job, NewJob, RunResult } from "../../../src/core/types.js";
import type { FinishedRun, NextState, RunRef, Store } from "../../../src/core/store.js";

export interface StoreHandle {
  store: Store;
  /** Closes `store` (and anything else the factory opened) and deletes the database. */
  cleanup: () => Promise<void>;
  /** Opens a second, independent instance (own connection) on the same database. The caller closes it. */
  reopen: () => Promise<Store>;
}

export type MakeStore = () => Promise<StoreHandle>;

export const LEASE = 10_000;

export function newJob(id: string, at: number, overrides: Partial<NewJob> = {}): NewJob {
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

export const output = (text: string | Buffer, truncated = false): AttemptOutput => {
  const data = typeof text === "string" ? Buffer.from(text) : text;
  return { data, total_bytes: data.length, truncated };
};

export function finished(claimed: ClaimedJob, next: NextState, overrides: Partial<RunResult> = {}): FinishedRun {
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

export async function claimOne(store: Store, worker: string, now: number, leaseMs = LEASE): Promise<ClaimedJob> {
  const [claimed, ...rest] = await store.claimJobs(worker, 1, now, leaseMs);
  assert.ok(claimed, `expected a job to claim at ${now}`);
  assert.equal(rest.length, 0);
  return claimed;
}

/** A heartbeat whose clock reads `now`: the new leases end at now + leaseMs. */
export function beat(store: Store, workerId: string, now: number, leaseMs = 1000, held: RunRef[] = []) {
  return store.heartbeat({ workerId, held, leaseMs, clock: () => now });
}

export async function mustGet(store: Store, id: string): Promise<Job> {
  const job = await store.getJob(id);
  assert.ok(job, `job ${id} should exist`);
  return job;
}

export async function rejectsWith(
  promise: Promise<unknown>,
  kind: QueueError["kind"],
  mentions?: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof QueueError, `expected a QueueError, got ${String(error)}`);
    assert.equal(error.kind, kind, `kind of "${error.message}"`);
    if (mentions !== undefined)
      assert.ok(error.message.includes(mentions), `"${error.message}" should name ${mentions}`);
    assert.ok(!error.message.includes("\n"), "one line");
    return true;
  });
}

/** Wraps a case body: runs it with a fresh store from `makeStore` and always cleans up. */
export function storeCase(makeStore: MakeStore) {
  return (body: (store: Store, handle: StoreHandle) => Promise<void>) => async () => {
    const handle = await makeStore();
    try {
      await body(handle.store, handle);
    } finally {
      await handle.cleanup();
    }
  };
}
