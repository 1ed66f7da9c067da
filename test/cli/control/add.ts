/** CLI scenarios: `add [options] -- COMMAND ARGS...` and `add --follow / --wait`. */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join, relative as relativePath } from "node:path";
import { assertError, ms, type Harness } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

/** `add ARGS` must succeed and print exactly one line, the id. */
async function add(h: Harness, args: string[]): Promise<string> {
  const out = await h.ok(["add", ...args]);
  const lines = out.trim().split("\n");
  assert.equal(lines.length, 1, `add must print one line (the id), got: ${out}`);
  return lines[0]!.trim();
}

export const addScenarios: Scenario[] = [
  scenario("jobs", 'add -- printf \'%s\\n\' "a b" "c\'d": the job prints exactly those two lines', async (h) => {
    const id = await add(h, ["--", "printf", "%s\\n", "a b", "c'd"]);
    const { job } = await h.show(id);
    assert.equal(job.command, `'printf' '%s\\n' 'a b' 'c'\\''d'`);
    h.worker(1);
    await h.waitState(id, "completed");
    assert.equal((await h.output(id)).toString(), "a b\nc'd\n");
  }),

  scenario(
    "jobs",
    "add: $, backslashes, newlines, empty and non-ASCII arguments reach the program exactly",
    async (h) => {
      const args = ["$HOME", "back\\slash", "two\nlines", "", "naïve 日本語", "`id`", '"q"'];
      const id = await add(h, ["--", "printf", "[%s]", ...args]);
      h.worker(1);
      await h.waitState(id, "completed");
      assert.equal((await h.output(id)).toString(), args.map((a) => `[${a}]`).join(""));
    },
  ),

  scenario("jobs", "add with one argument takes it as a shell command line", async (h) => {
    const id = await add(h, ["--", "echo one && echo two | tr a-z A-Z"]);
    assert.equal((await h.show(id)).job.command, "echo one && echo two | tr a-z A-Z");
    h.worker(1);
    await h.waitState(id, "completed");
    assert.equal((await h.output(id)).toString(), "one\nTWO\n");
  }),

  scenario("input", "add options set the job's fields; --json prints the stored job", async (h) => {
    const before = Date.now();
    const id = await add(h, [
      "--id",
      "nightly",
      "--priority",
      "8",
      "--retries",
      "2",
      "--timeout",
      "90",
      "--delay",
      "10m",
      "--",
      "make",
      "all",
    ]);
    assert.equal(id, "nightly");
    const { job } = await h.show(id);
    assert.equal(job.priority, 8);
    assert.equal(job.max_retries, 2);
    assert.equal(job.timeout, 90);
    assert.equal(job.command, "'make' 'all'");
    const due = ms(job.run_at) - before;
    assert.ok(due >= 600_000 && due < 660_000, `--delay 10m: due in ${due} ms`);

    const stored = JSON.parse(
      await h.ok(["add", "--json", "--run-at", "2030-01-02T03:04:05Z", "--timeout", "2h", "--", "true"]),
    );
    assert.equal(stored.run_at, "2030-01-02T03:04:05.000Z");
    assert.equal(stored.timeout, 7200);
    assert.equal(stored.command, "true");
    assert.equal(stored.state, "pending");
    assert.equal(stored.priority, 5);
    // 0 is "no timeout", as in a job's JSON.
    assert.equal(JSON.parse(await h.ok(["add", "--json", "--timeout", "0", "--", "true"])).timeout, 0);
  }),

  scenario("input", "add: bad values exit 2 naming the field, and nothing is written", async (h) => {
    const cases: [string[], RegExp][] = [
      [["--priority", "11", "--", "true"], /priority/],
      [["--priority", "high", "--", "true"], /priority/],
      [["--retries", "-1", "--", "true"], /max_retries|retries/],
      [["--timeout", "400d", "--", "true"], /timeout/],
      [["--timeout", "soon", "--", "true"], /timeout/],
      [["--delay", "10x", "--", "true"], /delay/],
      [["--run-at", "tomorrow", "--", "true"], /run_at/],
      [["--run-at", "2030-01-01T00:00:00Z", "--delay", "1m", "--", "true"], /run-at|delay/],
      [["--id", "has space", "--", "true"], /id/],
      [["--follow", "--wait", "--", "true"], /follow|wait/],
      [["--"], /command/],
      [[], /command/],
      [["--", "   "], /command/],
    ];
    for (const [args, pattern] of cases)
      assertError(await h.cli(["add", ...args]), 2, pattern, `add ${args.join(" ")}`);
    assert.equal(await h.total(), 0, "no job was written");
  }),

  scenario("jobs", "add --follow streams the output and exits with the job's exit code", async (h) => {
    h.worker(2);
    const ok = await h.cli(["add", "--follow", "--", "printf", "%s\\n", "a b", "c'd"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "a b\nc'd\n", "stdout is the job's output alone");
    const failed = await h.cli(["add", "--follow", "--retries", "0", "--", "sh", "-c", "echo before; exit 3"]);
    assert.equal(failed.code, 3, failed.stderr);
    assert.equal(failed.stdout, "before\n");
  }),

  scenario("jobs", "add --wait: exit 0 once completed, 1 naming the job when it ends dead", async (h) => {
    h.worker(2);
    const ok = await h.cli(["add", "--wait", "--", "true"]);
    assert.equal(ok.code, 0, ok.stderr);
    const id = ok.stdout.trim();
    assert.equal(await h.state(id), "completed");
    const dead = await h.cli(["add", "--wait", "--retries", "0", "--id", "doomed", "--", "false"]);
    assert.equal(dead.code, 1, dead.stderr);
    assert.equal(dead.stdout.trim(), "doomed");
    assert.match(dead.stderr, /doomed.*dead/);
  }),

  scenario(
    "jobs",
    "add runs the job in the caller's directory by default, or in --cwd (relative to the caller's)",
    async (h) => {
      const dir = join(h.home, "work dir");
      mkdirSync(dir);
      const here = await add(h, ["--", "pwd"]);
      const there = await add(h, ["--cwd", dir, "--", "pwd"]);
      const relative = await add(h, ["--cwd", relativePath(process.cwd(), dir), "--", "pwd"]);
      assert.equal((await h.show(here)).job.cwd, process.cwd());
      assert.equal((await h.show(relative)).job.cwd, dir);
      h.worker(2);
      for (const [id, expected] of [
        [here, process.cwd()],
        [there, dir],
        [relative, dir],
      ] as const) {
        await h.waitState(id, "completed");
        assert.equal((await h.output(id)).toString(), `${expected}\n`);
      }
    },
  ),

  scenario("jobs", "add --env: the command sees each variable; --env NAME takes the caller's value", async (h) => {
    const id = await add(h, [
      "--env",
      "GREETING=hello world",
      "--env",
      "EMPTY=",
      "--env",
      "PATH",
      "--",
      "sh",
      "-c",
      'printf "%s|%s|%s|%s" "$GREETING" "$EMPTY" "$PATH" "$QUEUECTL_JOB_ID"',
    ]);
    const { job } = await h.show(id);
    assert.deepEqual(job.env, { GREETING: "hello world", EMPTY: "", PATH: process.env.PATH });
    h.worker(1);
    await h.waitState(id, "completed");
    assert.equal((await h.output(id)).toString(), `hello world||${process.env.PATH}|${id}`);
  }),

  scenario(
    "jobs",
    "a job whose directory is missing fails to start, naming it, and is retried like any start error",
    async (h) => {
      const missing = join(h.home, "gone");
      const id = await add(h, ["--cwd", missing, "--retries", "1", "--", "echo", "ran"]);
      // Enqueued as given: the directory may exist where and when the worker runs it.
      assert.equal((await h.show(id)).job.cwd, missing);
      h.worker(1);
      await h.waitState(id, "dead");
      const { job, attempts } = await h.show(id);
      assert.deepEqual(
        attempts.map((a) => a.outcome),
        ["start_error", "start_error"],
      );
      assert.equal(job.last_error, `working directory ${missing} does not exist`);
      assert.equal((await h.output(id)).toString(), "");
      const r = await h.cli(["wait", id]);
      assertError(r, 1, new RegExp(`${id}.*dead.*${missing}`), "wait for it");
    },
  ),

  scenario(
    "input",
    "add --cwd / --env and enqueue cwd / env: bad values exit 2 naming the field; nothing is written",
    async (h) => {
      const cases: [string[], RegExp][] = [
        [["--env", "1A=x", "--", "true"], /env\.1A/],
        [["--env", "A B=x", "--", "true"], /env\.A B/],
        [["--env", "QUEUECTL_JOB_ID=x", "--", "true"], /env\.QUEUECTL_JOB_ID.*worker/],
        [["--env", "QUEUECTL_NOT_SET_ANYWHERE", "--", "true"], /env: QUEUECTL_NOT_SET_ANYWHERE is not set/],
        [["--cwd", `/${"a".repeat(5000)}`, "--", "true"], /cwd: must be at most 4096 bytes/],
      ];
      for (const [args, pattern] of cases)
        assertError(await h.cli(["add", ...args]), 2, pattern, `add ${args.join(" ")}`);
      for (const [json, pattern] of [
        [{ command: "true", cwd: "relative" }, /cwd: must be an absolute path/],
        [{ command: "true", env: { A: 1 } }, /env\.A: values must be strings/],
        [{ command: "true", env: ["A=1"] }, /env: must be an object/],
      ] as const) {
        assertError(await h.cli(["enqueue", JSON.stringify(json)]), 2, pattern, `enqueue ${JSON.stringify(json)}`);
      }
      assert.equal(await h.total(), 0, "no job was written");
      // enqueue JSON is explicit: no directory unless given.
      const id = (await h.ok(["enqueue", JSON.stringify({ command: "true", env: { A: "1" } })])).trim();
      assert.deepEqual([(await h.show(id)).job.cwd, (await h.show(id)).job.env], [null, { A: "1" }]);
    },
  ),
];
