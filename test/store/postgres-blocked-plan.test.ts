// `list --state blocked` on PostgreSQL reads jobs_blocked (only the blocked jobs, in seq order),
// not every pending job: checked on a store with many ready jobs, after ANALYZE.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import type { JobFilter, NewJob } from "../../src/core/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { blockersQuery } from "../../src/store/postgres/sql/blockers.js";
import { listQuery } from "../../src/store/postgres/sql/read-jobs.js";
import { PG_URL } from "../helpers/env.js";
import { dropSchema, pgQuery, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const skip = await pgSkipReason();

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  Plans?: PlanNode[];
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

async function explain(sql: string, values: unknown[]): Promise<PlanNode> {
  const { rows } = await pgQuery(`EXPLAIN (FORMAT JSON) ${sql}`, values);
  return (rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan;
}

describe("postgres: the blocked list's plan", { skip: skip ?? false }, () => {
  const schema = uniqueSchema();

  before(async () => {
    const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
    try {
      await store.migrate();
      const now = Date.now();
      const job = (id: string, extra: Partial<NewJob> = {}): NewJob => ({
        id,
        command: "true",
        priority: 5,
        max_retries: 0,
        timeout: null,
        run_at: now,
        created_at: now,
        ...extra,
      });
      await store.insertJobs([job("root", { run_at: now + 3_600_000 })]);
      for (let batch = 0; batch < 4; batch++) {
        await store.insertJobs(Array.from({ length: 5000 }, (_, i) => job(`ready${batch}-${i}`)));
      }
      await store.insertJobs(Array.from({ length: 200 }, (_, i) => job(`blocked${i}`, { after: ["root"] })));
    } finally {
      await store.close();
    }
    await pgQuery(`ANALYZE ${pg.escapeIdentifier(schema)}.jobs`);
  });
  after(() => dropSchema(schema));

  it("walks jobs_blocked backwards: no scan of the jobs, no sort", async () => {
    const filters: Partial<JobFilter>[] = [{}, { cursor: "20100" }, { queue: "default" }];
    for (const extra of filters) {
      const { sql, values } = listQuery(pg.escapeIdentifier(schema), { state: "blocked", limit: 50, ...extra });
      const plan = await explain(sql, values as unknown[]);
      const shown = JSON.stringify(plan);
      const all = nodes(plan);
      assert.ok(
        all.some((node) => node["Index Name"] === "jobs_blocked"),
        `${JSON.stringify(extra)} uses jobs_blocked: ${shown}`,
      );
      assert.ok(!all.some((node) => node["Node Type"] === "Seq Scan" || node["Node Type"] === "Sort"), shown);
    }
  });

  it("finds the listed jobs' dependencies by primary key, never along the whole jobs table", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `blocked${i}`);
    const plan = await explain(blockersQuery(pg.escapeIdentifier(schema)), [ids]);
    const shown = JSON.stringify(plan);
    const all = nodes(plan);
    assert.ok(
      all.some((node) => node["Relation Name"] === "jobs" && node["Index Name"] === "jobs_pkey"),
      `a probe of jobs_pkey: ${shown}`,
    );
    assert.ok(!all.some((node) => node["Node Type"] === "Merge Join"), `no merge along the key: ${shown}`);
    assert.ok(
      !all.some((node) => node["Relation Name"] === "jobs" && node["Node Type"].startsWith("Seq Scan")),
      `no scan of the jobs: ${shown}`,
    );
  });
});
