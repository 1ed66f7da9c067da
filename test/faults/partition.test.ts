/**
 * A worker cut off from PostgreSQL by a network partition. Needs root and Linux (network
 * namespaces); skipped elsewhere, always run under CI.
 *
 * Worker A runs in a network namespace of its own and reaches PostgreSQL over a veth link; worker B
 * runs in a second one, under another host name (so B cannot reap A's jobs by a same-host pid
 * check: only the lease tells). A holds two jobs when its link is cut, packets dropped silently
 * (test/helpers/netns.ts), for longer than the lease. B must recover them: A's attempt is recorded
 * `lost` and the job runs again on B. When the link returns, A must stop its now-foreign commands
 * within about one heartbeat of reaching the database again, write nothing over the recovered
 * attempts (B's results stand), stay alive and go on taking jobs.
 *
 * A's runs wait for a gate file (B's reruns are short). Only A can end them early; if A has not
 * within the bound, the test opens the gate and they end normally, so the run stays short and shows
 * what A then records.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it, type TestContext } from "node:test";
import pg from "pg";
import { pgSettings } from "../../src/store/postgres/config.js";
import { sq, withHarness, type Harness, type Worker } from "../cli/harness.js";
import { BIN, stopProcess } from "../helpers/cli.js";
import { groupAlive, IS_CI, PG_URL, waitFor } from "../helpers/env.js";
import { netnsSkipReason, withNetLab, type Namespace, type NetLab } from "../helpers/netns.js";
import { pgSkipReason, withDatabase } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";

const LEASE_SECONDS = 2;
/** The worker beats three times per lease (pool.ts). */
const BEAT_MS = (LEASE_SECONDS * 1000) / 3;
/** The link stays cut at least this long: two leases, however soon B recovers. */
const CUT_MIN_MS = 2 * LEASE_SECONDS * 1000;
/**
 * From A's first heartbeat after the link returns to its foreign commands gone: one beat, plus
 * 1.5 s for the kill, the process teardown and this test's polling on a loaded machine.
 */
const STOP_BOUND_MS = Math.round(BEAT_MS + 1_500);
/** How long A may take to reach PostgreSQL again once the link is back (TCP retransmission backoff). */
const RECONNECT_WINDOW_MS = 20_000;
const RERUN_S = 2;
const IDS = ["part-1", "part-2"];
const HOST_A = "partition-a";
const HOST_B = "partition-b";

async function skipReason(): Promise<string | null> {
  if (IS_CI) return null;
  const host = new URL(PG_URL).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) return `needs PostgreSQL on this machine, not ${host}`;
  return netnsSkipReason() ?? (await pgSkipReason());
}

const skip = await skipReason();

/** One run of a job as its command logged it: times in ms, the shell's pid (its process group). */
interface Run {
  start: number;
  pid: number;
  end: number | null;
}

function readRuns(file: string): Map<string, Run> {
  const runs = new Map<string, Run>();
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  for (const line of text.split("\n")) {
    const [what, job, attempt, at, pid] = line.split(" ");
    const key = `${job}#${attempt}`;
    if (what === "start" && pid) runs.set(key, { start: Number(at), pid: Number(pid), end: null });
    const run = runs.get(key);
    if (what === "end" && run) run.end = Number(at);
  }
  return runs;
}

/** `queuectl worker start` inside a namespace, tracked by the harness (killed in dispose). */
function startWorker(h: Harness, lab: NetLab, ns: Namespace, env: Record<string, string>): Worker {
  const argv = [process.execPath, BIN, "worker", "start", "--count", String(IDS.length)];
  const child = lab.spawn(ns, argv, { NO_COLOR: "1", ...h.env, ...env });
  child.stdin.end();
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
  const worker: Worker = Object.assign(child, { output: () => output });
  h.workers.push(worker);
  return worker;
}

/** The queue's URL through a namespace's link: the host side's address instead of loopback. */
function viaLink(url: string, ns: Namespace): string {
  const u = new URL(url);
  u.hostname = ns.hostAddress;
  return u.toString();
}

interface AttemptRow {
  job_id: string;
  number: number;
  worker_id: string | null;
  outcome: string;
  finished_at: string | null;
  duration_ms: string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  stdout_bytes: string;
  stderr_bytes: string;
}

