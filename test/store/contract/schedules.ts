/** Store contract: cron schedules kept, and each slot firing applied once (compare-and-set, unique slot). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewSchedule, ScheduleFiring } from "../../../src/core/schedule.js";
import type { Store } from "../../../src/core/store.js";
import { claimOne, finished, mustGet, newJob, rejectsWith, storeCase, type MakeStore } from "./harness.js";

const T0 = Date.now() - 60_000;

function schedule(name: string, overrides: Partial<NewSchedule> = {}): NewSchedule {
  return {
    name,
    cron: "* * * * * *",
    tz: "UTC",
    command: `echo ${name}`,
    priority: null,
    max_retries: null,
    timeout: null,
    catch_up: "last",
    overlap: "allow",
    paused: false,
    last_slot: T0,
    next_slot: T0 + 1000,
    last_job_id: null,
    last_run_at: null,
    created_at: T0,
    updated_at: T0,
    queue: "default",
    cwd: null,
    env: null,
    no_retry_exit_codes: [],
    ...overrides,
  };
}

/** The firing of one slot, planned from last_slot `from`, as a worker plans it. */
function slotFiring(name: string, slot: number, from: number, id: string, skipIfActive = false): ScheduleFiring {
  return {
    name,
    now: slot + 5,
    jobs: [newJob(id, slot, { schedule: name, schedule_slot: slot })],
    skip_if_active: skipIfActive,
    advance: { from, through: slot + 5, next_slot: slot + 1000 },
  };
}

async function scheduleJobs(store: Store, name: string) {
  const page = await store.listJobs({ limit: 1000 });
  return page.jobs.filter((job) => job.schedule === name);
}

