/**
 * CLI scenarios of unique keys (`add --key`, `--on-conflict`), the exit-code policy
 * (`--no-retry-exit-code`) and the on-dead hook, with real processes on the engine under test.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { waitFor } from "../../helpers/env.js";
import { assertError, sq, type Harness } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

/** Every job, as `list --json` prints it. */
async function jobs(h: Harness): Promise<Record<string, any>[]> {
  return h.json<Record<string, any>[]>(["list", "--limit", "1000"]);
}

export const keyScenarios: Scenario[] = [
  scenario("jobs", "8 processes add the same key at once: one job, and every one prints its id", async (h) => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.cli(["add", "--key", "nightly", "--", `echo run ${i}`])),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const ids = new Set(results.map((r) => r.stdout.trim()));
    assert.equal(ids.size, 1, `one id printed by all: ${[...ids].join(", ")}`);
    const [id] = ids;
    const told = results.filter((r) => r.stderr.includes(`job ${id} with key nightly exists`));
    assert.equal(told.length, 7, "the seven that added nothing say so on stderr");
    const all = await jobs(h);
    assert.equal(all.length, 1);
    assert.equal(all[0]!.key, "nightly");
  }),

  scenario(
    "jobs",
    "skip prints the existing id, marked in JSON; error exits 1; a finished job frees the key",
    async (h) => {
      const first = (await h.ok(["add", "--key", "k1", "--", "true"])).trim();
      const again = JSON.parse(await h.ok(["add", "--json", "--key", "k1", "--", "false"])) as Record<string, any>;
      assert.equal(again.id, first);
      assert.equal(again.existing, true);
      assert.equal(again.command, "true", "the existing job is unchanged");
      const fresh = await h.json<Record<string, any>>(["enqueue", JSON.stringify({ command: "true", key: "k2" })]);
      assert.equal(fresh.existing, false);
      assertError(
        await h.cli(["add", "--key", "k1", "--on-conflict", "error", "--", "true"]),
        1,
        new RegExp(`key "k1" is held by active job ${first}`),
        "on-conflict error",
      );
      assert.match((await h.show(first)).job.key, /^k1$/);
      h.worker(1);
      await h.waitState(first, "completed");
      const next = (await h.ok(["add", "--key", "k1", "--on-conflict", "error", "--", "true"])).trim();
      assert.notEqual(next, first, "a completed job holds its key no more");
    },
  ),

  scenario(
    "jobs",
    "replace debounces: 20 replacements, one run with the last command",
    async (h) => {
      const out = h.path("debounced.txt");
      const ids = new Set<string>();
      for (let i = 1; i <= 20; i++) {
        const args = [
          "add",
          "--key",
          "deb",
          "--on-conflict",
          "replace",
          "--delay",
          "1s",
          "--",
          `echo ${i} >> ${sq(out)}`,
        ];
        ids.add((await h.ok(args)).trim());
      }
      assert.equal(ids.size, 1, "every replacement answers the same job");
      const [id] = ids;
      h.worker(2);
      await h.waitState(id!, "completed");
      assert.equal(readFileSync(out, "utf8"), "20\n");
      const all = await jobs(h);
      assert.equal(all.length, 1);
      assert.equal(all[0]!.attempts, 1);
    },
    90_000,
  ),

  scenario("input", "bad keys, modes and codes: exit 2 naming the field, nothing written", async (h) => {
    const cases: [string[], RegExp][] = [
      [["add", "--key", "", "--", "true"], /: key: must not be empty/],
      [["add", "--key", "x".repeat(201), "--", "true"], /: key: must be at most 200 characters/],
      [["add", "--key", "queuectl:on-dead:x", "--", "true"], /: key: must not start with "queuectl:"/],
      [["add", "--key", "k", "--on-conflict", "merge", "--", "true"], /on_conflict: must be one of/],
      [["add", "--no-retry-exit-code", "256", "--", "true"], /: no_retry_exit_codes\.0: must be an integer 0\.\.255/],
      [["add", "--no-retry-exit-code", "1,x", "--", "true"], /: no_retry_exit_codes\.1: must be an integer 0\.\.255/],
      [["enqueue", '{"command":"true","key":"k","on_conflict":1}'], /: on_conflict: /],
      [["enqueue", '{"command":"true","no_retry_exit_codes":[-1]}'], /: no_retry_exit_codes\.0: /],
      [["config", "set", "backoff-jitter", "1.5"], /backoff-jitter: must be a number from 0 to 1/],
      [["config", "set", "backoff-jitter", "-0.1"], /backoff-jitter: must be a number from 0 to 1/],
      [["config", "set", "on-dead", "x".repeat(17_000)], /on-dead: must be at most 16384 bytes/],
    ];
    for (const [args, pattern] of cases) assertError(await h.cli(args), 2, pattern, args.join(" ").slice(0, 80));
    assert.equal(await h.total(), 0, "no job written");
    const config = await h.json<Record<string, unknown>>(["config", "show"]);
    assert.equal(config["backoff-jitter"], 0);
    assert.equal(config["on-dead"], "");
  }),
];

