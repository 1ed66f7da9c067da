/** CLI scenarios: enqueue: the printed id, the job JSON, --file and --file -. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { assertError, ms, type JobJson } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

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
  "cancel_requested",
];

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

export const enqueueScenarios: Scenario[] = [
  scenario("input", "enqueue prints the id; the job JSON has every field the README lists", async (h) => {
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
  }),

  scenario(
    "input",
    "enqueue --file and --file - : one id per line, all-or-nothing, errors name the line",
    async (h) => {
      const lines = [1, 2, 3].map((n) => JSON.stringify({ id: `f${n}`, command: `echo ${n}` }));
      writeFileSync(h.path("ok.jsonl"), lines.join("\n") + "\n");
      assert.deepEqual((await h.ok(["enqueue", "--file", h.path("ok.jsonl")])).trim().split("\n"), ["f1", "f2", "f3"]);

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
    },
  ),
];
