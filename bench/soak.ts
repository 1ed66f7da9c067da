/**
 * The retention soak (`node dist/bench/run.js soak`; not part of a bare `npm run bench`, it runs for
 * many minutes): QUEUECTL_SOAK_JOBS jobs (default 1,000,000) stream through the real WorkerPool
 * (8 slots, the no-op executor of the other queue benches: the queue's own cost, no processes) on a
 * fresh store, with retention-completed at QUEUECTL_SOAK_RETENTION (default 2m) and
 * retention-output at QUEUECTL_SOAK_OUTPUT_RETENTION (default 1m), so that the pool's own pruner
 * deletes what it finished minutes ago while it claims. Jobs are fed in small batches whenever
 * fewer than 20,000 are ready. Every QUEUECTL_SOAK_SAMPLE_SECONDS (default 10): jobs done, the rate
 * over the interval, the store's size on disk (SQLite: file + WAL) and rows in jobs and attempts.
 * SQLite, then PostgreSQL when it answers (QUEUECTL_SOAK_ENGINES=sqlite picks one).
 *
 * Targets, ratios within the run: the store's largest size in the last prune period at most 1.5×
 * its largest in the first full one (retention + one prune period after the start), and, from that
 * first full window to the end (pruning keeping pace), the rate of the second half at least 0.8×
 * that of the first. The last quarter against the first (before anything could be pruned) is shown
 * for information: it measures what pruning costs.
 */
import { loadavg } from "node:os";
import { setImmediate } from "node:timers/promises";
import { parseDuration } from "../src/core/duration.js";
import { Queue } from "../src/core/queue.js";
import type { Store } from "../src/core/store.js";
import { WorkerPool } from "../src/worker/pool.js";
import { countingRuns, fillJobs, noopExecutor, row, type BenchRow } from "./lib.js";
import { postgresBenchStore, postgresReachable, sqliteBenchStore, type BenchStore } from "./stores.js";

const env = process.env;
const log = (msg: string) => process.stderr.write(`[bench soak] ${msg}\n`);

export interface SoakSettings {
  jobs: number;
  retention: string;
  outputRetention: string;
  sampleMs: number;
  /** A run that has not finished by then stops where it is (its figures say so). */
  maxMs: number;
}

export function soakSettings(): SoakSettings {
  return {
    jobs: Number(env.QUEUECTL_SOAK_JOBS ?? 1_000_000),
    retention: env.QUEUECTL_SOAK_RETENTION ?? "2m",
    outputRetention: env.QUEUECTL_SOAK_OUTPUT_RETENTION ?? "1m",
    sampleMs: Number(env.QUEUECTL_SOAK_SAMPLE_SECONDS ?? 10) * 1000,
    maxMs: Number(env.QUEUECTL_SOAK_MAX_MINUTES ?? 60) * 60_000,
  };
}

/** How often a worker prunes (src/worker/pruner.ts): the store's size is a saw tooth of this period. */
const PRUNE_PERIOD_MS = 60_000;
const SLOTS = 8;
/** Ready jobs kept in the store at least, so the pool never waits for the feeder. */
const READY_LOW = 20_000;
/** Jobs per insert transaction: short, so the feeder holds the pool's event loop only briefly. */
const FEED_BATCH = 2000;

export interface SoakSample {
  /** Seconds since the pool started. */
  s: number;
  done: number;
  /** Jobs/s since the previous sample. */
  rate: number;
  bytes: number;
  file: number | null;
  wal: number | null;
  jobs: number;
  attempts: number;
  /** Jobs the pool's pruner deleted so far, and its seconds so far in pruneJobs, pruneOutput and reclaimSpace. */
  pruned: number;
  pruneSeconds: number;
  outputSeconds: number;
  reclaimSeconds: number;
  /** The machine's 1-minute load average: the bench shares the machine. */
  load: number;
  /** PostgreSQL: autovacuums of the store's tables ended so far, the tables being vacuumed now, and the server's checkpoints so far. */
  vacuums: { ended: number; now: string[]; checkpoints: number } | null;
}

