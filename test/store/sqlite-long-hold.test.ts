// Fair leases on SQLite's one write lock: another process's transaction holds the lock past a
// running job's lease. A reaper that reaches the lock just as the hold ends has waited little and
// seen no stall, while the job's worker may still be waiting its turn: the store must excuse that
// lease for a lease after the hold, and recover the job once that time has passed with no beat.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { LONG_HOLD_MS } from "../../src/core/lease.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { Db } from "../../src/store/sqlite/db.js";
import { claimOne, mustGet, newJob } from "./contract/harness.js";
import { tempHome } from "../helpers/env.js";

const LEASE_MS = 1000;
const dbModule = fileURLToPath(new URL("../../src/store/sqlite/db.js", import.meta.url));

/** Another process holds the write lock in one transaction until `until` (ms), as a big enqueue does. */
async function holdTheLock(path: string, until: number): Promise<void> {
  const script = `
    const { Db } = await import(${JSON.stringify(dbModule)});
    const db = new Db(${JSON.stringify(path)});
    db.write(() => { while (Date.now() <= ${until}) {} });
    db.close();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
  const [code] = (await once(child, "exit")) as [number | null];
  assert.equal(code, 0, "the holding process ran");
}

test("sqlite: a lease that ran out while another process held the write lock is excused for a lease", async () => {
  const home = tempHome("queuectl-long-hold-");
  const store = SqliteStore.open(home.db);
  try {
    await store.migrate();
    const t = Date.now();
    await store.insertJobs([newJob("held", t)]);
    await claimOne(store, "waiting-worker", t, LEASE_MS);
    const leaseUntil = (await mustGet(store, "held")).lease_until ?? 0;
    // The hold covers the end of the lease; the worker holding the job never gets to beat.
    await holdTheLock(home.db, leaseUntil + 300);

    const db = new Db(home.db);
    const hold = db.lastHold();
    db.close();
    assert.ok(hold, "the long hold was recorded by the transaction that held the lock");
    assert.ok(hold.until - hold.from >= LONG_HOLD_MS && hold.from <= leaseUntil, JSON.stringify({ hold, leaseUntil }));

    const reap = (now: number) =>
      store.reap({ now, deadWorkerIds: [], staleBefore: 0, judgeLeases: true, leaseMs: LEASE_MS });
    const now = Date.now();
    assert.ok(now > leaseUntil && now < hold.until + LEASE_MS, "the reaper comes right after the hold");
    assert.deepEqual(await reap(now), [], "a lease that ran out during the hold is not judged yet");
    assert.equal((await mustGet(store, "held")).state, "processing");
    // A worker that really died is still recovered once the excuse has run out.
    assert.deepEqual(await reap(hold.until + LEASE_MS), ["held"]);
    assert.equal((await store.listAttempts("held"))[0]?.outcome, "lost");
  } finally {
    await store.close();
    home.cleanup();
  }
});

test("sqlite: a short write records no hold, and a lease that ran out before a hold is judged", async () => {
  const home = tempHome("queuectl-long-hold-");
  const store = SqliteStore.open(home.db);
  try {
    await store.migrate();
    const t = Date.now();
    await store.insertJobs([newJob("late", t)]);
    await claimOne(store, "gone-worker", t, 1);
    const db = new Db(home.db);
    assert.equal(db.lastHold(), null, "claims and inserts are not long holds");
    db.close();
    // The lease ran out before the hold began: the hold excuses nothing.
    await holdTheLock(home.db, Date.now() + LONG_HOLD_MS + 50);
    const recovered = await store.reap({
      now: Date.now(),
      deadWorkerIds: [],
      staleBefore: 0,
      judgeLeases: true,
      leaseMs: LEASE_MS,
    });
    assert.deepEqual(recovered, ["late"]);
  } finally {
    await store.close();
    home.cleanup();
  }
});
