/** CLI scenarios: `job cancel ID... [--signal SIG] [--grace DURATION]`. */
import assert from "node:assert/strict";
import { startCli } from "../../helpers/cli.js";
import { waitFor } from "../../helpers/env.js";
import { marked, ON_LINUX } from "../../faults/proc.js";
import { assertError, type Harness } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

/** The worker runs under another host name: on PostgreSQL the cancel must reach it across hosts. */
const FAR_HOST = "far-host";

function farWorker(h: Harness, slots: number) {
  const w = startCli(["worker", "start", "--count", String(slots)], { ...h.env, QUEUECTL_HOSTNAME: FAR_HOST });
  h.workers.push(w);
  return w;
}

/** Live processes started for job `id` (they carry QUEUECTL_JOB_ID in their environment). */
const processesOf = (id: string) => marked([`QUEUECTL_JOB_ID=${id}`]);

export const cancelScenarios: Scenario[] = [
  scenario(
    "workers",
    "cancel kills a running job's whole group (a shell that traps TERM, and its child) within the grace",
    async (h) => {
      assert.ok(ON_LINUX, "finds the job's processes through /proc");
      const sleep = h.sleep(300);
      // The shell survives SIGTERM (its trap prints and goes on to a second sleep): only the
      // SIGKILL after the grace ends it.
      const command = `trap 'echo got TERM' TERM; ${sleep} & wait; echo after; ${sleep}`;
      const id = await h.enqueue({ id: "victim", command, max_retries: 3 });
      const worker = farWorker(h, 2);
      await h.waitState(id, "processing");
      await waitFor("the job's shell and its sleep", () => processesOf(id).length >= 2, { timeoutMs: 10_000 });

      const r = await h.cli(["job", "cancel", id, "--grace", "1s"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /victim cancelling: SIGTERM .*SIGKILL after 1 s/);
      // Within the grace (1 s) plus the time to hear of it (a wake-up; a heartbeat at most).
      await waitFor("no process of the job left", () => processesOf(id).length === 0, { timeoutMs: 10_000 });
      const { job, attempts } = await h.waitState(id, "cancelled", 20_000);
      assert.equal(job.cancel_requested, null);
      assert.deepEqual(
        attempts.map((a) => a.outcome),
        ["cancelled"],
        "exactly one attempt, recorded as cancelled",
      );
      assert.equal(attempts[0]?.signal, "SIGKILL", "the trap outlived SIGTERM: SIGKILL ended it");
      assert.match((await h.output(id)).toString(), /got TERM/, "its output is kept");

      // The worker goes on: its slot is free, and the cancelled job never runs again.
      const next = await h.enqueue({ command: "echo next" });
      await h.waitState(next, "completed");
      assert.equal((await h.show(id)).attempts.length, 1, "no further attempt");
      assert.equal(worker.exitCode, null, "the worker is still running");
      assertError(await h.cli(["job", "cancel", id]), 1, /job victim is cancelled: nothing to cancel/, "again");
      assertError(await h.cli(["job", "cancel", next]), 1, /is completed: nothing to cancel/, "a completed job");
      assert.equal((await h.counts()).cancelled, 1);
    },
    180_000,
  ),

  scenario(
    "workers",
    "cancel with --signal INT: a job that exits on SIGINT ends cancelled",
    async (h) => {
      const sleep = h.sleep(300);
      const id = await h.enqueue({ command: `trap 'echo bye; exit 3' INT; ${sleep} & wait` });
      farWorker(h, 1);
      await h.waitState(id, "processing");
      await waitFor("the job's sleep", () => processesOf(id).length >= 2, { timeoutMs: 10_000 });
      const shown = await h.json<{ id: string; state: string; cancel_requested: unknown }[]>([
        "job",
        "cancel",
        id,
        "--signal",
        "int",
        "--grace",
        "30s",
      ]);
      assert.deepEqual(shown, [
        { ...shown[0], id, state: "processing", cancel_requested: { signal: "SIGINT", grace_ms: 30_000 } },
      ]);
      const { attempts } = await h.waitState(id, "cancelled", 15_000);
      assert.deepEqual(
        attempts.map((a) => [a.outcome, a.exit_code]),
        [["cancelled", 3]],
      );
      assert.match((await h.output(id)).toString(), /bye/);
      await waitFor("no process of the job left", () => processesOf(id).length === 0, { timeoutMs: 5_000 });
    },
    120_000,
  ),

  scenario(
    "jobs",
    "cancel waiting jobs at once; each id on its own; bad options write nothing",
    async (h) => {
      const later = new Date(Date.now() + 3_600_000).toISOString();
      const a = await h.enqueue({ id: "wait-a", command: "true" });
      const b = await h.enqueue({ id: "wait-b", command: "true", run_at: later });
      for (const [args, pattern] of [
        [["--signal", "NOPE"], /signal: must be a signal name/],
        [["--grace", "2h"], /grace: must be a duration/],
        [["--grace", "-1"], /grace/],
      ] as const) {
        assertError(await h.cli(["job", "cancel", a, ...args]), 2, pattern, args.join(" "));
      }
      assert.equal(await h.state(a), "pending", "nothing written for bad options");

      const r = await h.cli(["job", "cancel", a, "nope", b]);
      assert.equal(r.code, 1, "an unknown id is refused");
      assert.match(r.stderr, /wait-a cancelled/);
      assert.match(r.stderr, /wait-b cancelled/);
      assert.match(r.stderr, /job not found: nope/);
      assert.equal(await h.state(a), "cancelled");
      assert.equal(await h.state(b), "cancelled");
      const listed = await h.json<{ id: string }[]>(["list", "--state", "cancelled"]);
      assert.deepEqual(listed.map((j) => j.id).sort(), [a, b]);
      assert.equal((await h.counts()).cancelled, 2);
      // wait treats cancelled as finished but not completed.
      const waited = await h.cli(["wait", a]);
      assert.equal(waited.code, 1);
      assert.match(waited.stderr, /job wait-a ended cancelled/);
      // Nothing runs them.
      const worker = h.worker(1);
      await h.waitRegistered(worker.pid!);
      const c = await h.enqueue({ command: "true" });
      await h.waitState(c, "completed");
      assert.equal((await h.show(a)).attempts.length, 0);
    },
    120_000,
  ),

  scenario(
    "workers",
    "cancels racing the jobs' own ends: each job records one outcome, and none runs again",
    async (h) => {
      const ids = Array.from({ length: 24 }, (_, i) => `race-${String(i).padStart(2, "0")}`);
      const lines = ids.map((id, i) => JSON.stringify({ id, command: `sleep 0.0${i % 10}`, max_retries: 2 }));
      await h.ok(["enqueue", "--file", "-"], lines.join("\n"));
      farWorker(h, 4);
      await waitFor("the first jobs to finish", async () => (await h.counts()).completed > 0, { timeoutMs: 20_000 });
      const r = await h.cli(["job", "cancel", ...ids, "--grace", "0"]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      await h.waitCounts("every job finished", (c) => c.completed + c.cancelled === ids.length, 30_000);
      for (const id of ids) {
        const { job, attempts } = await h.show(id);
        const outcomes = attempts.map((a) => a.outcome);
        if (job.state === "completed") assert.deepEqual(outcomes, ["completed"], id);
        else assert.ok(outcomes.length <= 1 && outcomes.every((o) => o !== "running"), `${id}: ${outcomes}`);
        assert.ok(!outcomes.includes("completed") || job.state === "completed", `${id}: completed twice over`);
      }
      const refused = r.stderr.split("\n").filter((line) => /nothing to cancel/.test(line));
      for (const line of refused) assert.match(line, /is completed/, "only completed jobs are refused");
    },
    180_000,
  ),
];
