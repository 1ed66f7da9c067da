/**
 * Short shell jobs: queuectl against task-spooler (`tsp`) and `xargs -P`, at 1, 2, 4 and 8 slots,
 * alternating in one run, medians of the rounds; with the CPU time each spends per job (every
 * process of its tree). Also 2,000 jobs from enqueue to all completed. Installs nothing: without
 * `tsp` its rows are skipped with one line saying how to get it.
 *
 * `node dist/bench/short-jobs.js [jobs] [rounds]` runs it alone (QUEUECTL_BENCH_SLOTS="4,8" picks
 * the slot counts).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "../src/open.js";
import { nativeUnavailable } from "../src/worker/native-spawner.js";
import { cli, median, row, sqliteTarget, startWorker, stopWorker, type BenchRow } from "./lib.js";
import { waitFor } from "../test/helpers/env.js";

const log = (msg: string) => process.stderr.write(`[bench short jobs] ${msg}\n`);
const TSP = ["/usr/bin/tsp", "/usr/local/bin/tsp"].find((path) => existsSync(path)) ?? null;
const TICK_MS = 10; // USER_HZ 100

/** The job that prints 10 lines with shell builtins only (no exec of its own). */
const TEN_LINES = "i=0; while [ $i -lt 10 ]; do echo line $i of a short job; i=$((i+1)); done";

interface Measure {
  /** Jobs per second while the jobs ran. */
  rate: number;
  /** CPU milliseconds per job, all processes of the tree. */
  cpuMs: number;
}

/** CPU ms used so far by this process's children that were waited for (cutime + cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

/** `xargs -P slots` running `sh -c COMMAND` n times, output discarded. */
async function xargsRun(n: number, slots: number, command: string): Promise<Measure> {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn("xargs", ["-P", String(slots), "-n", "1", "-0", "sh", "-c"], {
      stdio: ["pipe", "ignore", "inherit"],
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`xargs exited ${code}`))));
    child.stdin.end(Array.from({ length: n }, () => `${command}\0`).join(""));
  });
  const ms = performance.now() - t0;
  return { rate: n / (ms / 1000), cpuMs: (childrenCpuMs() - cpu0) / n };
}

const SUBREAPER = fileURLToPath(new URL("../../bench/subreaper.py", import.meta.url));

/**
 * One task-spooler session, as a script: the n jobs queued one `tsp` call after another while its
 * slots run them; prints the nanoseconds from the first call to the last job's end. (They cannot
 * all be queued first and released at once: each queued job is a client process holding a socket
 * to the server, which stalls at about a thousand.)
 */
const TSP_SESSION = `
set -e
"$TSP" -S "$SLOTS"
t0=$(date +%s%N)
i=1
while [ $i -lt "$N" ]; do "$TSP" sh -c "$COMMAND" >/dev/null; i=$((i+1)); done
last=$("$TSP" sh -c "$COMMAND")
"$TSP" -w "$last" >/dev/null || true
while "$TSP" -l | grep -qE ' (running|queued) '; do sleep 0.002; done
t1=$(date +%s%N)
echo $((t1 - t0))
"$TSP" -K
`;

/**
 * task-spooler with a private socket and TMPDIR. Its job runners are the forked clients, which
 * leave their parent: the session runs under a subreaper to count every process's CPU, the
 * per-job `tsp` clients included.
 */