export const policyScenarios: Scenario[] = [
  scenario("jobs", "--no-retry-exit-code: a listed exit sends the job to dead after one run", async (h) => {
    const id = (
      await h.ok(["add", "--retries", "5", "--no-retry-exit-code", "3", "--no-retry-exit-code", "4,9", "--", "exit 4"])
    ).trim();
    const { job } = await h.show(id);
    assert.deepEqual(job.no_retry_exit_codes, [3, 4, 9]);
    const human = await h.ok(["job", "show", id]);
    assert.match(human, /no retry on\s+exit code 3, 4, 9/);
    h.worker(1);
    const dead = await h.waitState(id, "dead");
    assert.equal(dead.job.attempts, 1);
    assert.equal(dead.attempts.length, 1);
    assert.match(dead.job.last_error, /exit code 4 is in no_retry_exit_codes: not retried/);
    // Another code retries as usual.
    const other = (await h.ok(["add", "--retries", "1", "--no-retry-exit-code", "3", "--", "exit 5"])).trim();
    await h.ok(["config", "set", "backoff-max", "0"]);
    const retried = await h.waitState(other, "dead");
    assert.equal(retried.attempts.length, 2);
  }),

  scenario(
    "jobs",
    "on-dead runs a hook job with the dead job's facts; a failing hook goes dead without looping",
    async (h) => {
      const out = h.path("hook.txt");
      const hook = `printf '%s|%s|%s|%s' "$QUEUECTL_DEAD_JOB_ID" "$QUEUECTL_DEAD_JOB_COMMAND" "$QUEUECTL_DEAD_JOB_EXIT_CODE" "$QUEUECTL_DEAD_JOB_ERROR" > ${sq(out)}`;
      await h.ok(["config", "set", "on-dead", hook]);
      await h.ok(["config", "set", "backoff-max", "0"]);
      // Heartbeats (which also re-read the settings) are minutes apart here: the hook changed below
      // must still be the one a failure after the change uses.
      await h.ok(["config", "set", "lease-seconds", "600"]);
      const command = `echo "it's gone" >&2; exit 7`;
      const id = (await h.ok(["add", "--retries", "1", "--", command])).trim();
      h.worker(2);
      await h.waitState(id, "dead");
      const hookJob = await waitFor("the hook job", async () => (await jobs(h)).find((j) => j.id !== id) ?? null);
      assert.equal(hookJob.key, `queuectl:on-dead:${id}`);
      await h.waitState(hookJob.id, "completed");
      assert.equal(readFileSync(out, "utf8"), `${id}|${command}|7|exit code 7: it's gone`);

      // A hook that fails: it is retried as a job, goes dead, and fires no hook of its own.
      await h.ok(["config", "set", "on-dead", "echo hook failed >&2; exit 1"]);
      const second = (await h.ok(["add", "--retries", "0", "--", "exit 2"])).trim();
      await h.waitState(second, "dead");
      const failing = await waitFor(
        "the failing hook job",
        async () => (await jobs(h)).find((j) => j.key === `queuectl:on-dead:${second}`) ?? null,
      );
      await h.waitState(failing.id, "dead");
      // The hook of a dead job is inserted with its move to dead: had it fired, it would exist now.
      const all = await jobs(h);
      assert.equal(all.length, 4, `no hook of a hook: ${all.map((j) => `${j.id}:${j.key}`).join(", ")}`);
      // The worker survived all of it and still runs jobs.
      const ok = (await h.ok(["add", "--", "true"])).trim();
      await h.waitState(ok, "completed");
    },
    90_000,
  ),
];