interface JobRow {
  id: string;
  state: string;
  last_attempt: number;
  finished_at: string | null;
}

/** Reads the queue's tables directly (over loopback, never cut). */
class Observer {
  private readonly s: string;

  constructor(
    private readonly db: pg.Client,
    schema: string,
  ) {
    this.s = pg.escapeIdentifier(schema);
  }

  async attempts(ids: string[]): Promise<AttemptRow[]> {
    const sql = `SELECT job_id, number, worker_id, outcome, finished_at, duration_ms, exit_code, signal, error,
                        stdout_bytes, stderr_bytes
                 FROM ${this.s}.attempts WHERE job_id = ANY($1) ORDER BY job_id, number`;
    return (await this.db.query<AttemptRow>(sql, [ids])).rows;
  }

  async jobs(ids: string[]): Promise<JobRow[]> {
    const sql = `SELECT id, state, last_attempt, finished_at FROM ${this.s}.jobs WHERE id = ANY($1) ORDER BY id`;
    return (await this.db.query<JobRow>(sql, [ids])).rows;
  }

  /** The id of the worker registered from this host (waits for it). */
  async workerOn(host: string): Promise<string> {
    const sql = `SELECT id FROM ${this.s}.workers WHERE host = $1`;
    const id = async () => (await this.db.query<{ id: string }>(sql, [host])).rows[0]?.id;
    return waitFor(`a worker on ${host} to register`, id, { timeoutMs: 20_000, intervalMs: 100 });
  }

  /** Waits until every one of these jobs is completed. */
  async completed(ids: string[], timeoutMs: number): Promise<void> {
    const sql = `SELECT count(*)::int AS n FROM ${this.s}.jobs WHERE id = ANY($1) AND state = 'completed'`;
    const done = async () => (await this.db.query<{ n: number }>(sql, [ids])).rows[0]?.n === ids.length;
    await waitFor(`${ids.join(", ")} to complete`, done, { timeoutMs, intervalMs: 100 });
  }

  /** The latest heartbeat of a host's workers as stored (null once its registration is gone). */
  async lastBeat(host: string): Promise<string | null> {
    const sql = `SELECT max(heartbeat_at) AS at FROM ${this.s}.workers WHERE host = $1`;
    return (await this.db.query<{ at: string | null }>(sql, [host])).rows[0]?.at ?? null;
  }
}

