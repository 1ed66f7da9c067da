import { Cron } from "croner";
import type { JobState, NewJob } from "./types.js";

/**
 * Cron schedules: which slots are due, which of them fire (catch-up), and when a slot is skipped
 * because the schedule's previous job still runs (overlap). Pure functions of the schedule and a
 * `now` the caller passes (tests inject any clock); the engines only store what they decide.
 * Parsing, time zones and daylight-saving changes are croner's: a fixed-time slot that falls in a
 * spring-forward gap fires at the first instant after it, and one in the repeated hour of a
 * fall-back fires once.
 */

export const CATCH_UP_POLICIES = ["none", "last", "all"] as const;
export type CatchUp = (typeof CATCH_UP_POLICIES)[number];
export const OVERLAP_POLICIES = ["allow", "skip"] as const;
export type Overlap = (typeof OVERLAP_POLICIES)[number];

/**
 * A slot at most this late is on time: it fires whatever the catch-up policy (a busy or briefly
 * stalled worker must not drop slots). Older due slots were missed (no worker ran) and follow the
 * catch-up policy.
 */
export const ON_TIME_MS = 10_000;
/** `--catch-up all` fires at most this many missed slots (the most recent ones). */
export const MAX_CATCH_UP = 100;
/** While the schedule's previous job is in one of these states, `--overlap skip` skips a slot. */
export const ACTIVE_STATES: readonly JobState[] = ["pending", "failed", "processing"];

/** The job a schedule makes at each slot. null: the config default at the time the job is made. */
export interface JobTemplate {
  command: string;
  priority: number | null;
  max_retries: number | null;
  timeout: number | null;
}

export interface Schedule extends JobTemplate {
  name: string;
  cron: string;
  tz: string;
  catch_up: CatchUp;
  overlap: Overlap;
  paused: boolean;
  /** Every slot at or before this instant is settled: fired, skipped, or before the schedule existed
   * or was resumed. */
  last_slot: number;
  /** The first slot after last_slot (null: the expression has no further slot). */
  next_slot: number | null;
  /** The schedule's latest job (from a slot or `schedule run`), and the time it was due. */
  last_job_id: string | null;
  last_run_at: number | null;
  created_at: number;
  updated_at: number;
  /** Read with the schedule: the state of last_job_id, null when there is none (or it was pruned). */
  last_job_state: JobState | null;
}

export type NewSchedule = Omit<Schedule, "last_job_state">;

/** One fire attempt as the store applies it, in one transaction. */
export interface ScheduleFiring {
  name: string;
  now: number;
  /** Each carries `schedule` = name and, for a slot, `schedule_slot`. */
  jobs: NewJob[];
  /** Insert nothing while the schedule's previous job is in ACTIVE_STATES. */
  skip_if_active: boolean;
  /**
   * A slot firing: applies only while the schedule is not paused and its last_slot is still `from`
   * (compare-and-set: of several workers firing at once one wins, the others change nothing), and
   * sets last_slot to `through`. Absent: a manual run, outside the slots.
   */
  advance?: { from: number; through: number; next_slot: number | null };
}

/** croner for an expression and zone; throws croner's error for a bad one. */
export function cronOf(expression: string, tz: string): Cron {
  return new Cron(expression, { timezone: tz, paused: true, mode: "5-or-6-parts" });
}

/** The first slot strictly after `after`, or null. */
export function nextSlot(schedule: Pick<Schedule, "cron" | "tz">, after: number): number | null {
  return cronOf(schedule.cron, schedule.tz).nextRun(new Date(after))?.getTime() ?? null;
}

export interface SlotPlan {
  /** Slots to fire now, oldest first. */
  fire: number[];
  /** The new last_slot: everything up to `now` is settled by this plan. */
  through: number;
  next_slot: number | null;
}

/** The most on-time slots looked at in one plan (a 6-field every-second schedule has 10). */
const ON_TIME_LIMIT = 1000;

/** What to do at `now` with the slots after the schedule's last_slot. */
export function planSlots(
  schedule: Pick<Schedule, "cron" | "tz" | "catch_up" | "overlap" | "last_slot">,
  now: number,
): SlotPlan {
  const cron = cronOf(schedule.cron, schedule.tz);
  const lateFrom = now - ON_TIME_MS; // slots at or before this were missed
  let fire: number[] = [];
  if (schedule.last_slot < lateFrom && schedule.catch_up !== "none") {
    const count = schedule.catch_up === "all" ? MAX_CATCH_UP : 1;
    // previousRuns counts a run earlier in the reference's own second: +1 ms includes lateFrom.
    const missed = cron
      .previousRuns(count, new Date(lateFrom + 1))
      .map((date) => date.getTime())
      .filter((slot) => slot > schedule.last_slot && slot <= lateFrom);
    fire = missed.reverse();
  }
  let at = Math.max(schedule.last_slot, lateFrom);
  for (let i = 0; i < ON_TIME_LIMIT; i++) {
    const slot = cron.nextRun(new Date(at))?.getTime();
    if (slot === undefined || slot > now) break;
    fire.push(slot);
    at = slot;
  }
  // Skipping overlaps: the first slot's job is still pending when the next would fire.
  if (schedule.overlap === "skip") fire = fire.slice(0, 1);
  const through = Math.max(now, schedule.last_slot);
  return { fire, through, next_slot: cron.nextRun(new Date(through))?.getTime() ?? null };
}

/** Whether `--overlap skip` skips a slot, given the state of the schedule's previous job. */
export function overlapSkips(overlap: Overlap, previous: JobState | null): boolean {
  return overlap === "skip" && previous !== null && ACTIVE_STATES.includes(previous);
}