export function schedulesCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("cron schedules", () => {
      it(
        "stores, lists by name, refuses a taken name, replaces keeping the history, removes",
        withStore(async (store) => {
          await store.insertSchedule(schedule("b"), false);
          await store.insertSchedule(schedule("a", { tz: "Europe/Berlin", priority: 7, paused: true }), false);
          assert.deepEqual(
            (await store.listSchedules()).map((s) => [s.name, s.tz, s.priority, s.paused]),
            [
              ["a", "Europe/Berlin", 7, true],
              ["b", "UTC", null, false],
            ],
          );
          await rejectsWith(store.insertSchedule(schedule("a"), false), "conflict", '"a"');
          assert.equal((await store.getSchedule("a"))?.tz, "Europe/Berlin", "the refused add wrote nothing");

          const ids = await store.fireSchedule(slotFiring("b", T0 + 1000, T0, "job-b1"));
          assert.deepEqual(ids, ["job-b1"]);
          await store.insertSchedule(schedule("b", { cron: "0 * * * *", last_slot: T0 - 5000 }), true);
          const replaced = await store.getSchedule("b");
          assert.equal(replaced?.cron, "0 * * * *");
          assert.equal(replaced?.last_job_id, "job-b1", "the last job is kept");
          assert.equal(replaced?.last_job_state, "pending");
          assert.equal(replaced?.last_slot, T0 + 1005, "settled slots never go back");

          assert.equal(await store.removeSchedule("b"), true);
          assert.equal(await store.removeSchedule("b"), false);
          assert.equal(await store.getSchedule("b"), null);
          assert.equal((await mustGet(store, "job-b1")).schedule, "b", "its jobs stay");
        }),
      );

      it(
        "keeps a schedule's queue, cwd, env and no-retry exit codes; its jobs carry them",
        withStore(async (store) => {
          const env = { RELEASE: "1", QUOTED: "a 'b' \"c\" $d" };
          const template = { queue: "reports", cwd: "/srv/app", env, no_retry_exit_codes: [2, 64] };
          await store.insertSchedule(schedule("opts", template), false);
          await store.insertSchedule(schedule("plain"), false);
          const stored = await store.getSchedule("opts");
          assert.deepEqual(
            [stored?.queue, stored?.cwd, stored?.env, stored?.no_retry_exit_codes],
            ["reports", "/srv/app", env, [2, 64]],
          );
          const plain = (await store.listSchedules()).find((s) => s.name === "plain");
          assert.deepEqual(
            [plain?.queue, plain?.cwd, plain?.env, plain?.no_retry_exit_codes],
            ["default", null, null, []],
          );
          const slot = T0 + 1000;
          const firing = slotFiring("opts", slot, T0, "opts-1");
          firing.jobs = firing.jobs.map((job) => ({ ...job, ...template }));
          assert.deepEqual(await store.fireSchedule(firing), ["opts-1"]);
          const manual = { ...template, schedule: "opts", schedule_slot: null };
          const run = {
            name: "opts",
            now: slot + 10,
            jobs: [newJob("opts-m", slot + 10, manual)],
            skip_if_active: false,
          };
          assert.deepEqual(await store.fireSchedule(run), ["opts-m"]);
          for (const id of ["opts-1", "opts-m"]) {
            const job = await mustGet(store, id);
            assert.deepEqual(
              [job.queue, job.cwd, job.env, job.no_retry_exit_codes],
              ["reports", "/srv/app", env, [2, 64]],
            );
          }

          await store.insertSchedule(schedule("opts", { queue: "other", env: null, no_retry_exit_codes: [] }), true);
          const replaced = await store.getSchedule("opts");
          assert.deepEqual(
            [replaced?.queue, replaced?.cwd, replaced?.env, replaced?.no_retry_exit_codes],
            ["other", null, null, []],
            "replace takes the new template",
          );
        }),
      );

      it(
        "due: not paused and next_slot <= now; the earliest next slot; pause and resume",
        withStore(async (store) => {
          await store.insertSchedule(schedule("soon", { next_slot: T0 + 1000 }), false);
          await store.insertSchedule(schedule("later", { next_slot: T0 + 9000 }), false);
          await store.insertSchedule(schedule("held", { next_slot: T0 + 500, paused: true }), false);
          assert.deepEqual(
            (await store.dueSchedules(T0 + 1000)).map((s) => s.name),
            ["soon"],
          );
          assert.equal(await store.nextScheduleSlot(), T0 + 1000);
          assert.equal(await store.setSchedulePaused("soon", true, T0 + 2000, null), true);
          assert.equal(await store.nextScheduleSlot(), T0 + 9000);
          assert.deepEqual(await store.dueSchedules(T0 + 5000), []);
          assert.equal(await store.setSchedulePaused("soon", false, T0 + 20_000, T0 + 21_000), true);
          const resumed = await store.getSchedule("soon");
          assert.equal(resumed?.paused, false);
          assert.equal(resumed?.last_slot, T0 + 20_000, "slots while paused are settled, never fired");
          assert.equal(resumed?.next_slot, T0 + 21_000);
          assert.equal(await store.setSchedulePaused("nope", true, T0, null), false);
          assert.equal(await store.fireSchedule(slotFiring("held", T0 + 1000, T0, "job-held")), null, "paused");
        }),
      );

      it(
        "two concurrent fire attempts for one slot make one job",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            for (let round = 0; round < 5; round++) {
              const name = `race-${round}`;
              await store.insertSchedule(schedule(name), false);
              const slot = T0 + 1000;
              const results = await Promise.all([
                store.fireSchedule(slotFiring(name, slot, T0, `${name}-a`)),
                other.fireSchedule(slotFiring(name, slot, T0, `${name}-b`)),
                store.fireSchedule(slotFiring(name, slot, T0, `${name}-c`)),
              ]);
              assert.equal(results.filter((r) => r !== null).length, 1, `one firing wins: ${JSON.stringify(results)}`);
              const jobs = await scheduleJobs(store, name);
              assert.equal(jobs.length, 1, "one job for the slot");
              assert.equal(jobs[0]?.run_at, slot, "its run_at is the slot");
              const s = await store.getSchedule(name);
              assert.equal(s?.last_job_id, jobs[0]?.id);
              assert.equal(s?.last_run_at, slot);
              assert.equal(s?.last_slot, slot + 5);
            }
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "a slot that already has a job never gets a second, even past the compare-and-set",
        withStore(async (store) => {
          await store.insertSchedule(schedule("once"), false);
          const slot = T0 + 1000;
          assert.deepEqual(await store.fireSchedule(slotFiring("once", slot, T0, "once-1")), ["once-1"]);
          // A firing planned from the new last_slot that names the same slot again (a clock gone back).
          assert.deepEqual(await store.fireSchedule(slotFiring("once", slot, slot + 5, "once-2")), []);
          assert.equal((await scheduleJobs(store, "once")).length, 1);
          assert.equal(await store.getJob("once-2"), null);
        }),
      );

      it(
        "skip_if_active: no job while the previous one is pending or running; a manual run always goes in",
        withStore(async (store) => {
          await store.insertSchedule(schedule("solo", { overlap: "skip" }), false);
          assert.deepEqual(await store.fireSchedule(slotFiring("solo", T0 + 1000, T0, "solo-1", true)), ["solo-1"]);
          assert.deepEqual(
            await store.fireSchedule(slotFiring("solo", T0 + 2000, T0 + 1005, "solo-2", true)),
            [],
            "previous pending: skipped",
          );
          const s = await store.getSchedule("solo");
          assert.equal(s?.last_slot, T0 + 2005, "a skipped slot is settled");
          assert.equal(s?.last_job_id, "solo-1");

          const manual = { name: "solo", now: T0 + 2500, jobs: [newJob("solo-m", T0 + 2500)], skip_if_active: false };
          assert.deepEqual(await store.fireSchedule(manual), ["solo-m"]);
          assert.equal((await mustGet(store, "solo-m")).schedule, "solo");
          assert.equal((await store.getSchedule("solo"))?.last_slot, T0 + 2005, "a manual run settles no slot");

          const claimed = await claimOne(store, "w1", T0 + 3000);
          const claimed2 = await claimOne(store, "w1", T0 + 3000);
          await store.finishRuns([
            finished(claimed, { state: "completed" }),
            finished(claimed2, { state: "completed" }),
          ]);
          assert.deepEqual(await store.fireSchedule(slotFiring("solo", T0 + 4000, T0 + 2005, "solo-3", true)), [
            "solo-3",
          ]);
          assert.equal(await store.fireSchedule({ ...manual, name: "gone" }), null, "unknown schedule");
        }),
      );
    });
  });
}