async function scenario(t: TestContext, url: string, lab: NetLab, h: Harness): Promise<void> {
  const [nsA, nsB] = lab.namespaces as [Namespace, Namespace];
  const port = Number(new URL(url).port || 5432);
  const db = new pg.Client({ connectionString: pgSettings(url).connectionString });
  await db.connect();
  try {
    const see = new Observer(db, h.env.QUEUECTL_SCHEMA!);
    await h.ok(["config", "set", "lease-seconds", String(LEASE_SECONDS)]);
    for (const ns of lab.namespaces) {
      assert.equal(await lab.probe(ns, ns.hostAddress, port), "connected", `PostgreSQL unreachable from ${ns.name}`);
    }

    // A takes both jobs; B starts only once they are A's.
    const a = startWorker(h, lab, nsA, { QUEUECTL_DB: viaLink(url, nsA), QUEUECTL_HOSTNAME: HOST_A });
    const aId = await see.workerOn(HOST_A);
    const runsFile = h.path("runs.txt");
    const gate = h.path("gate");
    h.markers.push(gate); // dispose() kills any shell still waiting for it
    const log = (what: string) =>
      `echo "${what} $QUEUECTL_JOB_ID $QUEUECTL_ATTEMPT $(date +%s%3N) $$" >> ${sq(runsFile)}`;
    // At most ~60 s even if nobody opens the gate.
    const waitForGate = `i=0; while [ ! -e ${sq(gate)} ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1)); done`;
    const jobs = IDS.map((id) => {
      const run = `if [ "$QUEUECTL_ATTEMPT" = 1 ]; then ${waitForGate}; else ${h.sleep(RERUN_S)}; fi`;
      return JSON.stringify({ id, command: `${log("start")}; ${run}; ${log("end")}` });
    });
    await h.ok(["enqueue", "--file", "-"], jobs.join("\n"));
    const started = (attempt: number) => () => IDS.every((id) => readRuns(runsFile).has(`${id}#${attempt}`));
    await waitFor("A to run both jobs", started(1), { timeoutMs: 20_000 });
    assert.deepEqual(
      (await see.attempts(IDS)).map((r) => [r.job_id, r.number, r.worker_id, r.outcome]),
      IDS.map((id) => [id, 1, aId, "running"]),
    );
    const b = startWorker(h, lab, nsB, { QUEUECTL_DB: viaLink(url, nsB), QUEUECTL_HOSTNAME: HOST_B });
    const bId = await see.workerOn(HOST_B);

    // ---- the partition
    lab.cut(nsA);
    // Read once the link is down: a heartbeat whose clock was read later than this cannot get through.
    const cutAt = Date.now();
    const probeCut = await lab.probe(nsA, nsA.hostAddress, port, 1_000);
    assert.equal(probeCut, "timeout", "during the cut a connect from A's namespace must hang, not fail");
    await waitFor("B to run A's jobs again", started(2), { timeoutMs: 30_000, intervalMs: 50 });
    const recovered = await see.attempts(IDS);
    // The fault's own length, not a wait for a condition: well past the lease however soon B recovered.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cutAt + CUT_MIN_MS - Date.now())));
    const beatDuringCut = await see.lastBeat(HOST_A);
    const healAt = Date.now(); // before: times "after the link returned" are then never too short
    lab.heal(nsA);
    const reachable = async () => (await lab.probe(nsA, nsA.hostAddress, port)) === "connected";
    await waitFor("A's namespace to reach PostgreSQL again", reachable, { timeoutMs: 10_000 });

    // The harness did what it claims: A went unheard for longer than a lease, and B took over.
    assert.ok(healAt - cutAt > LEASE_SECONDS * 1000, `the cut lasted ${healAt - cutAt} ms, not longer than the lease`);
    assert.ok(
      beatDuringCut === null || Number(beatDuringCut) <= cutAt,
      `A's heartbeat reached PostgreSQL during the cut (${Number(beatDuringCut) - cutAt} ms after it)`,
    );
    assert.deepEqual(
      // B's short rerun may have ended already.
      recovered.map((r) => [r.job_id, r.number, r.worker_id, r.outcome.replace("completed", "running")]),
      IDS.flatMap((id) => [
        [id, 1, aId, "lost"],
        [id, 2, bId, "running"],
      ]),
      "B recovered A's jobs: attempt 1 lost, attempt 2 on B",
    );
    const lostRows = recovered.filter((r) => r.number === 1);
    const recoveryMs = IDS.map((id) => readRuns(runsFile).get(`${id}#2`)!.start - cutAt);

    // ---- the link is back: A must notice and stop its commands. The window closes one bound after
    // A's first heartbeat back (or RECONNECT_WINDOW_MS after the heal if none comes); then the gate opens.
    const firstRuns = IDS.map((id) => readRuns(runsFile).get(`${id}#1`)!);
    let reconnectAt: number | null = null;
    let goneAt: number | null = null;
    await waitFor(
      "A to stop its runs, or the window to close",
      async () => {
        const now = Date.now();
        if (reconnectAt === null && (await see.lastBeat(HOST_A)) !== beatDuringCut) reconnectAt = now;
        if (firstRuns.every((run) => !groupAlive(run.pid))) goneAt = now;
        const closesAt = reconnectAt === null ? healAt + RECONNECT_WINDOW_MS : reconnectAt + STOP_BOUND_MS + 1_000;
        return goneAt !== null || now > closesAt;
      },
      { timeoutMs: RECONNECT_WINDOW_MS + 10_000, intervalMs: 100 },
    );
    const releasedAt = Date.now();
    writeFileSync(gate, "");
    await waitFor("A's runs to end once the gate opened", () => firstRuns.every((run) => !groupAlive(run.pid)));

    // B's reruns complete; then B leaves, so that new jobs can only go to A.
    await see.completed(IDS, 20_000);
    await stopProcess(b, "SIGTERM");
    const post = ["after-1", "after-2"];
    await h.ok(["enqueue", "--file", "-"], post.map((id) => JSON.stringify({ id, command: "true" })).join("\n"));
    await see.completed(post, 30_000);

    // ---- figures
    const runs = readRuns(runsFile);
    const duplicated = IDS.filter((id) => runs.get(`${id}#1`)?.end != null);
    const endOfA = goneAt ?? releasedAt;
    t.diagnostic(`recovery: ${recoveryMs.join(", ")} ms from the cut to B starting each job (lease ${LEASE_SECONDS}s)`);
    t.diagnostic(
      `cut lasted ${healAt - cutAt} ms; A's first heartbeat after the link returned: ${
        reconnectAt === null ? "none" : `${reconnectAt - healAt} ms`
      }`,
    );
    t.diagnostic(
      goneAt === null
        ? `A did not stop its foreign commands: still running ${releasedAt - healAt} ms after the link returned`
        : `A's foreign commands gone ${goneAt - healAt} ms after the link returned` +
            (reconnectAt === null ? "" : `, ${goneAt - reconnectAt} ms after its first heartbeat back`),
    );
    const outlived = IDS.map((id) => endOfA - runs.get(`${id}#2`)!.start);
    t.diagnostic(`A's runs went on ${outlived.join(", ")} ms after B started them`);
    t.diagnostic(`duplicates (both runs of a job ran to the end): ${duplicated.length} of ${IDS.length}`);

    // ---- what must hold
    const problems: string[] = [];
    const backAt = Math.max(reconnectAt ?? healAt, healAt);
    if (goneAt === null) {
      problems.push(`A did not stop its foreign commands within ${STOP_BOUND_MS} ms of its first heartbeat back`);
    } else if (goneAt - backAt > STOP_BOUND_MS) {
      problems.push(`A stopped its foreign commands ${goneAt - backAt} ms after it was back (bound ${STOP_BOUND_MS})`);
    }
    if (duplicated.length > 0) problems.push(`A's runs of ${duplicated.join(", ")} ran to the end: duplicates`);
    const final = await see.attempts(IDS);
    for (const before of lostRows) {
      const after = final.find((r) => r.job_id === before.job_id && r.number === 1);
      const changed = (Object.keys(before) as (keyof AttemptRow)[])
        .filter((k) => after?.[k] !== before[k])
        .map((k) => `${k} ${JSON.stringify(before[k])} → ${JSON.stringify(after?.[k])}`);
      if (changed.length > 0) problems.push(`A wrote over ${before.job_id}'s lost attempt 1: ${changed.join(", ")}`);
    }
    const jobRows = await see.jobs(IDS);
    for (const id of IDS) {
      const later = final.filter((r) => r.job_id === id && r.number !== 1);
      const shape = later.map((r) => [r.number, r.worker_id, r.outcome, r.exit_code]);
      if (JSON.stringify(shape) !== JSON.stringify([[2, bId, "completed", 0]])) {
        problems.push(`${id}: B's run should be the only one after attempt 1, got ${JSON.stringify(shape)}`);
      }
      const job = jobRows.find((j) => j.id === id);
      if (job?.state !== "completed" || job.last_attempt !== 2 || job.finished_at !== later[0]?.finished_at) {
        problems.push(`${id}: the job should show B's result, got ${JSON.stringify(job)}`);
      }
    }
    for (const run of await see.attempts(post)) {
      if (run.worker_id !== aId) problems.push(`${run.job_id} (after the partition) was run by ${run.worker_id}`);
    }
    if (a.exitCode !== null || a.signalCode !== null) problems.push(`A exited (${a.exitCode ?? a.signalCode})`);
    assert.deepEqual(problems, [], `after the partition:\n${problems.join("\n")}`);
  } finally {
    await db.end();
  }
}

describe("fault: network partition (root, Linux)", { skip: skip ?? false }, () => {
  const title = "a worker cut off past its lease loses its jobs to another, then stops their commands and goes on";
  it(title, { timeout: 120_000 }, (t) =>
    withDatabase((url) =>
      withNetLab(2, (lab) =>
        withHarness(
          () => pgEnv(url),
          (h) => scenario(t, url, lab, h),
        ),
      ),
    ),
  );
});
