/**
 * The CLI end-to-end scenarios of issue 2, run against the built binary (`node bin/queuectl.js`) as a
 * user would. Engine-agnostic: `makeEnv` gives each test a fresh, empty store (SQLite: a temp
 * QUEUECTL_HOME; PostgreSQL: QUEUECTL_DB pointing at a fresh database), so the same scenarios run on
 * both engines.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { BIN, stopProcess } from "../helpers/cli.js";
import { alive, pidsMatching, waitFor } from "../helpers/env.js";
import {
  assertError,
  ms,
  sq,
  withHarness,
  type AttemptJson,
  type Counts,
  type Harness,
  type JobJson,
  type MakeEnv,
} from "./harness.js";

export type { MakeEnv, CliEnv } from "./harness.js";

export type ScenarioGroup = "input" | "jobs" | "workers";

const JOB_FIELDS = [
  "id",
  "command",
  "state",
  "scheduled",
  "priority",
  "attempts",
  "max_retries",
  "timeout",
  "run_at",
  "created_at",
  "updated_at",
  "started_at",
  "finished_at",
  "exit_code",
  "duration_ms",
  "last_error",
  "worker_id",
];

const ATTEMPT_FIELDS = [
  "number",
  "outcome",
  "worker_id",
  "started_at",
  "finished_at",
  "duration_ms",
  "exit_code",
  "signal",
  "error",
  "stdout_bytes",
  "stderr_bytes",
];

const CONFIG_DEFAULTS: Record<string, number> = {
  "max-retries": 3,
  "backoff-base": 2,
  "backoff-max": 3600,
  "worker-poll-interval": 1,
  "job-timeout": 3600,
  "output-limit": 1024 * 1024,
  "lease-seconds": 6,
};

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** `config show --json` as {key: number}, whether printed as an object or as [{key, value}]. */
function configObject(raw: unknown): Record<string, number> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((e: any) => [e.key ?? e.name, Number(e.value)]));
  }
  assert.ok(raw && typeof raw === "object", "config show --json must print an object or an array");
  return Object.fromEntries(
    Object.entries(raw as Record<string, any>).map(([k, v]) => [
      k,
      typeof v === "object" && v ? Number(v.value) : Number(v),
    ]),
  );
}

/**
 * Defines every scenario. `groups` restricts to some groups (so one engine's suite can be split
 * across files that the runner runs in parallel).
 */
