import type { Config } from "./config.js";
import { notFound } from "./errors.js";
import { resolveDefaults } from "./job-defaults.js";
import type { Schedule } from "./schedule.js";
import type { SlotPlan } from "./schedule-slots.js";
import type { Store } from "./store.js";
import type { NewJob } from "./types.js";

/**
 * Cron schedules for the faces (add, list, show, pause, resume, remove, run now) and the firing
 * every worker's maintenance does (fireDueSchedules). Validation, job ids and croner load on first
 * use: a command or a worker that touches no schedule never loads them (zod alone takes ~70 ms).
 */
export class Schedules {
  constructor(
    private readonly store: Store,
    private readonly config: () => Promise<Config>,
  ) {}

  /** Validates and stores a schedule; returns it as stored. */
  async add(input: unknown, options: { replace?: boolean } = {}): Promise<Schedule> {
    const { toNewSchedule } = await import("./schedule-input.js");
    const schedule = toNewSchedule(input, Date.now());
    await this.store.insertSchedule(schedule, options.replace === true);
    this.store.notify(); // workers sleeping until their next slot look again
    return this.get(schedule.name);
  }

  async list(): Promise<Schedule[]> {
    return this.store.listSchedules();
  }

  async get(name: string): Promise<Schedule> {
    await checkName(name);
    const schedule = await this.store.getSchedule(name);
    if (!schedule) throw notFound("schedule", name);
    return schedule;
  }

  async pause(name: string): Promise<Schedule> {
    await checkName(name);
    if (!(await this.store.setSchedulePaused(name, true, Date.now(), null))) throw notFound("schedule", name);
    return this.get(name);
  }

  /** Slots that came while it was paused are not fired: it goes on from now. */
  async resume(name: string): Promise<Schedule> {
    const now = Date.now();
    const schedule = await this.get(name);
    const { nextSlot } = await import("./schedule-slots.js");
    const next = nextSlot(schedule, Math.max(now, schedule.last_slot));
    if (!(await this.store.setSchedulePaused(name, false, now, next))) throw notFound("schedule", name);
    this.store.notify();
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    await checkName(name);
    if (!(await this.store.removeSchedule(name))) throw notFound("schedule", name);
  }

  /** The next `count` slots of the schedule (epoch ms), its next slot first. */
  async upcoming(name: string, count: number): Promise<number[]> {
    const schedule = await this.get(name);
    const { upcomingSlots } = await import("./schedule-slots.js");
    return upcomingSlots(schedule, Date.now(), count);
  }

  /** One job of the schedule now, outside its slots (also when paused); returns its id. */
  async run(name: string): Promise<string> {
    const now = Date.now();
    const schedule = await this.get(name);
    const { newJobId } = await import("./job-input.js");
    const [job] = slotJobs(schedule, [null], await this.config(), now, newJobId);
    const ids = await this.store.fireSchedule({ name, now, jobs: [job as NewJob], skip_if_active: false });
    if (ids === null || ids.length === 0) throw notFound("schedule", name);
    this.store.notify();
    return ids[0] as string;
  }
}

async function checkName(name: string): Promise<void> {
  const { checkScheduleName } = await import("./schedule-input.js");
  checkScheduleName(name);
}

/** The jobs of `slots` (null: a manual run, due now): the template with the config's defaults. */
export function slotJobs(
  schedule: Schedule,
  slots: (number | null)[],
  config: Config,
  now: number,
  newId: (now: number) => string,
): NewJob[] {
  const { priority, max_retries, timeout } = resolveDefaults(
    {
      priority: schedule.priority ?? undefined,
      max_retries: schedule.max_retries ?? undefined,
      timeout: schedule.timeout ?? undefined,
    },
    config,
  );
  return slots.map((slot) => ({
    id: newId(now),
    command: schedule.command,
    priority,
    max_retries,
    timeout,
    run_at: slot ?? now,
    created_at: now,
    schedule: schedule.name,
    schedule_slot: slot,
    queue: schedule.queue,
    cwd: schedule.cwd,
    env: schedule.env,
    no_retry_exit_codes: schedule.no_retry_exit_codes,
  }));
}

export interface FireResult {
  /** Ids of the jobs made. */
  jobs: string[];
  /** Slots skipped because the previous job still ran (overlap skip). */
  skipped: number;
  /** Schedules that could not be planned (e.g. a zone this runtime no longer knows): retried later. */
  broken: { name: string; reason: string }[];
}

/** A schedule that cannot be planned is looked at again after this long, not at every tick. */
const BROKEN_RETRY_MS = 60_000;

/**
 * Fires every due slot of every schedule at `now`. Run by every worker at once with no leader: the
 * store's compare-and-set on each schedule's last_slot lets one of them apply a slot, and the
 * unique (schedule, slot) pair makes a second job of a slot impossible.
 */
export async function fireDueSchedules(store: Store, config: Config, now: number): Promise<FireResult> {
  const result: FireResult = { jobs: [], skipped: 0, broken: [] };
  const due = await store.dueSchedules(now);
  if (due.length === 0) return result;
  const [{ newJobId }, { planSlots }] = await Promise.all([import("./job-input.js"), import("./schedule-slots.js")]);
  for (const schedule of due) {
    let plan: SlotPlan;
    try {
      plan = planSlots(schedule, now);
    } catch (error) {
      // Stored valid, now refused (the runtime's zone data changed): settle what is due, retry later.
      result.broken.push({ name: schedule.name, reason: (error as Error).message });
      plan = { fire: [], through: Math.max(now, schedule.last_slot), next_slot: now + BROKEN_RETRY_MS };
    }
    const ids = await store.fireSchedule({
      name: schedule.name,
      now,
      jobs: slotJobs(schedule, plan.fire, config, now, newJobId),
      skip_if_active: schedule.overlap === "skip",
      advance: { from: schedule.last_slot, through: plan.through, next_slot: plan.next_slot },
    });
    if (ids === null) continue; // another worker applied it first
    result.jobs.push(...ids);
    if (ids.length < plan.fire.length) result.skipped += plan.fire.length - ids.length;
  }
  return result;
}
