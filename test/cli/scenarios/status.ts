/** CLI scenarios: status, list and metrics. */
import assert from "node:assert/strict";
import type { JobJson } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

export const statusScenarios: Scenario[] = [
  scenario("input", "status and list: JSON shapes, --state and --limit filters, human tables", async (h) => {
    const empty = await h.json<Record<string, any>>(["status"]);
    assert.deepEqual(empty.counts, { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, cancelled: 0 });
    assert.ok(Array.isArray(empty.workers), "status.workers is an array");
    assert.ok(empty.health && typeof empty.health === "object", "status.health is an object");
    assert.deepEqual(await h.json(["list"]), []);

    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await h.enqueue({ id: `l${i}`, command: `echo ${i}` }));
    const all = await h.json<JobJson[]>(["list"]);
    assert.equal(all.length, 4);
    assert.deepEqual(all.map((j) => j.id).sort(), ids);
    assert.equal((await h.json<JobJson[]>(["list", "--limit", "2"])).length, 2);
    assert.equal((await h.json<JobJson[]>(["list", "--state", "pending"])).length, 4);
    assert.deepEqual(await h.json(["list", "--state", "completed"]), []);
    assert.deepEqual(await h.json(["dlq", "list"]), []);
    assert.equal((await h.counts()).pending, 4);

    const table = await h.ok(["list"]);
    for (const id of ids) assert.match(table, new RegExp(`\\b${id}\\b`), "list shows every id");
    assert.doesNotMatch(table, /\x1b\[/, "no colour codes when NO_COLOR is set / not a TTY");
    const status = await h.ok(["status"]);
    assert.match(status, /pending/);
    assert.match(status, /4/);
    const empties = await h.ok(["metrics"]);
    assert.ok(empties.length > 0);
    const m = await h.json<Record<string, any>>(["metrics"]);
    assert.equal(m.total_jobs, 4);
    assert.equal(m.fastest, null);
    assert.equal(m.slowest, null);
    assert.equal(m.success_rate, null, "success_rate is null when nothing has finished");
  }),

  scenario("jobs", "metrics: totals, success rate, durations, fastest and slowest", async (h) => {
    await h.enqueue({ id: "slow", command: "sleep 0.5" });
    await h.enqueue({ id: "fast", command: "true" });
    await h.enqueue({ id: "bad", command: "exit 2", max_retries: 0 });
    h.worker(3);
    await h.waitCounts("2 completed + 1 dead", (c) => c.completed === 2 && c.dead === 1);
    const m = await h.json<Record<string, any>>(["metrics"]);
    assert.deepEqual(m.counts, { pending: 0, processing: 0, completed: 2, failed: 0, dead: 1, cancelled: 0 });
    assert.equal(m.total_jobs, 3);
    assert.equal(m.attempts_total, 3);
    assert.equal(m.attempts_failed, 1);
    assert.ok(Math.abs(m.success_rate - 2 / 3) < 0.01, `success_rate ${m.success_rate}, expected 2/3`);
    for (const k of ["avg", "p50", "p95"]) assert.equal(typeof m.duration_ms[k], "number", `duration_ms.${k}`);
    assert.ok(m.duration_ms.p95 >= m.duration_ms.p50);
    assert.equal(m.slowest.job_id, "slow");
    assert.ok(m.slowest.duration_ms >= 450, `slowest ${m.slowest.duration_ms} ms, sleep 0.5`);
    assert.notEqual(m.fastest.job_id, "slow");
    assert.ok(m.fastest.duration_ms <= m.slowest.duration_ms);
    assert.ok(m.throughput && typeof m.throughput === "object", "throughput object");
    const human = await h.ok(["metrics"]);
    assert.match(human, /slow/);
  }),
];
