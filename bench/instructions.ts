/**
 * Instruction counts of the queue's no-op path, for comparing two trees on a loaded machine where
 * wall-clock throughput swings by ±25 %: callgrind counts instructions, which load does not move.
 *
 *   node dist/bench/instructions.js [--tree DIR] [--mode store|pool] [--sql "DROP …"] [--repeat 2]
 *
 * runs this file again under `valgrind --tool=callgrind` for 2,000 and 6,000 jobs on a fresh store
 * of 10,000 jobs and prints instructions per job = (Ir(6000) − Ir(2000)) / 4000: start-up, filling
 * and warm-up are the same in both runs and cancel out. `--tree` is a built checkout (`npx tsc -b .`)
 * whose `dist/src/index.js` is loaded, so one script measures any tree with the same library API
 * (Queue, WorkerPool, Store.insertJobs/claimJobs/finishRuns). `--sql` is run on the store before
 * the warm-up (for A/B: drop a trigger or an index). With `--jobs N` it does one run of N jobs
 * in this process, without valgrind (that is what the valgrind runs execute).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import type * as Library from "../src/index.js";
import type { FinishedRun, Store } from "../src/core/store.js";
import type { ClaimedJob, NewJob } from "../src/core/types.js";
import type { Executor } from "../src/worker/executor.js";

const STORED = 10_000;
const WARM_UP = 1_000;
const BATCH = 8;
const SMALL = 2_000;
const LARGE = 6_000;
const EMPTY = { data: Buffer.alloc(0), total_bytes: 0, truncated: false };

type Mode = "store" | "pool";

/** Ids that sort in insertion order, the same in every tree (the trees' id makers differ). */
const jobId = (i: number) => `bench${String(i).padStart(11, "0")}`;

async function fill(store: Store, n: number): Promise<void> {
  const now = Date.now() - 1000;
  for (let done = 0; done < n;) {
    const jobs: NewJob[] = [];
    for (let i = 0; i < 1000 && done + i < n; i++) {
      const seq = done + i;
      jobs.push({
        id: jobId(seq),
        command: "true",
        priority: 1 + (seq % 10),
        max_retries: 3,
        timeout: null,
        run_at: now,
        created_at: now,
      });
    }
    await store.insertJobs(jobs);
    done += jobs.length;
  }
}

const completed = (claim: ClaimedJob, workerId: string, at: number): FinishedRun => ({
  job_id: claim.job.id,
  attempt: claim.attempt,
  worker_id: workerId,
  outcome: "completed",
  finished_at: at,
  duration_ms: 0,
  exit_code: 0,
  signal: null,
  error: null,
  stdout: EMPTY,
  stderr: EMPTY,
  next: { state: "completed" },
});

/** Claims up to 8 and finishes them at once, as a no-op worker would, until `n` jobs are done. */
async function storeCycles(store: Store, n: number, workerId: string): Promise<void> {
  for (let done = 0; done < n;) {
    const claimed = await store.claimJobs(workerId, Math.min(BATCH, n - done), Date.now(), 60_000);
    if (claimed.length === 0) throw new Error(`claimJobs returned nothing after ${done} of ${n} jobs`);
    const at = Date.now();
    await store.finishRuns(claimed.map((c) => completed(c, workerId, at)));
    done += claimed.length;
  }
}

const noopExecutor: Executor = () => {
  const at = Date.now();
  return {
    result: Promise.resolve({
      outcome: "completed",
      exit_code: 0,
      signal: null,
      error: null,
      finished_at: at,
      duration_ms: 0,
      stdout: EMPTY,
      stderr: EMPTY,
    }),
    interrupt: () => {},
    output: () => EMPTY,
  };
};

