// fireDueSchedules with an injected clock, on a real (in-memory SQLite) store: the core plans, the
// store applies. Every engine is held to the same by the contract suite (test/store/contract/schedules.ts).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CONFIG_DEFAULTS } from "../../src/core/config.js";
import { toNewSchedule } from "../../src/core/schedule-input.js";
import { fireDueSchedules, Schedules } from "../../src/core/schedules.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";

const at = (iso: string): number => Date.parse(iso);
const config = { ...CONFIG_DEFAULTS };

describe("cron schedules: firing with an injected clock", () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = SqliteStore.open(":memory:");
    await store.migrate();
  });
  afterEach(() => store.close());

  const runAts = async (name: string): Promise<string[]> =>
    (await store.listJobs({ limit: 1000 })).jobs
      .filter((job) => job.schedule === name)
      .map((job) => new Date(job.run_at).toISOString())
      .sort();

  it("catch-up all after 3 missed hours fires each slot once, run_at = the slot; firing again adds nothing", async () => {
    const added = at("2026-05-01T00:00:00Z");
    await store.insertSchedule(
      toNewSchedule({ name: "hourly", cron: "0 * * * *", catch_up: "all", command: "true", priority: 9 }, added),
      false,
    );
    const now = at("2026-05-01T03:30:00Z");
    const result = await fireDueSchedules(store, config, now);
    assert.equal(result.jobs.length, 3);
    assert.deepEqual(await runAts("hourly"), [
      "2026-05-01T01:00:00.000Z",
      "2026-05-01T02:00:00.000Z",
      "2026-05-01T03:00:00.000Z",
    ]);
    assert.equal((await store.getJob(result.jobs[0] as string))?.priority, 9, "the template's job options");
    assert.equal((await fireDueSchedules(store, config, now + 1000)).jobs.length, 0, "nothing is due twice");
    const schedule = await store.getSchedule("hourly");
    assert.equal(schedule?.next_slot, at("2026-05-01T04:00:00Z"));
    assert.equal(schedule?.last_run_at, at("2026-05-01T03:00:00Z"));
  });

  it("slot jobs and a manual run carry the schedule's queue, cwd, env and exit codes", async () => {
    const template = { queue: "reports", cwd: "/srv/app", env: { RELEASE: "1" }, no_retry_exit_codes: [2, 64] };
    const added = at("2026-05-01T00:00:00Z");
    await store.insertSchedule(
      toNewSchedule({ name: "report", cron: "0 * * * *", command: "make report", ...template }, added),
      false,
    );
    const fired = await fireDueSchedules(store, config, at("2026-05-01T01:00:01Z"));
    const schedules = new Schedules(store, async () => config);
    const ids = [...fired.jobs, await schedules.run("report")];
    assert.equal(ids.length, 2);
    for (const id of ids) {
      const job = await store.getJob(id);
      assert.deepEqual([job?.queue, job?.cwd, job?.env, job?.no_retry_exit_codes], Object.values(template), id);
    }
  });

  it("overlap skip: no job while the previous one is still pending", async () => {
    await store.insertSchedule(
      toNewSchedule({ name: "solo", cron: "* * * * *", overlap: "skip", command: "true" }, at("2026-05-01T00:00:00Z")),
      false,
    );
    assert.equal((await fireDueSchedules(store, config, at("2026-05-01T00:01:01Z"))).jobs.length, 1);
    const second = await fireDueSchedules(store, config, at("2026-05-01T00:02:01Z"));
    assert.deepEqual([second.jobs.length, second.skipped], [0, 1]);
    assert.deepEqual(await runAts("solo"), ["2026-05-01T00:01:00.000Z"]);
  });

  it("a stored schedule that can no longer be planned is reported and looked at again a minute later", async () => {
    const good = toNewSchedule({ name: "odd", cron: "* * * * *", command: "true" }, at("2026-05-01T00:00:00Z"));
    await store.insertSchedule({ ...good, tz: "Gone/Zone" }, false);
    const now = at("2026-05-01T00:05:00Z");
    const result = await fireDueSchedules(store, config, now);
    assert.deepEqual(
      result.broken.map((b) => b.name),
      ["odd"],
    );
    assert.equal((await store.getSchedule("odd"))?.next_slot, now + 60_000, "not due again at once");
    assert.deepEqual(await store.dueSchedules(now + 1000), []);
  });
});
