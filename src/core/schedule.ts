import type { JobState, NewJob } from "./types.js";

/**
 * Cron schedules: what a schedule is, its policies, and when a slot is skipped because the
 * schedule's previous job still runs (overlap). Which slots fire when is schedule-slots.ts. No
 * croner here: the stores import this module, and most commands never need croner.
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
/** The most upcoming slots one request lists. */
export const MAX_UPCOMING = 20;
/** While the schedule's previous job is in one of these states, `--overlap skip` skips a slot. */
export const ACTIVE_STATES: readonly JobState[] = ["pending", "failed", "processing"];

/** The job a schedule makes at each slot. null: the config default at the time the job is made. */
export interface JobTemplate {
  command: string;
  priority: number | null;
  max_retries: number | null;
  timeout: number | null;
  /** The rest as a job stores them (core/types.ts Job): queue, directory, variables, exit codes. */
  queue: string;
  cwd: string | null;
  env: Record<string, string> | null;
  no_retry_exit_codes: number[];
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

/** Whether `--overlap skip` skips a slot, given the state of the schedule's previous job. */
export function overlapSkips(overlap: Overlap, previous: JobState | null): boolean {
  return overlap === "skip" && previous !== null && ACTIVE_STATES.includes(previous);
}
