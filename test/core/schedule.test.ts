// The cron rule with an injected clock: which slots fire when (time zones, daylight saving,
// catch-up, overlap). No store: planSlots is a pure function of the schedule and `now`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueueError } from "../../src/core/errors.js";
import { MAX_CATCH_UP, ON_TIME_MS, overlapSkips, type CatchUp, type Schedule } from "../../src/core/schedule.js";
import { planSlots } from "../../src/core/schedule-slots.js";
import { toNewSchedule } from "../../src/core/schedule-input.js";

type Plannable = Pick<Schedule, "cron" | "tz" | "catch_up" | "overlap" | "last_slot">;

const at = (iso: string): number => Date.parse(iso);
const isoAll = (slots: number[]): string[] => slots.map((t) => new Date(t).toISOString());

/**
 * Runs a schedule the way workers do, with a clock that ticks every `stepMs` from `from` to `to`:
 * at each tick the due slots fire and last_slot moves on. Returns every slot fired.
 */
function simulate(schedule: Plannable, from: number, to: number, stepMs: number): number[] {
  const fired: number[] = [];
  let state = { ...schedule, last_slot: from };
  for (let now = from; now <= to; now += stepMs) {
    const plan = planSlots(state, now);
    fired.push(...plan.fire);
    state = { ...state, last_slot: plan.through };
  }
  return fired;
}

const daily = (tz: string, catch_up: CatchUp = "last"): Plannable => ({
  cron: "30 2 * * *",
  tz,
  catch_up,
  overlap: "allow",
  last_slot: 0,
});