/** The store with the pool's calls to pruneJobs counted and timed. */
function timingPrunes(store: Store) {
  const totals = { pruned: 0, ms: 0, outputMs: 0, reclaimMs: 0 };
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "reclaimSpace") {
        return async (...args: Parameters<Store["reclaimSpace"]>) => {
          const t0 = performance.now();
          const more = await target.reclaimSpace(...args);
          totals.reclaimMs += performance.now() - t0;
          return more;
        };
      }
      if (key === "pruneOutput") {
        return async (...args: Parameters<Store["pruneOutput"]>) => {
          const t0 = performance.now();
          const n = await target.pruneOutput(...args);
          totals.outputMs += performance.now() - t0;
          return n;
        };
      }
      if (key === "pruneJobs") {
        return async (...args: Parameters<Store["pruneJobs"]>) => {
          const t0 = performance.now();
          const n = await target.pruneJobs(...args);
          totals.ms += performance.now() - t0;
          totals.pruned += n;
          return n;
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { proxy, totals };
}

export interface SoakResult {
  engine: string;
  settings: SoakSettings;
  samples: SoakSample[];
  rows: BenchRow[];
}

async function stream(
  t: BenchStore,
  settings: SoakSettings,
): Promise<{ samples: SoakSample[]; done: number; finished: boolean }> {
  const { store } = t;
  const queue = new Queue(store);
  await queue.setConfig("retention-completed", settings.retention);
  await queue.setConfig("retention-output", settings.outputRetention);
  let done = 0;
  const prunes = timingPrunes(store);
  const pool = new WorkerPool(new Queue(countingRuns(prunes.proxy, (n) => (done = n))), {
    slots: SLOTS,
    executor: noopExecutor,
    host: "bench",
  });
  let fed = Math.min(READY_LOW, settings.jobs);
  await fillJobs(store, fed, FEED_BATCH);
  const samples: SoakSample[] = [];
  const sample = async (elapsedMs: number) => {
    const [size, rows, vacuums] = await Promise.all([t.size(), t.rows(), t.vacuums()]);
    const prev = samples.at(-1);
    const s = elapsedMs / 1000;
    const rate = prev ? (done - prev.done) / (s - prev.s) : 0;
    const { pruned, ms, outputMs, reclaimMs } = prunes.totals;
    const times = { pruneSeconds: ms / 1000, outputSeconds: outputMs / 1000, reclaimSeconds: reclaimMs / 1000 };
    samples.push({ s, done, rate, ...size, ...rows, pruned, ...times, load: loadavg()[0]!, vacuums });
    const mb = (size.bytes / 1048576).toFixed(1);
    log(
      `${t.engine} ${s.toFixed(0)} s: ${done} done, ${rate.toFixed(0)}/s, ${mb} MB, ${rows.jobs} jobs, ${rows.attempts} attempts, ${prunes.totals.pruned} pruned, ${times.pruneSeconds.toFixed(1)} / ${times.outputSeconds.toFixed(1)} / ${times.reclaimSeconds.toFixed(1)} s in prune / output / reclaim, load ${loadavg()[0]!.toFixed(1)}`,
    );
  };
  const t0 = performance.now();
  await pool.start();
  await sample(0);
  let nextSample = settings.sampleMs;
  let finished = false;
  try {
    for (;;) {
      const elapsed = performance.now() - t0;
      if (done >= settings.jobs) {
        finished = true;
        break;
      }
      if (elapsed > settings.maxMs) break;
      if (elapsed >= nextSample) {
        await sample(elapsed);
        nextSample += settings.sampleMs;
        continue;
      }
      if (fed < settings.jobs && (await store.countJobs()).pending < READY_LOW) {
        const n = Math.min(FEED_BATCH, settings.jobs - fed);
        await fillJobs(store, n, n);
        fed += n;
        await setImmediate(); // let the pool claim between two feeds
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await sample(performance.now() - t0);
  } finally {
    await pool.stop("now");
  }
  return { samples, done, finished };
}

/** Jobs/s between the samples nearest to `from` and `to` seconds. */
function rateBetween(samples: SoakSample[], from: number, to: number): number {
  const a = [...samples].reverse().find((x) => x.s <= from) ?? samples[0]!;
  const b = samples.find((x) => x.s >= to) ?? samples.at(-1)!;
  return b.s > a.s ? (b.done - a.done) / (b.s - a.s) : 0;
}

const maxOf = (samples: SoakSample[], key: "bytes" | "jobs" | "attempts") => Math.max(0, ...samples.map((x) => x[key]));
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/** The figures of one soak from its samples. */
export function soakRows(engine: string, settings: SoakSettings, samples: SoakSample[], finished: boolean): BenchRow[] {
  const end = samples.at(-1)!;
  const retentionMs = parseDuration(settings.retention) ?? 0;
  const where = `${engine} soak, ${end.done.toLocaleString("en-US")} jobs in ${end.s.toFixed(0)} s, retention ${settings.retention}`;
  const cut = finished ? "" : ` (stopped after ${settings.maxMs / 60_000} min, not all jobs run)`;
  const rows: BenchRow[] = [];

  // The first full window: everything finished before it has met the pruner at least once.
  const firstFull = (retentionMs + PRUNE_PERIOD_MS) / 1000;
  const period = PRUNE_PERIOD_MS / 1000;
  const reference = samples.filter((x) => x.s >= firstFull && x.s < firstFull + period);
  const last = samples.filter((x) => x.s >= end.s - period);
  if (end.s - period >= firstFull + period && reference.length > 0) {
    const span = `the largest in the last ${period} s / the largest at ${firstFull}–${firstFull + period} s`;
    rows.push(
      row(
        `${where}: store size on disk, last prune period / first full window`,
        maxOf(last, "bytes") / maxOf(reference, "bytes"),
        "x",
        "<= 1.5",
        `${span}: ${mb(maxOf(last, "bytes"))} / ${mb(maxOf(reference, "bytes"))}${cut}`,
      ),
      // The file keeps its freed pages for reuse and the WAL its size: rows show the growth plainly.
      row(
        `${where}: rows in jobs, last prune period / first full window`,
        maxOf(last, "jobs") / maxOf(reference, "jobs"),
        "x",
        "<= 1.5",
        `${span}: ${maxOf(last, "jobs")} / ${maxOf(reference, "jobs")} (attempts ${maxOf(last, "attempts")} / ${maxOf(reference, "attempts")})${cut}`,
      ),
    );
  } else {
    rows.push(
      row(
        `${where}: store size bound not judged`,
        end.s,
        "s",
        "",
        `the run must last retention + 3 prune periods (${firstFull + 2 * period} s) for a first full window and a last period apart${cut}`,
      ),
    );
  }
  rows.push(
    row(
      `${where}: largest store`,
      maxOf(samples, "bytes") / 1048576,
      "MB",
      "",
      `${maxOf(samples, "jobs")} jobs rows at most`,
    ),
  );

  // Flat: no decay once pruning keeps pace, i.e. from the first full window on (the store has
  // reached its size and the pruner deletes as much as the pool finishes): the second half of that
  // span against the first. The first quarter of the run, before anything was old enough to
  // prune, is shown beside it: it measures what pruning costs, not whether the rate holds.
  const pool = `WorkerPool ${SLOTS} slots, no-op executor`;
  if (end.s - firstFull >= 2 * period) {
    const middle = (firstFull + end.s) / 2;
    const early = rateBetween(samples, firstFull, middle);
    const late = rateBetween(samples, middle, end.s);
    rows.push(
      row(
        `${where}: claim+complete rate while pruning, second half / first half`,
        early > 0 ? late / early : 0,
        "x",
        ">= 0.8",
        `${late.toFixed(0)} jobs/s at ${middle.toFixed(0)}–${end.s.toFixed(0)} s vs ${early.toFixed(0)} jobs/s at ${firstFull}–${middle.toFixed(0)} s (${pool})${cut}`,
      ),
    );
  }
  const q = end.s / 4;
  const first = rateBetween(samples, 0, q);
  const lastQ = rateBetween(samples, end.s - q, end.s);
  rows.push(
    row(
      `${where}: claim+complete rate, last quarter / first quarter (before any pruning)`,
      first > 0 ? lastQ / first : 0,
      "x",
      "",
      `${lastQ.toFixed(0)} jobs/s in the last ${q.toFixed(0)} s vs ${first.toFixed(0)} jobs/s in the first (${pool})${cut}`,
    ),
  );
  return rows;
}

/** The samples as a table: the store's size over time. */
export function printSamples(engine: string, samples: SoakSample[]): void {
  const fmtMb = (b: number | null) => (b === null ? "-" : (b / 1048576).toFixed(1));
  console.log(`\n${engine} soak, every sample`);
  const head = [
    "s",
    "jobs done",
    "jobs/s",
    "MB total",
    "MB file",
    "MB WAL",
    "jobs rows",
    "attempts rows",
    "pruned",
    "s in prune",
    "s in output",
    "s in reclaim",
    "load",
    "autovacuums",
    "vacuuming",
    "checkpoints",
  ];
  const lines = samples.map((x, i) => [
    x.s.toFixed(0),
    String(x.done),
    x.rate.toFixed(0),
    fmtMb(x.bytes),
    fmtMb(x.file),
    fmtMb(x.wal),
    String(x.jobs),
    String(x.attempts),
    String(x.pruned),
    (x.pruneSeconds - (samples[i - 1]?.pruneSeconds ?? 0)).toFixed(1),
    (x.outputSeconds - (samples[i - 1]?.outputSeconds ?? 0)).toFixed(1),
    (x.reclaimSeconds - (samples[i - 1]?.reclaimSeconds ?? 0)).toFixed(1),
    x.load.toFixed(1),
    x.vacuums === null ? "-" : String(x.vacuums.ended - (samples[i - 1]?.vacuums?.ended ?? 0)),
    x.vacuums === null ? "-" : x.vacuums.now.join(",") || "-",
    x.vacuums === null
      ? "-"
      : String(x.vacuums.checkpoints - (samples[i - 1]?.vacuums?.checkpoints ?? x.vacuums.checkpoints)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(line(head));
  for (const l of lines) console.log(line(l));
}

async function soakOn(make: () => Promise<BenchStore>, settings: SoakSettings): Promise<SoakResult> {
  const t = await make();
  try {
    log(
      `${t.engine}: ${settings.jobs} jobs, retention-completed ${settings.retention}, output ${settings.outputRetention}`,
    );
    const { samples, finished } = await stream(t, settings);
    return { engine: t.engine, settings, samples, rows: soakRows(t.engine, settings, samples, finished) };
  } finally {
    await t.cleanup();
  }
}

/** One soak per engine (SQLite, then PostgreSQL when it answers), each given as soon as it ends. */
export async function* runSoaks(): AsyncGenerator<SoakResult> {
  const settings = soakSettings();
  const engines = (env.QUEUECTL_SOAK_ENGINES ?? "sqlite,postgres").split(/[\s,]+/);
  if (engines.includes("sqlite")) yield await soakOn(sqliteBenchStore, settings);
  if (engines.includes("postgres")) {
    if (await postgresReachable()) yield await soakOn(postgresBenchStore, settings);
    else log("PostgreSQL not reachable: its soak skipped");
  }
}