export function cliScenarios(engine: string, makeEnv: MakeEnv, groups?: ScenarioGroup[]): void {
  const wants = (g: ScenarioGroup) => !groups || groups.includes(g);
  const test = (name: string, fn: (h: Harness) => Promise<void>, timeout = 60_000) =>
    it(name, { timeout }, () => withHarness(makeEnv, fn));

  if (wants("input")) {
    describe(`cli [${engine}]: input, config, listing`, () => {
      test("bad input: one-line message naming the problem, exit 2/1, nothing written", async (h) => {
        await h.enqueue({ id: "dup", command: "true" });
        const before = await h.total();
        assert.equal(before, 1);

        const bad = (args: string[], code: number, pattern: RegExp) => ({ args, code, pattern });
        const job = (o: unknown) => ["enqueue", JSON.stringify(o)];
        const cases = [
          bad(["enqueue", "{bad json"], 2, /json/i),
          bad(["enqueue", '{"command": "true"'], 2, /json/i),
          bad(job({}), 2, /command/),
          bad(job({ command: "" }), 2, /command/),
          bad(job({ command: "   " }), 2, /command/),
          bad(job({ command: 5 }), 2, /command/),
          bad(job({ command: null }), 2, /command/),
          bad(job({ command: "echo a\u0000b" }), 2, /command.*NUL/),
          bad(job([]), 2, /job/i),
          bad(job([{ command: "true" }, { command: "" }]), 2, /command/),
          bad(job([{ command: "true" }, 7]), 2, /object|job/i),
          bad(job("true"), 2, /object|job/i),
          bad(job({ command: "true", priority: "high" }), 2, /priority/),
          bad(job({ command: "true", priority: 0 }), 2, /priority/),
          bad(job({ command: "true", priority: 11 }), 2, /priority/),
          bad(job({ command: "true", priority: 5.5 }), 2, /priority/),
          bad(job({ command: "true", run_at: "tomorrow" }), 2, /run_at/),
          bad(job({ command: "true", run_at: "2030-01-01T00:00:00" }), 2, /run_at/),
          bad(job({ command: "true", run_at: 1767225600000 }), 2, /run_at/),
          bad(job({ command: "true", max_retries: -1 }), 2, /max_retries/),
          bad(job({ command: "true", max_retries: "3" }), 2, /max_retries/),
          bad(job({ command: "true", max_retries: 1.5 }), 2, /max_retries/),
          bad(job({ command: "true", timeout: 0 }), 2, /timeout/),
          bad(job({ command: "true", timeout: -5 }), 2, /timeout/),
          bad(job({ command: "true", timeout: "10" }), 2, /timeout/),
          bad(job({ command: "true", bogus_field: 1 }), 2, /bogus_field/),
          bad(job({ command: "true", id: 42 }), 2, /\bid\b/),
          bad(job({ command: "true", id: "" }), 2, /\bid\b/),
          bad(["enqueue"], 2, /./),
          // duplicate id and unknown ids: exit 1
          bad(job({ id: "dup", command: "echo again" }), 1, /dup/),
          bad(["job", "show", "no-such-job"], 1, /no-such-job/),
          bad(["job", "show", "no-such-job", "--json"], 1, /no-such-job/),
          bad(["job", "output", "no-such-job"], 1, /no-such-job/),
          bad(["job", "output", "no-such-job", "--stderr"], 1, /no-such-job/),
          bad(["dlq", "retry", "no-such-job"], 1, /no-such-job/),
          // wrong state / nothing to show: exit 1
          bad(["dlq", "retry", "dup"], 1, /dup|dead|state/i),
          bad(["job", "output", "dup"], 1, /./),
          // config
          bad(["config", "set", "no-such-key", "3"], 2, /no-such-key/),
          bad(["config", "get", "no-such-key"], 2, /no-such-key/),
          bad(["config", "set", "max-retries", "-1"], 2, /max-retries/),
          bad(["config", "set", "max-retries", "abc"], 2, /max-retries/),
          bad(["config", "set", "max-retries", "1.5"], 2, /max-retries/),
          bad(["config", "set", "backoff-base", "0.5"], 2, /backoff-base/),
          bad(["config", "set", "output-limit", "100"], 2, /output-limit/),
          bad(["config", "set", "lease-seconds", "0"], 2, /lease-seconds/),
          bad(["config", "set", "max-retries"], 2, /./),
          // usage
          bad(["list", "--bogus-option"], 2, /bogus-option/),
          bad(["enqueue", '{"command":"true"}', "--bogus-option"], 2, /bogus-option/),
          bad(["frobnicate"], 2, /frobnicate/),
          bad(["list", "--state", "sleeping"], 2, /state|sleeping/),
          bad(["list", "--limit", "0"], 2, /limit/),
          bad(["list", "--limit", "abc"], 2, /limit/),
          bad(["worker", "start", "--count", "0"], 2, /count/),
          bad(["worker", "start", "--count", "abc"], 2, /count/),
          bad(["job", "output", "dup", "--attempt", "x"], 2, /attempt/),
        ];
        // A few at a time: each is a fresh process.
        for (let i = 0; i < cases.length; i += 4) {
          await Promise.all(
            cases.slice(i, i + 4).map(async (c) => {
              const r = await h.cli(c.args);
              assertError(r, c.code, c.pattern, `queuectl ${c.args.join(" ")}`);
            }),
          );
        }
        assert.equal(await h.total(), before, "a rejected command must not change the number of jobs");
        const dup = await h.show("dup");
        assert.equal(dup.job.command, "true", "a duplicate id must not overwrite the existing job");
        assert.equal(
          configObject(await h.json(["config", "show"]))["max-retries"],
          3,
          "a rejected config set must not change the setting",
        );
      }, 180_000); // some sixty CLI runs: about 30 s on a quiet machine, 60 s and more under load

      test("enqueue prints the id; the job JSON has every field of DESIGN §6", async (h) => {
        const id = await h.enqueue({ command: "echo hi" });
        const own = await h.enqueue({ id: "my-job.1", command: "echo x", priority: 9, max_retries: 0, timeout: 7.5 });
        assert.notEqual(id, own);
        const { job, attempts } = await h.show(id);
        for (const field of JOB_FIELDS) assert.ok(field in job, `job show --json lacks "${field}"`);
        assert.deepEqual(attempts, []);
        const row = await h.row(id);
        for (const field of JOB_FIELDS) assert.ok(field in row, `list --json job lacks "${field}"`);
        assert.equal(row.state, "pending");
        assert.equal(row.command, "echo hi");
        assert.equal(row.priority, 5, "default priority is 5");
        assert.equal(row.max_retries, 3, "default max_retries comes from config (3)");
        assert.equal(row.attempts, 0);
        assert.equal(row.scheduled, false);
        for (const f of ["run_at", "created_at", "updated_at"] as const) assert.match(row[f], ISO_UTC, f);
        for (const f of ["started_at", "finished_at", "exit_code", "duration_ms", "last_error", "worker_id"] as const) {
          assert.equal(row[f], null, `${f} is null before the first run`);
        }
        const mine = await h.row("my-job.1");
        assert.equal(mine.priority, 9);
        assert.equal(mine.max_retries, 0);
        assert.equal(mine.timeout, 7.5);
        // a future run_at with an offset: scheduled
        // (wall-clock digits of now+3h written with +02:00 denote the instant now+1h)
        const later = new Date(Date.now() + 3 * 3_600_000).toISOString().replace("Z", "+02:00");
        const sched = await h.row(await h.enqueue({ command: "true", run_at: later }));
        assert.equal(sched.scheduled, true);
        assert.equal(ms(sched.run_at), Date.parse(later), "run_at with +02:00 offset is stored as that instant");
        assert.match(sched.run_at, ISO_UTC, "run_at is printed in UTC");
      });

      test("enqueue --file and --file - : one id per line, all-or-nothing, errors name the line", async (h) => {
        const lines = [1, 2, 3].map((n) => JSON.stringify({ id: `f${n}`, command: `echo ${n}` }));
        writeFileSync(h.path("ok.jsonl"), lines.join("\n") + "\n");
        assert.deepEqual((await h.ok(["enqueue", "--file", h.path("ok.jsonl")])).trim().split("\n"), [
          "f1",
          "f2",
          "f3",
        ]);

        const stdinLines = [4, 5].map((n) => JSON.stringify({ id: `f${n}`, command: `echo ${n}` }));
        assert.deepEqual((await h.ok(["enqueue", "--file", "-"], stdinLines.join("\n") + "\n")).trim().split("\n"), [
          "f4",
          "f5",
        ]);
        assert.equal(await h.total(), 5);

        // line 3 bad: nothing of the file is written
        const bad = [
          JSON.stringify({ id: "g1", command: "true" }),
          JSON.stringify({ id: "g2", command: "true" }),
          JSON.stringify({ id: "g3", command: "true", priority: 11 }),
          JSON.stringify({ id: "g4", command: "true" }),
        ];
        writeFileSync(h.path("bad.jsonl"), bad.join("\n") + "\n");
        assertError(
          await h.cli(["enqueue", "--file", h.path("bad.jsonl")]),
          2,
          /line 3\b.*priority/,
          "--file with a bad line 3",
        );
        assertError(
          await h.cli(["enqueue", "--file", "-"], bad.join("\n")),
          2,
          /line 3\b.*priority/,
          "--file - with a bad line 3",
        );
        assertError(
          await h.cli(["enqueue", "--file", "-"], `${bad[0]}\n{not json\n`),
          2,
          /line 2\b/,
          "--file - with malformed JSON on line 2",
        );
        // a duplicate of an existing job, and a duplicate within the file
        assertError(
          await h.cli(["enqueue", "--file", "-"], `${bad[0]}\n${JSON.stringify({ id: "f2", command: "true" })}\n`),
          1,
          /f2/,
          "--file with an existing id",
        );
        const r = await h.cli(["enqueue", "--file", "-"], `${bad[0]}\n${bad[1]}\n${bad[0]}\n`);
        assert.notEqual(r.code, 0, "a duplicate id within a file must be rejected");
        assert.match(r.stderr, /g1/);
        assert.equal(r.stderr.trim().split("\n").length, 1);
        assert.notEqual((await h.cli(["enqueue", "--file", h.path("missing.jsonl")])).code, 0, "missing file");
        assert.equal(await h.total(), 5, "rejected files must write nothing");
        const ids = (await h.json<JobJson[]>(["list"])).map((j) => j.id).sort();
        assert.deepEqual(ids, ["f1", "f2", "f3", "f4", "f5"]);
      });

      test("config show/get/set: defaults, validation, effect on new jobs, persistence", async (h) => {
        const shown = configObject(await h.json(["config", "show"]));
        for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
          assert.equal(shown[key], value, `default of ${key}`);
        }
        assert.equal((await h.ok(["config", "get", "max-retries"])).trim(), "3");
        await h.ok(["config", "set", "max-retries", "5"]);
        await h.ok(["config", "set", "backoff-base", "1.5"]);
        await h.ok(["config", "set", "job-timeout", "0"]);
        await h.ok(["config", "set", "output-limit", "4096"]);
        assert.equal((await h.ok(["config", "get", "max-retries"])).trim(), "5");
        assert.equal((await h.ok(["config", "get", "backoff-base"])).trim(), "1.5");
        const after = configObject(await h.json(["config", "show"]));
        assert.equal(after["max-retries"], 5);
        assert.equal(after["backoff-base"], 1.5);
        assert.equal(after["job-timeout"], 0);
        assert.equal(after["output-limit"], 4096);
        assert.equal(after["lease-seconds"], 6, "untouched keys keep their defaults");
        const id = await h.enqueue({ command: "true" });
        assert.equal((await h.row(id)).max_retries, 5, "a new job's max_retries defaults to the setting");
        const human = await h.ok(["config", "show"]);
        for (const key of Object.keys(CONFIG_DEFAULTS))
          assert.match(human, new RegExp(key), `config show lists ${key}`);
      });

      test("status and list: JSON shapes, --state and --limit filters, human tables", async (h) => {
        const empty = await h.json<Record<string, any>>(["status"]);
        assert.deepEqual(empty.counts, { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0 });
        assert.ok(Array.isArray(empty.workers), "status.workers is an array");
        assert.ok(empty.health && typeof empty.health === "object", "status.health is an object");
        assert.deepEqual(await h.json(["list"]), []);

        const ids: string[] = [];
        for (let i = 0; i < 4; i++) ids.push(await h.enqueue({ id: `l${i}`, command: `echo ${i}` }));
        const all = await h.json<JobJson[]>(["list"]);
        assert.equal(all.length, 4);
        assert.deepEqual(all.map((j) => j.id).sort(), ids);
        assert.equal((await h.json<JobJson[]>(["list", "--limit", "2"])).length, 2);
        assert.equal((await h.json<JobJson[]>(["list", "--state", "pending"])).length, 4);
        assert.deepEqual(await h.json(["list", "--state", "completed"]), []);
        assert.deepEqual(await h.json(["dlq", "list"]), []);
        assert.equal((await h.counts()).pending, 4);

        const table = await h.ok(["list"]);
        for (const id of ids) assert.match(table, new RegExp(`\\b${id}\\b`), "list shows every id");
        assert.doesNotMatch(table, /\x1b\[/, "no colour codes when NO_COLOR is set / not a TTY");
        const status = await h.ok(["status"]);
        assert.match(status, /pending/);
        assert.match(status, /4/);
        const empties = await h.ok(["metrics"]);
        assert.ok(empties.length > 0);
        const m = await h.json<Record<string, any>>(["metrics"]);
        assert.equal(m.total_jobs, 4);
        assert.equal(m.fastest, null);
        assert.equal(m.slowest, null);
        assert.equal(m.success_rate, null, "success_rate is null when nothing has finished");
      });
    });
  }

  if (wants("jobs")) {
    describe(`cli [${engine}]: running jobs`, () => {
      test("an echo job completes and its output is shown", async (h) => {
        const id = await h.enqueue({ command: "echo hello-from-queuectl" });
        h.worker(1);
        const { job, attempts } = await h.waitState(id, "completed");
        assert.equal(job.exit_code, 0);
        assert.equal(job.last_error, null);
        assert.equal(attempts.length, 1);
        const a = attempts[0]!;
        for (const field of ATTEMPT_FIELDS) assert.ok(field in a, `attempt lacks "${field}"`);
        assert.equal(a.number, 1);
        assert.equal(a.outcome, "completed");
        assert.equal(a.exit_code, 0);
        assert.equal(a.stdout_bytes, "hello-from-queuectl\n".length);
        assert.ok(ms(a.finished_at) >= ms(a.started_at));
        assert.equal((await h.output(id)).toString(), "hello-from-queuectl\n");
        assert.equal((await h.output(id, ["--stdout"])).toString(), "hello-from-queuectl\n");
        assert.match(await h.ok(["job", "show", id]), /hello-from-queuectl|completed/);
        const row = await h.row(id);
        assert.equal(row.attempts, 1);
        assert.equal(row.worker_id, null, "worker_id is cleared once the job is done");
        assert.ok(row.duration_ms !== null && row.duration_ms >= 0);
        assert.equal((await h.counts()).completed, 1);
      });

      test("exit 1 with max_retries 2: 3 runs ~2 s then ~4 s apart, then the DLQ; dlq retry → pending", async (h) => {
        const id = await h.enqueue({ command: "echo try; exit 1", max_retries: 2 });
        const w = h.worker(1);
        const { job, attempts } = await h.waitState(id, "dead", 25_000);
        assert.equal(attempts.length, 3, "1 run + 2 retries");
        assert.deepEqual(
          attempts.map((a) => [a.number, a.outcome, a.exit_code]),
          [
            [1, "failed", 1],
            [2, "failed", 1],
            [3, "failed", 1],
          ],
        );
        const starts = attempts.map((a) => ms(a.started_at));
        const gap1 = starts[1]! - starts[0]!;
        const gap2 = starts[2]! - starts[1]!;
        assert.ok(gap1 >= 1800 && gap1 <= 3500, `retry 1 should come ~2 s after run 1, came after ${gap1} ms`);
        assert.ok(gap2 >= 3800 && gap2 <= 6000, `retry 2 should come ~4 s after run 2, came after ${gap2} ms`);
        assert.equal(job.exit_code, 1);
        assert.ok(job.last_error, "last_error says why");
        const dlq = await h.json<JobJson[]>(["dlq", "list"]);
        assert.deepEqual(
          dlq.map((j) => j.id),
          [id],
        );
        assert.equal((await h.counts()).dead, 1);
        assert.match(await h.ok(["dlq", "list"]), new RegExp(id));

        // stop the worker, then bring the job back
        await h.ok(["worker", "stop"]);
        assert.equal(await h.waitExit(w), 0, "a drained worker exits 0");
        await h.ok(["dlq", "retry", id]);
        const back = await h.row(id);
        assert.equal(back.state, "pending");
        assert.equal(back.attempts, 0, "dlq retry resets the attempt count");
        assert.equal((await h.show(id)).attempts.length, 3, "dlq retry keeps the attempt history");
        assert.deepEqual(await h.json(["dlq", "list"]), []);
        assertError(await h.cli(["dlq", "retry", id]), 1, new RegExp(id), "dlq retry of a job no longer dead");
      });

      test("dlq retry --all; --attempt N selects a run's output", async (h) => {
        await h.ok(["config", "set", "backoff-base", "1"]);
        const dead = [
          await h.enqueue({ command: "exit 3", max_retries: 0 }),
          await h.enqueue({ command: "exit 4", max_retries: 0 }),
          await h.enqueue({ command: "kill -KILL $$", max_retries: 0 }),
        ];
        const counter = h.path("count");
        const flaky = await h.enqueue({
          command: `n=$(cat ${sq(counter)} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${sq(counter)}; echo run-$n; echo err-$n >&2; [ $n -ge 2 ]`,
          max_retries: 1,
        });
        const w = h.worker(2);
        await h.waitState(flaky, "completed");
        for (const id of dead) await h.waitState(id, "dead");
        assert.equal((await h.show(dead[0]!)).job.exit_code, 3);
        const killed = (await h.show(dead[2]!)).attempts[0]!;
        assert.equal(killed.outcome, "failed", "death by signal is a failure");
        assert.equal(killed.signal, "SIGKILL");
        assert.equal(killed.exit_code, null);
        assertError(await h.cli(["dlq", "retry", flaky]), 1, new RegExp(flaky), "dlq retry of a completed job");
        assert.equal((await h.output(flaky, ["--attempt", "1"])).toString(), "run-1\n");
        assert.equal((await h.output(flaky, ["--attempt", "2"])).toString(), "run-2\n");
        assert.equal((await h.output(flaky, ["--attempt", "1", "--stderr"])).toString(), "err-1\n");
        assert.equal((await h.output(flaky)).toString(), "run-2\n", "default: the latest attempt");
        assertError(await h.cli(["job", "output", flaky, "--attempt", "9"]), 1, /9|attempt/, "job output --attempt 9");
        const shown = await h.show(flaky);
        assert.deepEqual(
          shown.attempts.map((a) => a.outcome),
          ["failed", "completed"],
        );
        assert.equal((await h.row(flaky)).attempts, 2);

        await h.ok(["worker", "stop"]);
        await h.waitExit(w);
        await h.ok(["dlq", "retry", "--all"]);
        for (const id of dead) assert.equal((await h.row(id)).state, "pending");
        assert.equal((await h.counts()).dead, 0);
      });

      test("one worker: a priority-10 job enqueued after a priority-1 job runs first; FIFO within a priority", async (h) => {
        const order = h.path("order.txt");
        const add = (id: string, priority: number) =>
          h.enqueue({ id, command: `echo ${id} >> ${sq(order)}`, priority });
        await add("low", 1);
        await add("mid-a", 5);
        await add("mid-b", 5);
        await add("high", 10);
        await add("mid-c", 5);
        h.worker(1);
        await h.waitCounts("5 completed jobs", (c) => c.completed === 5);
        assert.deepEqual(readFileSync(order, "utf8").trim().split("\n"), ["high", "mid-a", "mid-b", "mid-c", "low"]);
        const high = (await h.show("high")).attempts[0]!;
        const low = (await h.show("low")).attempts[0]!;
        assert.ok(
          ms(low.started_at) >= ms(high.finished_at),
          "with one slot the low job starts after the high one ends",
        );
      });

      test("run_at a few seconds ahead: not started early, started soon after", async (h) => {
        const w = h.worker(1);
        await h.waitRegistered(w.pid!);
        // Far enough ahead that the enqueue and the first look finish before it, even under load.
        const due = Date.now() + 8000;
        // with a non-Z offset: the instant must be honoured
        const runAt = new Date(due + 5_400_000).toISOString().replace("Z", "+01:30");
        assert.equal(Date.parse(runAt), due);
        const id = await h.enqueue({ command: "echo on-time", run_at: runAt });
        const before = await h.row(id);
        assert.equal(before.state, "pending");
        assert.equal(before.scheduled, true);
        const { attempts } = await h.waitState(id, "completed", 20_000);
        const started = ms(attempts[0]!.started_at);
        assert.ok(started >= due, `started ${due - started} ms early`);
        assert.ok(started - due <= 2500, `started ${started - due} ms after run_at (an idle worker should wake up)`);
      });

      test("output: 5 MB capped with the cut marked, invalid UTF-8 intact, stderr kept apart", async (h) => {
        const half = 2_621_440; // 5 MiB total
        const big = await h.enqueue({ command: `yes H | head -c ${half}; yes T | head -c ${half}` });
        const binary = await h.enqueue({ command: "printf '\\377\\376ok'" });
        const split = await h.enqueue({ command: "echo out-line; echo err-line >&2; echo out-2" });
        h.worker(2);
        for (const id of [big, binary, split]) await h.waitState(id, "completed");

        const bigAttempt = (await h.show(big)).attempts[0]!;
        assert.equal(bigAttempt.stdout_bytes, 2 * half, "stdout_bytes counts every byte written");
        const stored = await h.output(big);
        assert.ok(stored.length <= 1024 * 1024 + 4096, `stored ${stored.length} bytes, cap is 1 MiB`);
        assert.ok(stored.length >= 512 * 1024, `stored only ${stored.length} bytes of a 1 MiB cap`);
        assert.equal(stored.subarray(0, 4).toString(), "H\nH\n", "the head is kept");
        assert.equal(stored.subarray(-4).toString(), "T\nT\n", "the tail is kept");
        assert.match(stored.toString("latin1"), /cut/i, "the stored output says what was cut");

        const bytes = await h.output(binary);
        assert.deepEqual([...bytes], [0xff, 0xfe, 0x6f, 0x6b], "invalid UTF-8 bytes come back as written");
        assert.equal((await h.show(binary)).attempts[0]!.stdout_bytes, 4);
        await h.ok(["job", "show", binary]);
        await h.ok(["list"]);
        await h.json(["list"]);

        assert.equal((await h.output(split, ["--stdout"])).toString(), "out-line\nout-2\n");
        assert.equal((await h.output(split, ["--stderr"])).toString(), "err-line\n");
        const a = (await h.show(split)).attempts[0]!;
        assert.equal(a.stdout_bytes, "out-line\nout-2\n".length);
        assert.equal(a.stderr_bytes, "err-line\n".length);
      });

      test("timeout: sleep 60 with timeout 1 fails as a timeout and leaves no process behind", async (h) => {
        const sleep = h.sleep(60);
        const id = await h.enqueue({ command: `echo start; ${sleep}; echo never`, timeout: 1, max_retries: 0 });
        // no timeout of its own: the job-timeout setting applies; and it ignores SIGTERM (KILL must follow)
        await h.ok(["config", "set", "job-timeout", "1"]);
        const stubborn = h.sleep(60);
        const id2 = await h.enqueue({ command: `trap '' TERM; ${stubborn} & ${stubborn}; wait`, max_retries: 0 });
        h.worker(2);
        const second = await h.waitState(id2, "dead", 20_000);
        assert.equal(second.attempts[0]!.outcome, "timeout", "job-timeout applies to a job without timeout");
        await waitFor(`no "${stubborn}" process left (SIGTERM ignored)`, () => pidsMatching(stubborn).length === 0, {
          timeoutMs: 8000,
        });
        const { job, attempts } = await h.waitState(id, "dead", 20_000);
        assert.equal(attempts.length, 1);
        assert.equal(attempts[0]!.outcome, "timeout");
        assert.ok((attempts[0]!.duration_ms ?? 1e9) < 15_000, "killed soon after the timeout");
        assert.match(String(job.last_error), /time/i, "last_error says it timed out");
        assert.equal((await h.output(id)).toString(), "start\n");
        await waitFor(`no "${sleep}" process left`, () => pidsMatching(sleep).length === 0, { timeoutMs: 5000 });
      });

      test("metrics: totals, success rate, durations, fastest and slowest", async (h) => {
        await h.enqueue({ id: "slow", command: "sleep 0.5" });
        await h.enqueue({ id: "fast", command: "true" });
        await h.enqueue({ id: "bad", command: "exit 2", max_retries: 0 });
        h.worker(3);
        await h.waitCounts("2 completed + 1 dead", (c) => c.completed === 2 && c.dead === 1);
        const m = await h.json<Record<string, any>>(["metrics"]);
        assert.deepEqual(m.counts, { pending: 0, processing: 0, completed: 2, failed: 0, dead: 1 });
        assert.equal(m.total_jobs, 3);
        assert.equal(m.attempts_total, 3);
        assert.equal(m.attempts_failed, 1);
        assert.ok(Math.abs(m.success_rate - 2 / 3) < 0.01, `success_rate ${m.success_rate}, expected 2/3`);
        for (const k of ["avg", "p50", "p95"]) assert.equal(typeof m.duration_ms[k], "number", `duration_ms.${k}`);
        assert.ok(m.duration_ms.p95 >= m.duration_ms.p50);
        assert.equal(m.slowest.job_id, "slow");
        assert.ok(m.slowest.duration_ms >= 450, `slowest ${m.slowest.duration_ms} ms, sleep 0.5`);
        assert.notEqual(m.fastest.job_id, "slow");
        assert.ok(m.fastest.duration_ms <= m.slowest.duration_ms);
        assert.ok(m.throughput && typeof m.throughput === "object", "throughput object");
        const human = await h.ok(["metrics"]);
        assert.match(human, /slow/);
      });
    });
  }

  if (wants("workers")) {
    describe(`cli [${engine}]: workers`, () => {
      test("exactly once: 3 worker processes × 4 slots over 300 jobs", async (h) => {
        const out = h.path("ids.txt");
        const ids = Array.from({ length: 300 }, (_, i) => `x${String(i).padStart(3, "0")}`);
        const jsonl = (part: string[]) =>
          part.map((id) => JSON.stringify({ id, command: `echo ${id} >> ${sq(out)}` })).join("\n");
        // half before the workers start, half while they run (3 enqueuers at once, 50 jobs each)
        writeFileSync(h.path("jobs.jsonl"), jsonl(ids.slice(0, 150)));
        assert.deepEqual(
          (await h.ok(["enqueue", "--file", h.path("jobs.jsonl")])).trim().split("\n"),
          ids.slice(0, 150),
        );
        const workers = [h.worker(4), h.worker(4), h.worker(4)];
        await Promise.all(
          [150, 200, 250].map(async (from) => {
            const part = ids.slice(from, from + 50);
            assert.deepEqual((await h.ok(["enqueue", "--file", "-"], jsonl(part))).trim().split("\n"), part);
          }),
        );
        const counts = await h.waitCounts("300 completed", (c) => c.completed + c.failed + c.dead === 300, 90_000);
        assert.deepEqual(counts, { pending: 0, processing: 0, completed: 300, failed: 0, dead: 0 });
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
      }, 120_000);

      test("crash: kill -9 a worker mid-job; another worker completes it; nothing stuck", async (h) => {
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
        assert.ok(
          !workers.some((w) => w.pid === a.pid && w.status === "alive"),
          "the killed worker is not shown alive",
        );
      });

      test("kill -9 one of three busy workers: no job lost, none stuck, every id at least once", async (h) => {
        await h.ok(["config", "set", "lease-seconds", "2"]);
        const out = h.path("ids.txt");
        const ids = Array.from({ length: 150 }, (_, i) => `k${String(i).padStart(3, "0")}`);
        const jsonl = ids
          .map((id) => JSON.stringify({ id, command: `sleep 0.05; echo ${id} >> ${sq(out)}` }))
          .join("\n");
        await h.ok(["enqueue", "--file", "-"], jsonl);
        const [victim, ...others] = [h.worker(2), h.worker(2), h.worker(2)];
        await h.waitCounts("30 jobs done", (c) => c.completed >= 30);
        victim!.kill("SIGKILL");
        await h.waitExit(victim!);
        const counts = await h.waitCounts("all 150 completed", (c) => c.completed === 150, 60_000);
        assert.deepEqual(counts, { pending: 0, processing: 0, completed: 150, failed: 0, dead: 0 });
        const seen = new Set(readFileSync(out, "utf8").trim().split("\n"));
        assert.deepEqual([...seen].sort(), ids, "every job ran");
        for (const w of others) assert.equal(w.exitCode, null, "the other workers keep running");
      });

      test("a job longer than the lease is not taken over while its worker lives (heartbeat renews it)", async (h) => {
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
      });

      test("graceful stop: worker stop while a 3 s job runs → it completes, worker exits, no new job taken", async (h) => {
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
      });

      test("SIGTERM drains; a second signal stops at once", async (h) => {
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
        const sleep = h.sleep(30);
        const long = await h.enqueue({ command: sleep, max_retries: 0 });
        const v = h.worker(1);
        await h.waitState(long, "processing");
        v.kill("SIGINT");
        await new Promise((r) => setTimeout(r, 500)); // let the first signal be handled (signals coalesce)
        assert.ok(alive(v.pid!), "one SIGINT drains: the worker waits for its job");
        const t0 = Date.now();
        v.kill("SIGINT");
        await h.waitExit(v, 10_000);
        assert.ok(Date.now() - t0 < 8000, "a second signal stops at once");
        const after = await h.row(long);
        assert.notEqual(after.state, "processing", "not left in processing");
        assert.notEqual(after.state, "dead", "an interrupted run does not use up a retry");
        await waitFor(`no "${sleep}" process left`, () => pidsMatching(sleep).length === 0, { timeoutMs: 5000 });
      });

      test("worker stop --now: the running job goes back to pending without using a retry", async (h) => {
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
      });

      test("job output --follow streams a running job's output and exits when it ends", async (h) => {
        const gate = h.path("gate");
        const id = await h.enqueue({
          command: `echo first; while [ ! -e ${sq(gate)} ]; do sleep 0.05; done; echo second`,
        });
        h.worker(1);
        await h.waitState(id, "processing");
        const follower = spawn(process.execPath, [BIN, "job", "output", id, "--follow"], {
          env: { ...process.env, NO_COLOR: "1", ...h.env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        follower.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
        follower.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
        const exited = new Promise<number | null>((resolve) => follower.on("exit", (code) => resolve(code)));
        try {
          await waitFor("--follow to show the first line while the job runs", () => out.includes("first\n"), {
            timeoutMs: 10_000,
          });
          assert.equal(follower.exitCode, null, "--follow keeps running while the job runs");
          assert.ok(!out.includes("second"));
          assert.equal(await h.state(id), "processing");
          writeFileSync(gate, "");
          const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 10_000))]);
          assert.equal(code, 0, `--follow should exit 0 when the job ends; stderr: ${err}`);
          assert.equal(out, "first\nsecond\n");
        } finally {
          await stopProcess(follower, "SIGKILL");
        }
        // --follow on a finished job prints its output and exits
        assert.equal((await h.output(id, ["--follow"])).toString(), "first\nsecond\n");
      });

      test("worker start --detach prints the pid, logs under $QUEUECTL_HOME/logs, worker stop ends it", async (h) => {
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
      });

      test("jobs and config survive restarts", async (h) => {
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
        assert.deepEqual(await h.counts(), { pending: 2, processing: 0, completed: 1, failed: 0, dead: 0 });
        assert.equal((await h.row(second)).max_retries, 7);
        assert.equal((await h.output(first)).toString(), "one\n");
        w = h.worker(1);
        await h.waitState(second, "completed");
        assert.equal((await h.row(scheduled)).state, "pending", "a job scheduled in an hour waits");
        w.kill("SIGTERM");
        await h.waitExit(w);
        const c: Counts = await h.counts();
        assert.deepEqual(c, { pending: 1, processing: 0, completed: 2, failed: 0, dead: 0 });
      });
    });
  }
}

export type { AttemptJson };