describe("cron schedules: slots in a time zone", () => {
  it("a daily 02:30 in Europe/Berlin over spring forward (2026-03-29) fires once a day, at 03:00 CEST on the gap day", () => {
    const fired = simulate(daily("Europe/Berlin"), at("2026-03-27T12:00:00Z"), at("2026-03-31T12:00:00Z"), 60_000);
    assert.deepEqual(isoAll(fired), [
      "2026-03-28T01:30:00.000Z", // 02:30 CET (UTC+1)
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist: the first instant after the gap, 03:00 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST (UTC+2)
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("a daily 02:30 in Europe/Berlin over fall back (2026-10-25) fires once, at the first 02:30", () => {
    const fired = simulate(daily("Europe/Berlin"), at("2026-10-23T12:00:00Z"), at("2026-10-27T12:00:00Z"), 60_000);
    assert.deepEqual(isoAll(fired), [
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // the first 02:30 (CEST); the repeated hour's 02:30 CET does not fire again
      "2026-10-26T01:30:00.000Z", // 02:30 CET
      "2026-10-27T01:30:00.000Z",
    ]);
  });

  it("the same expression in UTC ignores Berlin's clock change", () => {
    const fired = simulate(daily("UTC"), at("2026-03-28T12:00:00Z"), at("2026-03-30T12:00:00Z"), 60_000);
    assert.deepEqual(isoAll(fired), ["2026-03-29T02:30:00.000Z", "2026-03-30T02:30:00.000Z"]);
  });

  it("6 fields with seconds first: every second, each slot once, none missed", () => {
    const every = {
      cron: "* * * * * *",
      tz: "UTC",
      catch_up: "last" as const,
      overlap: "allow" as const,
      last_slot: 0,
    };
    const start = at("2026-01-01T00:00:00.400Z");
    // Ticks 300 ms apart: slots come due between ticks and fire at the next one.
    const fired = simulate(every, start, start + 10_000, 300);
    assert.deepEqual(
      isoAll(fired),
      Array.from({ length: 10 }, (_, i) => new Date(at("2026-01-01T00:00:01Z") + i * 1000).toISOString()),
    );
  });
});

describe("cron schedules: catch-up after no worker ran", () => {
  const hourly = (catch_up: CatchUp): Plannable => ({
    cron: "0 * * * *",
    tz: "UTC",
    catch_up,
    overlap: "allow",
    last_slot: at("2026-05-01T00:00:00Z"), // settled through midnight
  });
  const now = at("2026-05-01T05:20:00Z"); // 01:00 … 05:00 were missed

  it("none skips the missed slots", () => {
    const plan = planSlots(hourly("none"), now);
    assert.deepEqual(plan.fire, []);
    assert.equal(plan.through, now);
    assert.equal(plan.next_slot, at("2026-05-01T06:00:00Z"));
  });

  it("last fires the most recent missed slot only", () => {
    assert.deepEqual(isoAll(planSlots(hourly("last"), now).fire), ["2026-05-01T05:00:00.000Z"]);
  });

  it("all fires each missed slot, oldest first", () => {
    assert.deepEqual(isoAll(planSlots(hourly("all"), now).fire), [
      "2026-05-01T01:00:00.000Z",
      "2026-05-01T02:00:00.000Z",
      "2026-05-01T03:00:00.000Z",
      "2026-05-01T04:00:00.000Z",
      "2026-05-01T05:00:00.000Z",
    ]);
  });

  it(`all is bounded: at most ${MAX_CATCH_UP} missed slots, the most recent`, () => {
    const minutely = { ...hourly("all"), cron: "* * * * *" };
    const fire = planSlots(minutely, now).fire;
    // 05:20 itself is on time (it fires anyway); the 100 before it are the missed ones kept.
    assert.equal(fire.length, MAX_CATCH_UP + 1);
    assert.equal(fire.at(-1), at("2026-05-01T05:20:00Z"));
    assert.equal(fire[0], at("2026-05-01T05:20:00Z") - MAX_CATCH_UP * 60_000);
    assert.ok(fire.every((slot, i) => i === 0 || slot - (fire[i - 1] as number) === 60_000));
  });

  it(`a slot at most ${ON_TIME_MS / 1000} s late is on time: it fires even with none`, () => {
    const plan = planSlots(hourly("none"), at("2026-05-01T01:00:04Z"));
    assert.deepEqual(isoAll(plan.fire), ["2026-05-01T01:00:00.000Z"]);
  });

  it("nothing due: nothing fires and the next slot is named", () => {
    const plan = planSlots({ ...hourly("all"), last_slot: at("2026-05-01T05:00:00Z") }, now);
    assert.deepEqual(plan.fire, []);
    assert.equal(plan.next_slot, at("2026-05-01T06:00:00Z"));
  });
});

describe("cron schedules: overlap", () => {
  it("skip fires at most one slot of a batch, and skips while the previous job is pending, failed or processing", () => {
    const plan = planSlots(
      { cron: "0 * * * *", tz: "UTC", catch_up: "all", overlap: "skip", last_slot: at("2026-05-01T00:00:00Z") },
      at("2026-05-01T03:30:00Z"),
    );
    assert.deepEqual(isoAll(plan.fire), ["2026-05-01T01:00:00.000Z"]);
    for (const state of ["pending", "failed", "processing"] as const) assert.equal(overlapSkips("skip", state), true);
    for (const state of ["completed", "dead", null] as const) assert.equal(overlapSkips("skip", state), false);
    assert.equal(overlapSkips("allow", "processing"), false);
  });
});

describe("cron schedules: input", () => {
  const bad = (input: Record<string, unknown>, field: string) => {
    assert.throws(
      () => toNewSchedule({ name: "n", cron: "* * * * *", command: "true", ...input }, Date.now()),
      (error: unknown) =>
        error instanceof QueueError && error.kind === "invalid" && error.message.startsWith(`${field}:`),
      JSON.stringify(input),
    );
  };

  it("names the field of a bad expression, zone, policy, duration or name", () => {
    bad({ cron: "* * * *" }, "cron");
    bad({ cron: "61 * * * *" }, "cron");
    bad({ cron: "* * * * * * *" }, "cron");
    bad({ cron: "0 0 30 2 *" }, "cron"); // 30 February never comes
    bad({ tz: "Mars/Olympus" }, "tz");
    bad({ catch_up: "some" }, "catch_up");
    bad({ overlap: "queue" }, "overlap");
    bad({ timeout: -1 }, "timeout");
    bad({ name: "has space" }, "name");
    bad({ name: "x".repeat(65) }, "name");
    bad({ command: "" }, "command");
    bad({ when: "daily" }, "when");
  });

  it("names the field of a bad queue, cwd, env or exit code, by the rules of a job", () => {
    bad({ queue: "has space" }, "queue");
    bad({ cwd: "relative/dir" }, "cwd");
    bad({ env: { "1BAD": "x" } }, "env.1BAD");
    bad({ env: { QUEUECTL_JOB_ID: "x" } }, "env.QUEUECTL_JOB_ID");
    bad({ env: ["A=1"] }, "env");
    bad({ no_retry_exit_codes: [256] }, "no_retry_exit_codes.0");
    bad({ no_retry_exit_codes: 2 }, "no_retry_exit_codes");
    bad({ key: "k" }, "key");
  });

  it("the job template: queue, cwd, env and exit codes as a job stores them", () => {
    const given = { queue: "reports", cwd: "/srv", env: { A: "1" }, no_retry_exit_codes: [64, 2, 64] };
    const s = toNewSchedule({ name: "n", cron: "* * * * *", command: "true", ...given }, Date.now());
    assert.deepEqual([s.queue, s.cwd, s.env, s.no_retry_exit_codes], ["reports", "/srv", { A: "1" }, [2, 64]]);
    const plain = toNewSchedule({ name: "n", cron: "* * * * *", command: "true", env: {} }, Date.now());
    assert.deepEqual([plain.queue, plain.cwd, plain.env, plain.no_retry_exit_codes], ["default", null, null, []]);
  });

  it("defaults: UTC, catch-up last, overlap allow; settled up to now", () => {
    const now = at("2026-05-01T00:00:30Z");
    const s = toNewSchedule({ name: "nightly.backup_1", cron: " 0  3 * * * ", command: "backup" }, now);
    assert.equal(s.cron, "0 3 * * *");
    assert.equal(s.tz, "UTC");
    assert.equal(s.catch_up, "last");
    assert.equal(s.overlap, "allow");
    assert.equal(s.last_slot, now);
    assert.equal(s.next_slot, at("2026-05-01T03:00:00Z"));
    assert.equal(s.priority, null, "job defaults are decided when each job is made");
  });
});
