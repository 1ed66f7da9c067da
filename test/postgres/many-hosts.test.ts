// Many hosts, one queue: 4 worker processes presenting different host names × 4 slots drain 2,000
// jobs from one PostgreSQL queue; each job appends its id to a file: every id exactly once.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { withHarness } from "../cli/harness.js";
import { startCli } from "../helpers/cli.js";
import { escapeIdentifier } from "pg";
import { pgQuery, pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
const JOBS = 2000;
const HOSTS = ["host-a", "host-b", "host-c", "host-d"];

describe("postgres: many hosts", { skip: skip ?? false }, () => {
  it(
    `${HOSTS.length} worker processes on different hosts × 4 slots run ${JOBS} jobs, each exactly once`,
    { timeout: 180_000 },
    () =>
      withHarness(pgEnv, async (h) => {
        const file = h.path("ran.txt");
        const ids = Array.from({ length: JOBS }, (_, i) => `job-${String(i).padStart(4, "0")}`);
        const jsonl = ids.map((id) => JSON.stringify({ id, command: `echo ${id} >> ${file}` })).join("\n");
        await h.ok(["enqueue", "--file", "-"], jsonl);
        assert.equal((await h.counts()).pending, JOBS);

        for (const host of HOSTS) {
          const w = startCli(["worker", "start", "--count", "4"], { ...h.env, QUEUECTL_HOSTNAME: host });
          h.workers.push(w);
        }
        await h.waitCounts(`all ${JOBS} jobs completed`, (c) => c.completed === JOBS, 150_000);

        const lines = readFileSync(file, "utf8").trim().split("\n");
        const counts = new Map<string, number>();
        for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
        const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
        const missing = ids.filter((id) => !counts.has(id));
        assert.deepEqual(twice, [], "no job ran twice");
        assert.deepEqual(missing, [], "no job was lost");
        assert.equal(lines.length, JOBS);

        // worker list shows every host, and every host took a share of the work.
        const workers = await h.json<{ id: string; host: string }[]>(["worker", "list"]);
        assert.deepEqual([...new Set(workers.map((w) => w.host))].sort(), HOSTS, "worker list shows every host");
        const { rows } = await pgQuery(
          `SELECT a.worker_id, count(*)::int AS n FROM ${escapeIdentifier(h.env.QUEUECTL_SCHEMA!)}.attempts a GROUP BY 1`,
        );
        const perHost = new Map(workers.map((w) => [w.host, 0]));
        for (const row of rows as { worker_id: string; n: number }[]) {
          const host = workers.find((w) => w.id === row.worker_id)?.host;
          assert.ok(host, `attempts by an unknown worker ${row.worker_id}`);
          perHost.set(host, (perHost.get(host) ?? 0) + row.n);
        }
        for (const [host, n] of perHost) assert.ok(n > 0, `${host} ran no job: ${JSON.stringify([...perHost])}`);
        const c = await h.counts();
        assert.equal(c.processing, 0);
        assert.equal(c.pending + c.failed + c.dead, 0);
      }),
  );
});
