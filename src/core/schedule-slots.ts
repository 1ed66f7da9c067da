import { Cron } from "croner";
import { MAX_CATCH_UP, ON_TIME_MS, type Schedule } from "./schedule.js";

/**
 * Which slots of a schedule are due, and which of them fire (catch-up, overlap): pure functions of
 * the schedule and a `now` the caller passes (tests inject any clock); the engines only store what
 * they decide. Parsing, time zones and daylight-saving changes are croner's: a fixed-time slot that
 * falls in a spring-forward gap fires at the first instant after it, and one in the repeated hour
 * of a fall-back fires once.
 */

/** croner for an expression and zone; throws croner's error for a bad one. */
export function cronOf(expression: string, tz: string): Cron {
  return new Cron(expression, { timezone: tz, paused: true, mode: "5-or-6-parts" });
}

/** The first slot strictly after `after`, or null. */
export function nextSlot(schedule: Pick<Schedule, "cron" | "tz">, after: number): number | null {
  return cronOf(schedule.cron, schedule.tz).nextRun(new Date(after))?.getTime() ?? null;
}

/**
 * The next `count` slots as the schedule stands: from its next slot on, or, while paused, those a
 * resume now would fire.
 */
export function upcomingSlots(
  schedule: Pick<Schedule, "cron" | "tz" | "paused" | "last_slot" | "next_slot">,
  now: number,
  count: number,
): number[] {
  const cron = cronOf(schedule.cron, schedule.tz);
  const runs = (n: number, after: number) => cron.nextRuns(n, new Date(after)).map((date) => date.getTime());
  if (schedule.paused) return runs(count, Math.max(now, schedule.last_slot));
  if (schedule.next_slot === null) return [];
  return [schedule.next_slot, ...runs(count - 1, schedule.next_slot)];
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
