import type { NewSchedule, Schedule, ScheduleFiring } from "./schedule.js";

/** The Store's cron schedules (the rule is core/schedule.ts; the store keeps and applies). */
export interface ScheduleStore {
  /** Adds a schedule. A taken name throws a "conflict" QueueError, unless `replace`: then the
   * definition is replaced and its last job, creation time and settled slots (at least) are kept. */
  insertSchedule(schedule: NewSchedule, replace: boolean): Promise<void>;
  /** One schedule with its last job's state, or null. */
  getSchedule(name: string): Promise<Schedule | null>;
  /** Every schedule, by name. */
  listSchedules(): Promise<Schedule[]>;
  /** Schedules not paused whose next_slot <= now. */
  dueSchedules(now: number): Promise<Schedule[]>;
  /** The earliest next_slot of the schedules not paused, or null. */
  nextScheduleSlot(): Promise<number | null>;
  /** Pauses, or resumes: then last_slot = max(last_slot, now) (slots while paused never fire) and
   * next_slot = `nextSlot`. False for an unknown name. */
  setSchedulePaused(name: string, paused: boolean, now: number, nextSlot: number | null): Promise<boolean>;
  /** Removes a schedule (its jobs stay); false for an unknown name. */
  removeSchedule(name: string): Promise<boolean>;
  /**
   * Applies one fire attempt in one transaction (see ScheduleFiring): the compare-and-set on
   * last_slot, then, unless the previous job is active and `skip_if_active`, the jobs, and the
   * schedule's last job. A (schedule, schedule_slot) pair is unique: a slot never makes two jobs.
   * Returns the ids of the jobs inserted ([] when skipped), or null when nothing applied (unknown
   * name, or a slot firing that lost the compare-and-set or found the schedule paused).
   */
  fireSchedule(firing: ScheduleFiring): Promise<string[] | null>;
}
