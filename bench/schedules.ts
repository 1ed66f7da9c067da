/**
 * Cron schedules under several workers (`node dist/bench/run.js schedules`): a schedule that fires
 * every second (`* * * * * *`, job `true`) on a fresh SQLite store, served by 3 worker processes
 * (`queuectl worker start --count 1` each, the real executor) for QUEUECTL_BENCH_SCHEDULE_SECONDS
 * (default 10), then paused. Every worker fires due slots with no leader, so this shows that each
 * slot makes exactly one job and none is missed, and how late the jobs start: the job's start (its
 * claim) minus its slot, and its creation (the firing) minus its slot.
 */
import { Queue } from "../src/open.js";
import type { Job } from "../src/core/types.js";
import { waitFor } from "../test/helpers/env.js";
import { cli, median, row, sqliteTarget, startWorker, stopWorker, type BenchRow } from "./lib.js";

const log = (msg: string) => process.stderr.write(`[bench schedules] ${msg}\n`);
const NAME = "every-second";
const WORKERS = 3;
/** Slots this close to the pause are not counted as missed: their firing may still have been due. */
const PAUSE_MARGIN_MS = 2000;

/** The `p`-th percentile (0..100) of `xs`, nearest rank. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export async function runScheduleBenches(): Promise<BenchRow[]> {
  const seconds = Number(process.env.QUEUECTL_BENCH_SCHEDULE_SECONDS ?? 10);
  const target = sqliteTarget("queuectl-bench-schedules-");
  cli(["status"], target.env); // the store exists before the workers race to create it
  const queue = await Queue.open({ db: target.db });
  const workers = Array.from({ length: WORKERS }, () => startWorker(1, target.env));
  try {
    await waitFor(`${WORKERS} workers to register`, async () => (await queue.workers()).length >= WORKERS, {
      timeoutMs: 60_000,
      intervalMs: 50,
    });
    cli(["schedule", "add", NAME, "--cron", "* * * * * *", "--", "true"], target.env);
    const added = (await queue.schedules.get(NAME)).created_at;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000)); // the span measured
    const pausing = Date.now();
    await queue.schedules.pause(NAME);
    const made = async (): Promise<Job[]> =>
      (await queue.list({ limit: 10_000 })).jobs.filter((j) => j.schedule === NAME);
    const jobs = await waitFor(
      "every job of the schedule to finish",
      async () => {
        const all = await made();
        return all.every((j) => j.state === "completed") ? all : null;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    // A slot's job runs at its slot: run_at is the slot (core/schedules.ts).
    const slots = new Set(jobs.map((j) => j.run_at));
    const expected: number[] = [];
    for (let slot = Math.floor(added / 1000) * 1000 + 1000; slot <= pausing - PAUSE_MARGIN_MS; slot += 1000) {
      expected.push(slot);
    }
    const missed = expected.filter((slot) => !slots.has(slot));
    const startLate = jobs.map((j) => j.started_at! - j.run_at);
    const fireLate = jobs.map((j) => j.created_at - j.run_at);
    const runners = new Set<string>();
    for (const j of jobs) for (const a of await queue.attempts(j.id)) if (a.worker_id) runners.add(a.worker_id);

    const iso = (ms: number) => new Date(ms).toISOString();
    log(`schedule added ${iso(added)}, paused ${iso(pausing)}; slots fired: ${[...slots].sort().map(iso).join(" ")}`);
    log(
      `${jobs.length} jobs for ${slots.size} slots; missed of ${expected.length}: ${missed.map(iso).join(" ") || "none"}`,
    );
    const where = `schedule every second, ${WORKERS} worker processes, ${seconds} s`;
    return [
      row(
        `${where}: jobs made per slot fired`,
        slots.size ? jobs.length / slots.size : 0,
        "x",
        "<= 1",
        `${jobs.length} jobs, ${slots.size} distinct slots; run by ${runners.size} of the ${WORKERS} workers`,
      ),
      row(
        `${where}: slots missed`,
        missed.length,
        "slots",
        "<= 0",
        `of the ${expected.length} slots from the first after the add to ${PAUSE_MARGIN_MS / 1000} s before the pause`,
      ),
      row(
        `${where}: lateness, job start (claim) - slot, p95`,
        percentile(startLate, 95),
        "ms",
        "<= 1000",
        `p50 ${median(startLate)} ms, max ${Math.max(...startLate)} ms; firing (job created - slot): p50 ${median(fireLate)} ms, p95 ${percentile(fireLate, 95)} ms`,
      ),
    ];
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w)));
    await queue.close();
    await target.cleanup();
  }
}
