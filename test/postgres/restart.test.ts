/**
 * PostgreSQL goes away in the middle of a run and comes back: every job still ends completed,
 * none lost, none stuck in processing, and jobs that finished during the outage are reported.
 *
 * How the outage is made: by default, for this test's own database only — every connection to it
 * is terminated (clients see 57P01, as in a restart) and new connections are refused
 * (ALLOW_CONNECTIONS false) until jobs have finished meanwhile; then connections are allowed again.
 * A real `pg_ctlcluster restart` would also kill the connections of every other PostgreSQL suite the
 * runner runs in parallel and make them flaky, so it is opt-in: QUEUECTL_TEST_PG_RESTART=1 stops
 * and starts the whole cluster instead (run this file alone then).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { escapeIdentifier } from "pg";
import { withHarness, type Harness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { pgQuery, pgSkipReason, withDatabase } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
const REAL_RESTART = process.env.QUEUECTL_TEST_PG_RESTART === "1";
const JOBS = 200;

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

function pgCluster(action: "stop" | "start"): void {
  const version = readdirSync("/etc/postgresql").sort().at(-1);
  assert.ok(version, "no cluster under /etc/postgresql");
  execFileSync(
    "pg_ctlcluster",
    ["--skip-systemctl-redirect", version, "main", action, ...(action === "stop" ? ["-m", "fast"] : [])],
    {
      stdio: "ignore",
    },
  );
}

/** Cuts the queue off from PostgreSQL; returns the function that restores it. */
async function outage(database: string): Promise<() => Promise<void>> {
  if (REAL_RESTART) {
    pgCluster("stop");
    return async () => {
      pgCluster("start");
      await waitFor("PostgreSQL to accept connections", async () => (await pgQuery("SELECT 1")).rowCount === 1, {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    };
  }
  await pgQuery(`ALTER DATABASE ${escapeIdentifier(database)} ALLOW_CONNECTIONS false`);
  const { rowCount } = await pgQuery(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    [database],
  );
  assert.ok((rowCount ?? 0) > 0, "the workers had connections to terminate");
  return async () => {
    await pgQuery(`ALTER DATABASE ${escapeIdentifier(database)} ALLOW_CONNECTIONS true`);
  };
}

describe("postgres: connection loss", { skip: skip ?? false }, () => {
  it(
    `${REAL_RESTART ? "a cluster restart" : "all connections killed and refused for a while"} mid-run loses no job and leaves none in processing`,
    { timeout: 180_000 },
    () =>
      withDatabase((url, database) =>
        withHarness(
          () => pgEnv(url),
          async (h: Harness) => {
            const file = h.path("ran.txt");
            const ids = Array.from({ length: JOBS }, (_, i) => `r-${String(i).padStart(3, "0")}`);
            const jsonl = ids
              .map((id) => JSON.stringify({ id, command: `sleep 0.3; echo ${id} >> ${file}` }))
              .join("\n");
            await h.ok(["enqueue", "--file", "-"], jsonl);
            const workers = [h.worker(4), h.worker(4)];
            await waitFor("40 jobs to have run", () => lines(file).length >= 40, { timeoutMs: 60_000, intervalMs: 50 });

            // Every slot is busy with a 0.3 s job when the outage starts.
            const before = lines(file).length;
            const restore = await outage(database);
            let restored = false;
            try {
              // Jobs keep running while the database is away; wait until several finished meanwhile, so
              // their results must be reported once it is back.
              await waitFor("jobs to finish during the outage", () => lines(file).length >= before + 6, {
                timeoutMs: 30_000,
                intervalMs: 50,
              });
              // ... and until every worker has run into the outage (and logged it) while reporting them.
              await waitFor(
                "every worker to notice the outage",
                () => workers.every((w) => /PostgreSQL/.test(w.output())),
                {
                  timeoutMs: 30_000,
                  intervalMs: 50,
                },
              );
              await restore();
              restored = true;
            } finally {
              if (!restored) await restore().catch(() => {});
            }

            const counts = await waitFor(
              `all ${JOBS} jobs completed after the outage`,
              async () => {
                const c = await h.counts();
                return c.completed === JOBS ? c : null;
              },
              { timeoutMs: 90_000, intervalMs: 250 },
            );
            assert.equal(counts.processing, 0, "none stuck in processing");
            assert.equal(counts.pending + counts.failed + counts.dead, 0);
            for (const w of workers) assert.equal(w.exitCode, null, `a worker died during the outage:\n${w.output()}`);
            const ran = new Set(lines(file));
            assert.deepEqual(
              ids.filter((id) => !ran.has(id)),
              [],
              "every job ran",
            );
          },
        ),
      ),
  );
});
