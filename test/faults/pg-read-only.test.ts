/**
 * PostgreSQL that answers but refuses every write for a while: what a failover looks like when the
 * address still leads to the old primary, now a read-only standby (clients see 25006, "cannot
 * execute UPDATE in a read-only transaction"). The worker's results must be held while it lasts and
 * recorded once writes work again: every job completed by its first run, none given up and re-run.
 * The test's own database is made read-only (ALTER DATABASE … default_transaction_read_only, then
 * its backends terminated so that new sessions take it), so PostgreSQL suites alongside are not
 * disturbed.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import pg from "pg";
import { sq, withHarness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { pgQuery, pgSkipReason, withDatabase } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";

const skip = await pgSkipReason();
const JOBS = 6;
const LEASE_SECONDS = 2;
/** Read-only for longer than a worker's five tries of a refused result (~4 s) and than a lease. */
const READ_ONLY_MS = 8_000;

async function setReadOnly(name: string, on: boolean): Promise<void> {
  const db = pg.escapeIdentifier(name);
  await pgQuery(on ? `ALTER DATABASE ${db} SET default_transaction_read_only = on` : `ALTER DATABASE ${db} RESET ALL`);
  // Sessions read the setting when they start: end the current ones (from another database).
  await pgQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
}

describe("faults (postgres): the database turns read-only for a while", { skip: skip ?? false }, () => {
  it("holds the finished results and records them once writes work again, none re-run", { timeout: 120_000 }, () =>
    withDatabase((url, name) =>
      withHarness(
        () => pgEnv(url),
        async (h) => {
          await h.ok(["config", "set", "lease-seconds", String(LEASE_SECONDS)]);
          // Each job runs until the test opens the gate, so all are seen running however slow the
          // machine, and all finish while writes are refused.
          const gate = h.path("gate");
          const ids: string[] = [];
          for (let i = 0; i < JOBS; i++) {
            ids.push(await h.enqueue({ command: `while [ ! -e ${sq(gate)} ]; do sleep 0.05; done; echo job ${i}` }));
          }
          const worker = h.worker(JOBS);
          await h.waitCounts("every job to be running", (c) => c.processing === JOBS);

          await setReadOnly(name, true);
          let readOnlyFor: number;
          try {
            writeFileSync(gate, "");
            await waitFor(
              "the worker to meet the read-only database",
              () => /read-only transaction/.test(worker.output()),
              { timeoutMs: 30_000, intervalMs: 100 },
            );
            const from = Date.now();
            await new Promise((resolve) => setTimeout(resolve, READ_ONLY_MS));
            readOnlyFor = Date.now() - from;
          } finally {
            await setReadOnly(name, false);
          }

          let counts;
          try {
            counts = await h.waitCounts("every job to be recorded completed", (c) => c.completed === JOBS, 60_000);
          } catch (error) {
            const tail = worker.output().slice(-3000);
            throw new Error(`${(error as Error).message}\nworker output:\n${tail}`, { cause: error });
          }
          assert.equal(counts.processing + counts.pending + counts.failed + counts.dead, 0, JSON.stringify(counts));
          for (const id of ids) {
            const outcomes = (await h.show(id)).attempts.map((a) => a.outcome);
            assert.deepEqual(outcomes, ["completed"], `job ${id} completed by its first run, not given up and re-run`);
          }
          const output = worker.output();
          assert.doesNotMatch(output, /gave up recording/, "no result was given up");
          assert.equal(worker.exitCode, null, "the worker goes on working");
          console.log(`# read-only for ${readOnlyFor} ms after the first refusal; all ${JOBS} recorded once`);
        },
      ),
    ),
  );
});
