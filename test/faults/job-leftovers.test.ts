// No process outlives its job, even one that left the job's process group (setsid, double fork):
// at timeout, at interrupt, and when the job ends by itself. Linux only (found through /proc).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { CommandRunner } from "../../src/worker/runner.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { withHarness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { killAll, marked, ON_LINUX, parentOf } from "./proc.js";

const skip = !ON_LINUX && "needs /proc (Linux)";
const WORKER = `leftovers-${process.pid}`;
/** A sleep only this file starts, so that cleanup finds exactly its processes. */
const SLEEP = `sleep 300.${process.pid}`;
after(() => killAll(marked([`QUEUECTL_WORKER_ID=${WORKER}`])));

const newJob = () => `leftover-${randomBytes(4).toString("hex")}`;
const markOf = (job: string) => [`QUEUECTL_JOB_ID=${job}`];
const env = (job: string) => ({ QUEUECTL_JOB_ID: job, QUEUECTL_ATTEMPT: "1", QUEUECTL_WORKER_ID: WORKER });

/** The job's processes still alive, shortly after its result (a SIGKILLed process needs a moment). */
async function survivors(job: string): Promise<string[]> {
  try {
    await waitFor("the job's processes to be gone", () => marked(markOf(job)).length === 0, { timeoutMs: 2_000 });
    return [];
  } catch {
    const left = marked(markOf(job));
    killAll(left);
    return left.map((p) => `${p.pid} ${p.cmdline}`);
  }
}

const described = (left: string[]) => (left.length ? `survivors ${left.join("; ")}` : "no survivor");

const cases = [
  { what: "a setsid child", command: `setsid ${SLEEP} & sleep 30` },
  { what: "a double-forked setsid grandchild", command: `(setsid sh -c '${SLEEP} & true' &); sleep 30` },
];

for (const { what, command } of cases) {
  test(`${what} does not survive its job's timeout (command runner)`, { skip }, async (t) => {
    const runner = new CommandRunner(1);
    try {
      const job = newJob();
      const result = await runner.execute({ command, timeoutMs: 1_000, outputLimit: 1024, env: env(job) }).result;
      assert.equal(result.outcome, "timeout");
      const left = await survivors(job);
      t.diagnostic(`after the timeout: ${described(left)}`);
      assert.deepEqual(left, [], "processes of the job alive after its timeout");
    } finally {
      runner.close();
    }
  });

  test(`${what} does not survive an interrupt (command runner)`, { skip }, async (t) => {
    const runner = new CommandRunner(1);
    try {
      const job = newJob();
      const execution = runner.execute({ command, timeoutMs: null, outputLimit: 1024, env: env(job) });
      await waitFor("the setsid child to run", () => marked(markOf(job)).some((p) => p.cmdline === SLEEP));
      execution.interrupt();
      assert.equal((await execution.result).outcome, "interrupted");
      const left = await survivors(job);
      t.diagnostic(`after the interrupt: ${described(left)}`);
      assert.deepEqual(left, [], "processes of the job alive after its interrupt");
    } finally {
      runner.close();
    }
  });
}

test("a job that exits leaves nothing behind: its background children are stopped", { skip }, async (t) => {
  const runner = new CommandRunner(1);
  try {
    const job = newJob();
    const command = `${SLEEP} & setsid ${SLEEP} & (setsid sh -c '${SLEEP} & true' &); sleep 0.2; echo done`;
    const result = await runner.execute({ command, timeoutMs: null, outputLimit: 1024, env: env(job) }).result;
    assert.equal(result.outcome, "completed");
    assert.equal(result.stdout.data.toString(), "done\n");
    const left = await survivors(job);
    t.diagnostic(`after the job exited: ${described(left)}`);
    assert.deepEqual(left, [], "processes of the job alive after it exited");
  } finally {
    runner.close();
  }
});

test("a helper that dies kills its own runs only: the worker's run on another helper goes on", { skip }, async () => {
  const runner = new CommandRunner(2);
  try {
    await runner.start();
    const doomed = newJob();
    const survivor = newJob();
    const first = runner.execute({ command: `${SLEEP}`, timeoutMs: null, outputLimit: 1024, env: env(doomed) });
    const started = Date.now();
    const second = runner.execute({
      command: "sleep 1; echo alive",
      timeoutMs: null,
      outputLimit: 1024,
      env: env(survivor),
    });
    // `sh -c` execs a lone command: the marked process is the command, a child of its helper.
    const command = await waitFor("the first run to start", () => marked(markOf(doomed))[0]);
    const helper = await waitFor("its helper", () => parentOf(command.pid));
    const killedAt = Date.now();
    process.kill(helper, "SIGKILL");
    const lost = await first.result;
    assert.equal(lost.outcome, "failed");
    const kept = await second.result;
    assert.equal(kept.outcome, "completed", `the other helper's run ended "${kept.outcome}": ${kept.error}`);
    assert.equal(kept.stdout.data.toString(), "alive\n");
    assert.ok(lost.duration_ms >= killedAt - started, `the lost run's duration_ms is ${lost.duration_ms}`);
    assert.deepEqual(await survivors(doomed), []);
  } finally {
    runner.close();
  }
});

test("through a real worker: timeout 1 s and `worker stop --now` leave no setsid child", { skip }, async (t) => {
  await withHarness(sqliteEnv, async (h) => {
    const timedOut = await h.enqueue({ command: `setsid ${SLEEP} & sleep 30`, timeout: 1, max_retries: 0 });
    const worker = h.worker(1);
    const shown = await h.waitState(timedOut, "dead", 20_000);
    assert.equal(shown.attempts[0]?.outcome, "timeout");
    const afterTimeout = await survivors(timedOut);
    t.diagnostic(`worker, after the timeout: ${described(afterTimeout)}`);

    const interrupted = await h.enqueue({ command: `setsid ${SLEEP} & sleep 30`, max_retries: 0 });
    await waitFor("the setsid child to run", () => marked(markOf(interrupted)).some((p) => p.cmdline === SLEEP));
    await h.ok(["worker", "stop", "--now"]);
    assert.equal(await h.waitExit(worker), 0);
    const { attempts } = await h.show(interrupted);
    assert.equal(attempts[0]?.outcome, "interrupted");
    const afterStop = await survivors(interrupted);
    t.diagnostic(`worker, after stop --now: ${described(afterStop)}`);
    assert.deepEqual(afterTimeout, [], "processes of the job alive after its timeout");
    assert.deepEqual(afterStop, [], "processes of the job alive after worker stop --now");
  });
});
