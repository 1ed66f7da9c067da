/** CLI scenarios: Worker processes: exactly once, crashes, leases, stopping, detaching, restarts. */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { alive, pidsMatching, waitFor } from "../../helpers/env.js";
import { sq, type Counts, type JobJson } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

export const workerScenarios: Scenario[] = [
  scenario(
    "workers",
    "exactly once: 3 worker processes × 4 slots over 300 jobs",
    async (h) => {
      const out = h.path("ids.txt");
      const ids = Array.from({ length: 300 }, (_, i) => `x${String(i).padStart(3, "0")}`);
      const jsonl = (part: string[]) =>
        part.map((id) => JSON.stringify({ id, command: `echo ${id} >> ${sq(out)}` })).join("\n");
      // half before the workers start, half while they run (3 enqueuers at once, 50 jobs each)
      writeFileSync(h.path("jobs.jsonl"), jsonl(ids.slice(0, 150)));
      assert.deepEqual((await h.ok(["enqueue", "--file", h.path("jobs.jsonl")])).trim().split("\n"), ids.slice(0, 150));
      const workers = [h.worker(4), h.worker(4), h.worker(4)];
      await Promise.all(
        [150, 200, 250].map(async (from) => {
          const part = ids.slice(from, from + 50);
          assert.deepEqual((await h.ok(["enqueue", "--file", "-"], jsonl(part))).trim().split("\n"), part);
        }),
      );
      const counts = await h.waitCounts("300 completed", (c) => c.completed + c.failed + c.dead === 300, 90_000);
      assert.deepEqual(counts, { pending: 0, processing: 0, completed: 300, failed: 0, dead: 0, cancelled: 0 });
      const seen = readFileSync(out, "utf8").trim().split("\n").sort();
      const dupes = seen.filter((id, i) => seen[i - 1] === id);
      assert.deepEqual(dupes, [], "no job ran twice");
      assert.deepEqual(seen, ids, "every job ran");
      const rows = await h.json<JobJson[]>(["list", "--limit", "1000"]);
      assert.equal(rows.length, 300);
      assert.deepEqual(
        rows.filter((j) => j.attempts !== 1).map((j) => j.id),
        [],
        "each job ran exactly once",
      );
      const list = await h.json<Record<string, any>[]>(["worker", "list"]);
      assert.deepEqual(
        workers.map((w) => list.some((x) => x.pid === w.pid && x.slots === 4)),
        [true, true, true],
        "worker list shows the 3 workers with 4 slots each",
      );
      await h.ok(["worker", "stop"]);
      for (const w of workers) assert.equal(await h.waitExit(w), 0);
    },
    120_000,
  ),

  scenario("workers", "crash: kill -9 a worker mid-job; another worker completes it; nothing stuck", async (h) => {
    await h.ok(["config", "set", "lease-seconds", "2"]);
    // The job runs until the test opens the gate: it cannot end before the kill, however slow
    // the machine. (The killed worker's shell is orphaned; it exits too once the gate opens.)
    const gate = h.path("gate");
    const id = await h.enqueue({ command: `while [ ! -e ${sq(gate)} ]; do sleep 0.05; done; echo finished` });
    const a = h.worker(1);
    const running = await h.waitState(id, "processing");
    assert.ok(running.job.worker_id, "a processing job names its worker");
    const b = h.worker(1);
    try {
      await h.waitRegistered(b.pid!);
      a.kill("SIGKILL");
      await h.waitExit(a);
      // recovered (lease expired or dead pid seen) and claimed by worker b: a second attempt starts
      const retaken = await waitFor(
        "another worker to take the job over",
        async () => {
          const shown = await h.show(id);
          return shown.attempts.length >= 2 && shown.job.state === "processing" ? shown : null;
        },
        { timeoutMs: 20_000, intervalMs: 150 },
      );
      assert.notEqual(retaken.job.worker_id, running.job.worker_id);
    } finally {
      writeFileSync(gate, "");
    }
    const { job, attempts } = await h.waitState(id, "completed", 25_000);
    assert.ok(attempts.length >= 2, "the job ran again");
    assert.equal(attempts[0]!.outcome, "lost", "the crashed run is recorded as lost");
    assert.equal(attempts.at(-1)!.outcome, "completed");
    assert.notEqual(attempts.at(-1)!.worker_id, running.job.worker_id, "completed by another worker");
    assert.equal(job.exit_code, 0);
    assert.equal((await h.output(id)).toString(), "finished\n");
    const c = await h.counts();
    assert.equal(c.processing, 0, "nothing stuck in processing");
    assert.equal(c.completed, 1);
    const workers = await h.json<Record<string, any>[]>(["worker", "list"]);
    assert.ok(!workers.some((w) => w.pid === a.pid && w.status === "alive"), "the killed worker is not shown alive");
  }),

  scenario(
    "workers",
    "kill -9 one of three busy workers: no job lost, none stuck, every id at least once",
    async (h) => {
      await h.ok(["config", "set", "lease-seconds", "2"]);
      const out = h.path("ids.txt");
      const ids = Array.from({ length: 150 }, (_, i) => `k${String(i).padStart(3, "0")}`);
      const jsonl = ids.map((id) => JSON.stringify({ id, command: `sleep 0.05; echo ${id} >> ${sq(out)}` })).join("\n");
      await h.ok(["enqueue", "--file", "-"], jsonl);
      const [victim, ...others] = [h.worker(2), h.worker(2), h.worker(2)];
      await h.waitCounts("30 jobs done", (c) => c.completed >= 30);
      victim!.kill("SIGKILL");
      await h.waitExit(victim!);
      const counts = await h.waitCounts("all 150 completed", (c) => c.completed === 150, 60_000);
      assert.deepEqual(counts, { pending: 0, processing: 0, completed: 150, failed: 0, dead: 0, cancelled: 0 });
      const seen = new Set(readFileSync(out, "utf8").trim().split("\n"));
      assert.deepEqual([...seen].sort(), ids, "every job ran");
      for (const w of others) assert.equal(w.exitCode, null, "the other workers keep running");
    },
  ),

  scenario(
    "workers",
    "a job longer than the lease is not taken over while its worker lives (heartbeat renews it)",
    async (h) => {
      await h.ok(["config", "set", "lease-seconds", "2"]);
      const out = h.path("runs.txt");
      const id = await h.enqueue({ command: `echo run >> ${sq(out)}; sleep 5; echo done` });
      const a = h.worker(1);
      await h.waitState(id, "processing");
      const b = h.worker(1);
      await h.waitRegistered(b.pid!);
      const { attempts } = await h.waitState(id, "completed", 20_000);
      assert.deepEqual(
        attempts.map((x) => x.outcome),
        ["completed"],
        "one run only: the lease of a live worker's job is renewed",
      );
      assert.equal(readFileSync(out, "utf8"), "run\n");
      assert.equal(a.exitCode, null, "worker a still runs");
    },
  ),

  scenario(
    "workers",
    "graceful stop: worker stop while a 3 s job runs → it completes, worker exits, no new job taken",
    async (h) => {
      const id = await h.enqueue({ command: "sleep 3; echo graceful" });
      const w = h.worker(2);
      await h.waitState(id, "processing");
      await h.ok(["worker", "stop"]);
      const second = await h.enqueue({ command: "echo should-not-run" });
      assert.equal(await h.waitExit(w, 20_000), 0, "the worker exits 0 after draining");
      const { job } = await h.show(id);
      assert.equal(job.state, "completed", "the running job completed");
      assert.equal((await h.output(id)).toString(), "graceful\n");
      const row = await h.row(second);
      assert.equal(row.state, "pending", "no new job taken after stop was requested");
      assert.equal(row.attempts, 0);
      const list = await h.json<Record<string, any>[]>(["worker", "list"]);
      assert.ok(!list.some((x) => x.pid === w.pid), "a stopped worker leaves worker list");
    },
  ),

  scenario("workers", "SIGTERM drains; a second signal stops at once", async (h) => {
    const id = await h.enqueue({ command: "sleep 2; echo drained" });
    const w = h.worker(2);
    await h.waitState(id, "processing");
    w.kill("SIGTERM");
    const second = await h.enqueue({ command: "echo should-not-run" });
    assert.equal(await h.waitExit(w, 15_000), 0);
    assert.equal(await h.state(id), "completed");
    assert.equal((await h.output(id)).toString(), "drained\n");
    assert.equal((await h.row(second)).state, "pending");

    // second signal: stop at once, the job is not left in processing and no process survives
    const sleep = h.sleep(120);
    const long = await h.enqueue({ command: sleep, max_retries: 0 });
    const v = h.worker(1);
    await h.waitState(long, "processing");
    v.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 500)); // let the first signal be handled (signals coalesce)
    assert.ok(alive(v.pid!), "one SIGINT drains: the worker waits for its job");
    v.kill("SIGINT");
    // Exits in far less than the 120 s the job would take: the second signal did not wait for it.
    await h.waitExit(v, 60_000);
    const after = await h.row(long);
    assert.notEqual(after.state, "processing", "not left in processing");
    assert.notEqual(after.state, "dead", "an interrupted run does not use up a retry");
    await waitFor(`no "${sleep}" process left`, () => pidsMatching(sleep).length === 0, { timeoutMs: 5000 });
  }),

  scenario("workers", "worker stop --now: the running job goes back to pending without using a retry", async (h) => {
    const mark = h.path("ran-once");
    const sleep = h.sleep(30);
    // first run: sleeps (interrupted); second run: completes at once
    const id = await h.enqueue({
      command: `if [ -e ${sq(mark)} ]; then echo second-run; else touch ${sq(mark)}; ${sleep}; fi`,
      max_retries: 0,
    });
    const w = h.worker(1);
    await h.waitState(id, "processing");
    await h.ok(["worker", "stop", "--now"]);
    await h.waitExit(w, 10_000);
    const row = await h.row(id);
    assert.equal(row.state, "pending", "interrupted job is back to pending");
    assert.equal(row.attempts, 0, "the interrupted run is not counted");
    const { attempts } = await h.show(id);
    assert.equal(attempts.length, 1, "the interrupted run is kept in the history");
    assert.equal(attempts[0]!.outcome, "interrupted");
    await waitFor(`no "${sleep}" process left`, () => pidsMatching(sleep).length === 0, { timeoutMs: 5000 });

    // max_retries 0: if the interrupted run had counted, the job could not run again
    h.worker(1);
    await h.waitState(id, "completed");
    assert.equal((await h.output(id)).toString(), "second-run\n");
    assert.equal((await h.row(id)).attempts, 1);
  }),

  scenario(
    "workers",
    "worker start --detach prints the pid, logs under $QUEUECTL_HOME/logs, worker stop ends it",
    async (h) => {
      const r = await h.cli(["worker", "start", "--count", "2", "--detach"]);
      assert.equal(r.code, 0, r.stderr);
      const pid = Number(r.stdout.trim().split("\n").at(-1));
      assert.ok(Number.isInteger(pid) && pid > 0, `--detach prints the pid, got: ${r.stdout}`);
      h.detachedPids.push(pid);
      assert.ok(alive(pid), "the detached worker runs");
      const entry = await h.waitRegistered(pid);
      assert.equal(entry.slots, 2);
      assert.equal(entry.status, "alive");
      assert.match(await h.ok(["worker", "list"]), new RegExp(String(pid)));
      const status = await h.json<Record<string, any>>(["status"]);
      assert.ok(
        status.workers.some((x: any) => x.pid === pid),
        "status lists the worker",
      );
      const id = await h.enqueue({ command: "echo detached-ok" });
      await h.waitState(id, "completed");
      assert.ok(
        existsSync(h.path("logs")) && readdirSync(h.path("logs")).length > 0,
        "a log file in $QUEUECTL_HOME/logs",
      );
      await h.ok(["worker", "stop"]);
      await waitFor("the detached worker to exit", () => !alive(pid), { timeoutMs: 15_000 });
      assert.deepEqual(
        (await h.json<Record<string, any>[]>(["worker", "list"])).filter((x) => x.pid === pid),
        [],
      );
    },
  ),

  scenario("workers", "jobs and config survive restarts", async (h) => {
    await h.ok(["config", "set", "max-retries", "7"]);
    await h.ok(["config", "set", "job-timeout", "120"]);
    const first = await h.enqueue({ id: "before", command: "echo one" });
    let w = h.worker(1);
    await h.waitState(first, "completed");
    w.kill("SIGTERM");
    await h.waitExit(w);
    const second = await h.enqueue({ id: "between", command: "echo two" });
    const scheduled = await h.enqueue({
      id: "later",
      command: "true",
      run_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.equal((await h.ok(["config", "get", "max-retries"])).trim(), "7");
    assert.equal((await h.ok(["config", "get", "job-timeout"])).trim(), "120");
    assert.deepEqual(await h.counts(), { pending: 2, processing: 0, completed: 1, failed: 0, dead: 0, cancelled: 0 });
    assert.equal((await h.row(second)).max_retries, 7);
    assert.equal((await h.output(first)).toString(), "one\n");
    w = h.worker(1);
    await h.waitState(second, "completed");
    assert.equal((await h.row(scheduled)).state, "pending", "a job scheduled in an hour waits");
    w.kill("SIGTERM");
    await h.waitExit(w);
    const c: Counts = await h.counts();
    assert.deepEqual(c, { pending: 1, processing: 0, completed: 2, failed: 0, dead: 0, cancelled: 0 });
  }),
];
