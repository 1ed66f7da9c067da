/**
 * A per-test harness for the CLI end-to-end suite: runs the built `queuectl` binary with one test's
 * environment, tracks every process it starts and kills them all in `dispose()`.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { runCli, startCli, stopProcess, BIN, cliEnv, type CliResult } from "../helpers/cli.js";
import { alive, pidsMatching, waitFor } from "../helpers/env.js";

/** One test's environment: its QUEUECTL_HOME and the env vars that select its store. */
export interface CliEnv {
  home: string;
  env: Record<string, string>;
  cleanup: () => void | Promise<void>;
}

/** Makes a fresh, empty store for one test (SQLite: a temp home; PostgreSQL: a fresh database). */
export type MakeEnv = () => CliEnv | Promise<CliEnv>;

export type Worker = ChildProcess & { output: () => string };

// The JSON shapes `--json` prints, as the README lists them (loosely typed: the tests check them).
export interface JobJson {
  id: string;
  command: string;
  state: string;
  scheduled: boolean;
  priority: number;
  attempts: number;
  max_retries: number;
  timeout: number | null;
  run_at: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  last_error: string | null;
  worker_id: string | null;
  queue: string;
  after: string[];
  blocked: boolean;
  blocked_reason: string | null;
}

export interface AttemptJson {
  number: number;
  outcome: string;
  worker_id: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  stdout_bytes: number;
  stderr_bytes: number;
}

export interface Counts {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  dead: number;
  cancelled: number;
}

export interface RawResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** A unique decimal for `sleep N.xxxxx` so the test can find (and kill) exactly its processes. */
export function marker(seconds: number): string {
  const frac = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  return `${seconds}.${frac}1`;
}

export class Harness {
  readonly workers: Worker[] = [];
  /** Pids of processes started detached (`worker start --detach`). */
  readonly detachedPids: number[] = [];
  /** Needles of `sleep` commands this test started; any survivor is killed at the end. */
  readonly markers: string[] = [];

  constructor(
    readonly home: string,
    readonly env: Record<string, string>,
  ) {}

  path(name: string): string {
    return join(this.home, name);
  }

  /** `sleep N.<unique>`: registered so that dispose() kills any survivor. */
  sleep(seconds: number): string {
    const m = marker(seconds);
    this.markers.push(`sleep ${m}`);
    return `sleep ${m}`;
  }

  cli(args: string[], input?: string): Promise<CliResult> {
    return runCli(args, this.env, input);
  }

