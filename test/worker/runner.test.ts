import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { shellExecutor } from "../../src/worker/executor.js";
import { CommandRunner } from "../../src/worker/runner.js";
import { runCli, startCli, stopProcess } from "../helpers/cli.js";
import { alive, pidsMatching, tempHome, waitFor } from "../helpers/env.js";
import { helperPids as anyHelperPids } from "../helpers/spawner.js";

// Marks of this process's own (the same tests run at once on the Node path, in another process).
const MARK_RUNNER = `sleep 31.${process.pid}1`;
const MARK_WORKER = `sleep 31.${process.pid}2`;
after(() => {
  for (const pid of [...pidsMatching(MARK_RUNNER), ...pidsMatching(MARK_WORKER)]) process.kill(pid, "SIGKILL");
});

const request = (command: string, extra: Partial<Parameters<CommandRunner["execute"]>[0]> = {}) => ({
  command,
  timeoutMs: null,
  outputLimit: 1024 * 1024,
  env: { QUEUECTL_JOB_ID: "j1", QUEUECTL_WORKER_ID: `test-runner-${process.pid}` },
  ...extra,
});

/** The helper processes of a runner in `parent` (default: this process). */
function helperPids(parent = process.pid): number[] {
  return anyHelperPids(parent);
}

test("a command run through the helper: output kept apart, streamed as it comes, exit status, start error, timeout, interrupt", async () => {
  const runner = new CommandRunner(2);
  try {
    const chunks: string[] = [];
    const ok = runner.execute(
      request(`printf 'out\\377'; printf 'err' >&2; echo "$QUEUECTL_JOB_ID"`, {
        onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk.length}`),
      }),
    );
    const result = await ok.result;
    assert.equal(result.outcome, "completed");
    assert.equal(result.exit_code, 0);
    assert.deepEqual(result.stdout.data, Buffer.concat([Buffer.from("out"), Buffer.from([0xff]), Buffer.from("j1\n")]));
    assert.equal(result.stderr.data.toString(), "err");
    assert.ok(chunks.some((c) => c.startsWith("stdout:")) && chunks.some((c) => c.startsWith("stderr:")));

    const failed = await runner.execute(request("echo boom >&2; exit 3")).result;
    assert.equal(failed.outcome, "failed");
    assert.equal(failed.exit_code, 3);
    assert.match(failed.error ?? "", /exit code 3: boom/);

    // No command line can carry a NUL byte: the spawn is refused before any process exists.
    const unstartable = await runner.execute(request("echo a\u0000b")).result;
    assert.equal(unstartable.outcome, "start_error");
    assert.match(unstartable.error ?? "", /cannot start \/bin\/sh: .*null bytes/);
    const inProcess = await shellExecutor(request("echo a\u0000b")).result;
    assert.equal(inProcess.outcome, "start_error");

    const slow = await runner.execute(request("sleep 30", { timeoutMs: 300 })).result;
    assert.equal(slow.outcome, "timeout");

    const stopped = runner.execute(request("echo started; sleep 30"));
    await waitFor("the command to start", () => stopped.output("stdout").data.toString() === "started\n");
    stopped.interrupt();
    const interrupted = await stopped.result;
    assert.equal(interrupted.outcome, "interrupted");
    assert.equal(interrupted.error, "interrupted by worker stop --now; will run again");
    assert.equal(interrupted.stdout.data.toString(), "started\n");

    // The worker's own reason for an interrupt crosses to the helper and names itself.
    const disowned = runner.execute(request("echo started; sleep 30"));
    await waitFor("the command to start", () => disowned.output("stdout").data.toString() === "started\n");
    disowned.interrupt("disowned");
    const fenced = await disowned.result;
    assert.equal(fenced.outcome, "interrupted");
    assert.match(fenced.error ?? "", /no longer this worker's/);
  } finally {
    runner.close();
  }
  await waitFor("the helpers to exit after close", () => helperPids().length === 0);
});

test("a helper that dies fails its runs with a clear error, kills their commands, and is replaced", async () => {
  const runner = new CommandRunner(1);
  try {
    const running = runner.execute(request(MARK_RUNNER));
    await waitFor("the command to run", () => pidsMatching(MARK_RUNNER).length > 0);
    const [helper] = helperPids();
    assert.ok(helper, "a helper process is running");
    process.kill(helper, "SIGKILL");
    const result = await running.result;
    assert.equal(result.outcome, "failed");
    assert.match(result.error ?? "", /command runner process died \(signal SIGKILL\)/);
    await waitFor("the orphaned command to be killed", () => pidsMatching(MARK_RUNNER).length === 0);

    const again = await runner.execute(request("echo again")).result;
    assert.equal(again.outcome, "completed");
    assert.equal(again.stdout.data.toString(), "again\n");
  } finally {
    runner.close();
  }
});

test("a worker with 2 slots killed with -9: its helper stops the running commands at once", async () => {
  const home = tempHome();
  const env = { QUEUECTL_HOME: home.home };
  try {
    assert.equal((await runCli(["enqueue", JSON.stringify({ command: MARK_WORKER })], env)).code, 0);
    const worker = startCli(["worker", "start", "--count", "2"], env);
    try {
      await waitFor("the job to run", () => pidsMatching(MARK_WORKER).length > 0);
      const helpers = helperPids(worker.pid);
      assert.equal(helpers.length, 2, "two slots, two helpers");
      worker.kill("SIGKILL");
      // No other worker runs: only the helper can have stopped it (TERM at once).
      await waitFor("the command to be stopped", () => pidsMatching(MARK_WORKER).length === 0);
      await waitFor("the helpers to exit", () => !helpers.some(alive));
    } finally {
      await stopProcess(worker, "SIGKILL");
    }
  } finally {
    home.cleanup();
  }
});

test("a big output on both streams through the helper: head and tail kept, the cut counted, order kept", async () => {
  const runner = new CommandRunner(1);
  try {
    // 1.3 MB on each stream, numbered lines, each line to both, against a 64 KiB cap.
    const command = `seq 1 200000 | awk '{ print; print > "/dev/stderr" }'`;
    const result = await runner.execute(request(command, { outputLimit: 64 * 1024 })).result;
    assert.equal(result.outcome, "completed");
    const expected = Array.from({ length: 200_000 }, (_, i) => `${i + 1}\n`).join("");
    for (const stream of ["stdout", "stderr"] as const) {
      const { data, total_bytes, truncated } = result[stream];
      assert.equal(total_bytes, expected.length, `${stream}: every byte counted`);
      assert.equal(truncated, true);
      const text = data.toString();
      const cut = total_bytes - 64 * 1024;
      const marker = `\n[queuectl: ${cut} bytes cut here; output-limit keeps the head and the tail]\n`;
      assert.equal(text, `${expected.slice(0, 32 * 1024)}${marker}${expected.slice(-32 * 1024)}`, stream);
    }
  } finally {
    runner.close();
  }
});

test("an interrupt at once after the run was asked for, before the command's pid is known, stops it", async () => {
  const runner = new CommandRunner(1);
  try {
    await runner.start();
    const execution = runner.execute(request(`${MARK_RUNNER}; echo not stopped`));
    execution.interrupt();
    const result = await execution.result;
    assert.equal(result.outcome, "interrupted");
    assert.equal(result.stdout.data.toString(), "");
    // The TERM sent at once reached the shell, not only the KILL that follows after the grace.
    assert.equal(result.signal, "SIGTERM");
    await waitFor("the command to be gone", () => pidsMatching(MARK_RUNNER).length === 0);
  } finally {
    runner.close();
  }
});

test("a run's directory and variables: the command runs there and sees them; a missing directory is a start error naming it", async () => {
  const runner = new CommandRunner(1);
  const home = tempHome();
  try {
    const dir = join(home.home, "a dir with 'quotes'");
    mkdirSync(dir);
    const env = { QUEUECTL_JOB_ID: "j2", GREETING: "hello world", EMPTY: "" };
    const here = await runner.execute(request(`pwd; echo "$GREETING|$EMPTY|\${EMPTY-unset}"`, { cwd: dir, env }))
      .result;
    assert.equal(here.outcome, "completed", here.error ?? "");
    assert.equal(here.stdout.data.toString(), `${dir}\nhello world||\n`);
    // Without a directory: the worker's own, as before.
    const own = await runner.execute(request("pwd")).result;
    assert.equal(own.stdout.data.toString(), `${process.cwd()}\n`);

    for (const [cwd, why] of [
      [join(home.home, "missing"), /does not exist/],
      [join(home.home, "a-file"), /is not a directory/],
    ] as const) {
      if (cwd.endsWith("a-file")) writeFileSync(cwd, "");
      for (const execute of [runner.execute, shellExecutor]) {
        const result = await execute(request("echo ran", { cwd })).result;
        assert.equal(result.outcome, "start_error", `${cwd}: ${result.error}`);
        assert.ok(result.error?.includes(cwd), `the error names the directory: ${result.error}`);
        assert.match(result.error ?? "", why);
        assert.equal(result.stdout.data.toString(), "");
      }
    }
    // The runner goes on after a failed start.
    assert.equal((await runner.execute(request("echo again", { cwd: dir })).result).outcome, "completed");
  } finally {
    runner.close();
    home.cleanup();
  }
});