async function tspRun(tsp: string, n: number, slots: number, command: string): Promise<Measure> {
  const dir = mkdtempSync(join(tmpdir(), "queuectl-bench-tsp-"));
  const env = {
    ...process.env,
    ...{ TS_SOCKET: join(dir, "socket"), TMPDIR: dir, TS_MAXFINISHED: String(n + 10) },
    ...{ TSP: tsp, N: String(n), SLOTS: String(slots), COMMAND: command },
  };
  try {
    const r = spawnSync("python3", [SUBREAPER, "sh", "-c", TSP_SESSION], { env, encoding: "utf8" });
    const cpu = /cpu-seconds ([\d.]+)/.exec(r.stderr);
    if (r.status !== 0 || !cpu) throw new Error(`the task-spooler session failed: ${r.stderr.trim()}`);
    const ms = Number(r.stdout.trim()) / 1e6;
    return { rate: n / (ms / 1000), cpuMs: (Number(cpu[1]) * 1000) / n };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One `queuectl worker start --count slots`, started and idle, then n jobs queued by one `enqueue
 * --file`: the rate from that command's start to the last job's end (as task-spooler's, which
 * includes queuing), and, for the detail, from the first job's start to the last one's end. CPU:
 * the enqueue command's and the worker's whole tree's, from its start to its exit, less what the
 * same worker spends starting and stopping with nothing to do (`idleCpuMs`).
 */
async function queuectlRun(
  n: number,
  slots: number,
  command: string,
  idleCpuMs: number,
  env: Record<string, string>,
): Promise<Measure & { running: number }> {
  const target = sqliteTarget();
  const file = join(target.home, "jobs.jsonl");
  try {
    writeFileSync(file, Array.from({ length: n }, () => JSON.stringify({ command })).join("\n"));
    cli(["status"], target.env); // the store exists before the worker and the clock start
    const queue = await Queue.open({ db: target.db });
    try {
      const cpu0 = childrenCpuMs();
      const worker = startWorker(slots, { ...target.env, ...env });
      let wall: number;
      try {
        await waitFor("the worker to register", async () => (await queue.workers()).length > 0, {
          timeoutMs: 60_000,
          intervalMs: 20,
        });
        const t0 = performance.now();
        cli(["enqueue", "--file", file], target.env);
        await waitFor(`${n} completed jobs`, async () => (await queue.counts()).completed >= n, {
          timeoutMs: 300_000,
          intervalMs: 5,
        });
        wall = performance.now() - t0;
      } finally {
        await stopWorker(worker);
      }
      const cpu = childrenCpuMs() - cpu0 - idleCpuMs;
      const { jobs } = await queue.list({ limit: n });
      const first = Math.min(...jobs.map((j) => j.started_at ?? Infinity));
      const last = Math.max(...jobs.map((j) => j.finished_at ?? 0));
      return { rate: n / (wall / 1000), running: n / ((last - first) / 1000), cpuMs: cpu / n };
    } finally {
      await queue.close();
    }
  } finally {
    await target.cleanup();
  }
}

/** CPU ms of a worker that starts, finds nothing, and stops (its fixed cost). */
async function idleWorkerCpuMs(slots: number, env: Record<string, string>): Promise<number> {
  const target = sqliteTarget();
  try {
    cli(["status"], target.env);
    const queue = await Queue.open({ db: target.db });
    try {
      const cpu0 = childrenCpuMs();
      const worker = startWorker(slots, { ...target.env, ...env });
      await waitFor("the worker to register", async () => (await queue.workers()).length > 0, {
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      await stopWorker(worker);
      return childrenCpuMs() - cpu0;
    } finally {
      await queue.close();
    }
  } finally {
    await target.cleanup();
  }
}

/** 2,000 jobs at 4 slots: wall time from `enqueue --file` to all completed, worker start-up included. */
async function enqueueToDoneMs(n: number, slots: number, env: Record<string, string>): Promise<number> {
  const target = sqliteTarget();
  const file = join(target.home, "jobs.jsonl");
  try {
    writeFileSync(file, Array.from({ length: n }, () => '{"command":"true"}').join("\n"));
    const t0 = performance.now();
    cli(["enqueue", "--file", file], target.env);
    const worker = startWorker(slots, { ...target.env, ...env });
    const queue = await Queue.open({ db: target.db });
    try {
      await waitFor(`${n} completed jobs`, async () => (await queue.counts()).completed >= n, {
        timeoutMs: 300_000,
        intervalMs: 10,
      });
      return performance.now() - t0;
    } finally {
      await stopWorker(worker);
      await queue.close();
    }
  } finally {
    await target.cleanup();
  }
}

const fmt = (m: Measure[]) => m.map((x) => x.rate.toFixed(0)).join("/");
const cpuOf = (m: Measure[]) => median(m.map((x) => x.cpuMs)).toFixed(2);

export interface ShortJobOptions {
  jobs?: number;
  rounds?: number;
  slots?: number[];
}

/**
 * The ways queuectl can start commands in this run: the native spawner when it was built (and not
 * switched off), and Node's spawn, its fallback and the path before it, for comparison.
 */
function spawnPaths(): { label: string; env: Record<string, string> }[] {
  const node = { label: "Node spawn", env: { QUEUECTL_SPAWNER: "node" } };
  const why = nativeUnavailable();
  if (why) log(`queuectl runs on Node's spawn only (${why})`);
  return why ? [node] : [{ label: "native spawner", env: {} }, node];
}

export async function runShortJobBenches(options: ShortJobOptions = {}): Promise<BenchRow[]> {
  const n = options.jobs ?? 1000;
  const rounds = options.rounds ?? 3;
  const slotCounts = options.slots ?? [1, 2, 4, 8];
  const rows: BenchRow[] = [];
  const paths = spawnPaths();
  if (!TSP) log("task-spooler not found (apt-get install task-spooler): its rows are skipped");
  const cases = [
    { name: "'true'", command: "true", targets: { 1: ">= 0.6", other: ">= 0.8" }, xargs: true },
    { name: "10 lines of output", command: TEN_LINES, targets: { 1: ">= 0.7", other: ">= 0.7" }, xargs: false },
  ];
  for (const { name, command, targets, xargs } of cases) {
    for (const slots of slotCounts) {
      const idle: number[] = [];
      for (const path of paths) idle.push(await idleWorkerCpuMs(slots, path.env));
      const q: (Measure & { running: number })[][] = paths.map(() => []);
      const t: Measure[] = [];
      const x: Measure[] = [];
      for (let round = 0; round < rounds; round++) {
        if (TSP) t.push(await tspRun(TSP, n, slots, command));
        if (xargs) x.push(await xargsRun(n, slots, command));
        for (const [i, path] of paths.entries()) q[i]!.push(await queuectlRun(n, slots, command, idle[i]!, path.env));
      }
      const rates = q.map((m) => median(m.map((one) => one.rate)));
      const qRate = rates[0]!;
      const series = paths.map((path, i) => `queuectl (${path.label}) ${fmt(q[i]!)}/s`);
      log(`${name}, ${slots} slots: ${series.join(", ")}, tsp ${fmt(t)}/s, xargs ${fmt(x)}/s`);
      const detail = [
        ...paths.map(
          (path, i) =>
            `queuectl (${path.label}) ${rates[i]!.toFixed(0)}/s (${fmt(q[i]!)}; first start to last end ` +
            `${median(q[i]!.map((m) => m.running)).toFixed(0)}/s), ` +
            `${cpuOf(q[i]!)} ms CPU/job (less ${idle[i]} ms start+stop)`,
        ),
        ...(t.length ? [`tsp ${median(t.map((m) => m.rate)).toFixed(0)}/s (${fmt(t)}), ${cpuOf(t)} ms CPU/job`] : []),
        ...(x.length
          ? [`xargs -P ${median(x.map((m) => m.rate)).toFixed(0)}/s (${fmt(x)}), ${cpuOf(x)} ms CPU/job`]
          : []),
      ].join("; ");
      const what = `short jobs ${name}, ${n} jobs, ${slots} slot(s)`;
      if (t.length) {
        const target = slots === 1 ? targets[1] : targets.other;
        rows.push(row(`${what}: ratio to task-spooler`, qRate / median(t.map((m) => m.rate)), "x", target, detail));
      } else {
        rows.push(row(`${what}: queuectl`, qRate, "jobs/s", "", detail));
      }
      if (x.length) rows.push(row(`${what}: ratio to xargs -P`, qRate / median(x.map((m) => m.rate)), "x"));
      if (paths.length > 1) rows.push(row(`${what}: native spawner / Node spawn`, qRate / rates[1]!, "x"));
    }
  }
  for (const path of paths) {
    const walls: number[] = [];
    for (let round = 0; round < rounds; round++) walls.push(await enqueueToDoneMs(2000, 4, path.env));
    const list = walls.map((w) => w.toFixed(0)).join("/");
    log(`2,000 jobs at 4 slots (${path.label}), enqueue to done: ${list} ms`);
    rows.push(
      row(
        `2,000 jobs 'true' at 4 slots, enqueue → all completed (${path.label}, wall)`,
        median(walls),
        "ms",
        "",
        `median of ${list} ms, worker start-up included`,
      ),
    );
  }
  return rows;
}

// Run alone: `node dist/bench/short-jobs.js [jobs] [rounds]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { printTable } = await import("./lib.js");
  const slots = process.env.QUEUECTL_BENCH_SLOTS?.split(",").map(Number);
  const rows = await runShortJobBenches({
    jobs: Number(process.argv[2] ?? 1000),
    rounds: Number(process.argv[3] ?? 3),
    ...(slots ? { slots } : {}),
  });
  printTable("queuectl short jobs", rows);
}