  /** Runs a command that must succeed; returns its stdout. */
  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.cli(args, input);
    assert.equal(r.code, 0, `queuectl ${args.join(" ")} exited ${r.code}; stderr: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Runs `args --json` and parses stdout. */
  async json<T = any>(args: string[]): Promise<T> {
    const out = await this.ok([...args, "--json"]);
    try {
      return JSON.parse(out) as T;
    } catch {
      assert.fail(`queuectl ${args.join(" ")} --json printed no JSON: ${out.slice(0, 300)}`);
    }
  }

  /** Runs a command and collects stdout as raw bytes. */
  raw(args: string[]): Promise<RawResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: cliEnv(this.env),
        stdio: ["ignore", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
    });
  }

  /** `job output ID [flags]` as bytes; must succeed. */
  async output(id: string, flags: string[] = []): Promise<Buffer> {
    const r = await this.raw(["job", "output", id, ...flags]);
    assert.equal(r.code, 0, `job output ${id} ${flags.join(" ")} exited ${r.code}; stderr: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Enqueues one job; checks that exactly one line (the id) is printed. */
  async enqueue(job: Record<string, unknown>): Promise<string> {
    const out = await this.ok(["enqueue", JSON.stringify(job)]);
    const lines = out.trim().split("\n");
    assert.equal(lines.length, 1, `enqueue must print one line (the id), got: ${out}`);
    const id = lines[0]!.trim();
    assert.match(id, /^\S+$/, `enqueue printed no id: ${out}`);
    if (typeof job.id === "string") assert.equal(id, job.id, "enqueue must print the id it was given");
    return id;
  }

  /** `job show ID --json`, split into the job and its attempts array. */
  async show(id: string): Promise<{ job: Record<string, any>; attempts: AttemptJson[] }> {
    // `{...job, history: [...]}`: the job's own fields (attempts is the counted number), plus every run.
    const raw = await this.json<Record<string, any>>(["job", "show", id]);
    const { history, ...job } = raw;
    assert.ok(Array.isArray(history), `job show --json has no history array: ${JSON.stringify(raw).slice(0, 300)}`);
    assert.equal(typeof job.attempts, "number", "job show --json keeps attempts as the counted number of runs");
    assert.equal(job.id, id);
    return { job, attempts: history as AttemptJson[] };
  }

  /** The job as `list --json` prints it (there `attempts` is the counted number of runs). */
  async row(id: string): Promise<JobJson> {
    const jobs = await this.json<JobJson[]>(["list", "--limit", "10000"]);
    const job = jobs.find((j) => j.id === id);
    assert.ok(job, `job ${id} not in list --json`);
    return job;
  }

  async state(id: string): Promise<string> {
    return (await this.show(id)).job.state as string;
  }

  async counts(): Promise<Counts> {
    return (await this.json<{ counts: Counts }>(["status"])).counts;
  }

  async total(): Promise<number> {
    const c = await this.counts();
    return c.pending + c.processing + c.completed + c.failed + c.dead;
  }

  /** Waits until job `id` is in one of `states`; returns `job show`. */
  async waitState(id: string, states: string | string[], timeoutMs = 20_000) {
    const wanted = Array.isArray(states) ? states : [states];
    let last = "?";
    try {
      return await waitFor(
        `job ${id} to be ${wanted.join("|")}`,
        async () => {
          const shown = await this.show(id);
          last = shown.job.state;
          return wanted.includes(shown.job.state) ? shown : null;
        },
        { timeoutMs, intervalMs: 150 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (last state: ${last})`, { cause: error });
    }
  }

  /** Waits until `counts` satisfies `check`. */
  async waitCounts(what: string, check: (c: Counts) => boolean, timeoutMs = 30_000): Promise<Counts> {
    return waitFor(
      what,
      async () => {
        const c = await this.counts();
        return check(c) ? c : null;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /** Starts `queuectl worker start --count N` in the foreground (tracked). */
  worker(count: number, extra: string[] = []): Worker {
    const w = startCli(["worker", "start", "--count", String(count), ...extra], this.env);
    this.workers.push(w);
    return w;
  }

  /** Waits until `worker list --json` shows the worker with this pid. */
  async waitRegistered(pid: number, timeoutMs = 15_000): Promise<Record<string, any>> {
    return waitFor(
      `worker ${pid} to register`,
      async () => {
        const list = await this.json<Record<string, any>[]>(["worker", "list"]);
        return list.find((w) => w.pid === pid) ?? null;
      },
      { timeoutMs, intervalMs: 150 },
    );
  }

  /** Waits for a worker process to exit on its own; returns its exit code. */
  async waitExit(w: Worker, timeoutMs = 20_000): Promise<number | null> {
    if (w.exitCode !== null || w.signalCode !== null) return w.exitCode;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker ${w.pid} did not exit within ${timeoutMs} ms; its output:\n${w.output()}`)),
        timeoutMs,
      );
      w.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  logs(): string {
    return this.workers
      .map((w) => `--- worker ${w.pid} (exit ${w.exitCode ?? w.signalCode}):\n${w.output()}`)
      .join("\n");
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => stopProcess(w, "SIGKILL")));
    for (const pid of this.detachedPids) {
      if (alive(pid)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    for (const needle of this.markers) {
      for (const pid of pidsMatching(needle)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
  }
}

/** Runs `fn` with a fresh store and harness; on failure adds the workers' logs; always cleans up. */
export async function withHarness(makeEnv: MakeEnv, fn: (h: Harness) => Promise<void>): Promise<void> {
  const env = await makeEnv();
  const h = new Harness(env.home, env.env);
  try {
    await fn(h);
  } catch (error) {
    const logs = h.logs();
    if (logs && error instanceof Error) error.message += `\n${logs.slice(-4000)}`;
    throw error;
  } finally {
    await h.dispose();
    await env.cleanup();
  }
}

/** Asserts a failed command: exit code, one line on stderr matching `pattern`, no stack trace. */
export function assertError(r: CliResult, code: number, pattern: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: expected exit ${code}, got ${r.code}; stderr: ${r.stderr.trim()}`);
  const stderr = r.stderr.trim();
  assert.ok(stderr.length > 0, `${what}: stderr is empty`);
  assert.equal(stderr.split("\n").length, 1, `${what}: stderr must be one line, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s*at .+:\d+/m, `${what}: stack trace on stderr`);
  assert.match(stderr, pattern, `${what}: message does not name the problem: ${stderr}`);
  assert.equal(r.stdout.trim(), "", `${what}: nothing should be printed on stdout, got: ${r.stdout.trim()}`);
}

export const ms = (iso: string | null | undefined): number => {
  assert.ok(typeof iso === "string", `expected an ISO time, got ${iso}`);
  const t = Date.parse(iso);
  assert.ok(Number.isFinite(t), `not an ISO time: ${iso}`);
  return t;
};

/** Single-quotes a string for /bin/sh. */
export const sq = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