/** The real WorkerPool (8 slots, no-op executor) until it has recorded `n` runs, then drained. */
async function poolCycles(lib: typeof Library, store: Store, n: number): Promise<void> {
  let recorded = 0;
  let done = () => {};
  const allDone = new Promise<void>((resolve) => (done = resolve));
  const count = (runs: number) => {
    recorded += runs;
    if (recorded >= n) done();
  };
  const counting = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "finishRuns") {
        return async (runs: FinishedRun[]) => {
          const refused = await target.finishRuns(runs);
          count(runs.length);
          return refused;
        };
      }
      if (key === "finishAndClaim") {
        return async (...args: Parameters<Store["finishAndClaim"]>) => {
          const answer = await target.finishAndClaim(...args);
          count(args[0].length);
          return answer;
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const pool = new lib.WorkerPool(new lib.Queue(counting), { slots: BATCH, executor: noopExecutor, host: "bench" });
  await pool.start();
  await allDone;
  await pool.stop("drain");
}

/** One run in this process: fill, optional SQL, ANALYZE, warm-up, then `jobs` jobs. */
async function runOnce(tree: string, mode: Mode, jobs: number, sql: string | undefined): Promise<void> {
  const lib = (await import(pathToFileURL(join(tree, "dist/src/index.js")).href)) as typeof Library;
  const dir = mkdtempSync(join(tmpdir(), "queuectl-instr-"));
  try {
    const db = join(dir, "queue.db");
    let queue = await lib.Queue.open({ db });
    await fill(queue.store, STORED);
    await queue.close();
    const raw = new Database(db);
    if (sql) raw.exec(sql);
    raw.exec("ANALYZE");
    raw.close();
    queue = await lib.Queue.open({ db });
    const store = queue.store;
    const workerId = `bench-${process.pid}`;
    await store.registerWorker({ id: workerId, host: "bench", pid: process.pid, slots: BATCH, started_at: Date.now() });
    const cycles =
      mode === "store" ? (n: number) => storeCycles(store, n, workerId) : (n: number) => poolCycles(lib, store, n);
    await cycles(WARM_UP);
    const t0 = performance.now();
    await cycles(jobs);
    const ms = performance.now() - t0;
    await store.deregisterWorker(workerId);
    await queue.close();
    process.stdout.write(`${JSON.stringify({ mode, jobs, ms: Math.round(ms) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Total instructions (Ir) of one run of this script under callgrind. */
async function irOf(
  tree: string,
  mode: Mode,
  jobs: number,
  sql: string | undefined,
  outDir: string,
  tag: string,
): Promise<number> {
  const out = join(outDir, `callgrind.${tag}.${mode}.${jobs}.out`);
  const args = ["--tool=callgrind", "--trace-children=no", `--callgrind-out-file=${out}`, process.execPath];
  args.push(process.argv[1]!, "--tree", tree, "--mode", mode, "--jobs", String(jobs));
  if (sql) args.push("--sql", sql);
  const child = spawn("valgrind", args, { stdio: ["ignore", "inherit", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`valgrind exited ${code}: ${stderr.trim().split("\n").slice(-5).join(" | ")}`);
  const totals = /^(?:summary|totals):\s+(\d+)/m.exec(readFileSync(out, "utf8"));
  if (!totals) throw new Error(`no totals in ${out}`);
  return Number(totals[1]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tree: { type: "string", default: resolve(import.meta.dirname, "../..") },
      mode: { type: "string", default: "store" },
      jobs: { type: "string" },
      sql: { type: "string" },
      repeat: { type: "string", default: "2" },
      out: { type: "string", default: tmpdir() },
      tag: { type: "string", default: "run" },
    },
  });
  const mode = values.mode;
  if (mode !== "store" && mode !== "pool") throw new Error(`--mode must be store or pool, not ${mode}`);
  const tree = resolve(values.tree);
  if (values.jobs !== undefined) {
    await runOnce(tree, mode, Number(values.jobs), values.sql);
    // The pool leaves a timer behind after stop() (in both trees measured); the run is over: end here.
    process.exit(0);
  }
  for (let i = 1; i <= Number(values.repeat); i++) {
    const tag = `${values.tag}${i}`;
    const [small, large] = await Promise.all([
      irOf(tree, mode, SMALL, values.sql, values.out, tag),
      irOf(tree, mode, LARGE, values.sql, values.out, tag),
    ]);
    const perJob = (large - small) / (LARGE - SMALL);
    process.stdout.write(
      `${JSON.stringify({ tree, mode, sql: values.sql ?? null, run: i, ir2000: small, ir6000: large, perJob: Math.round(perJob) })}\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
