// `schedule add` with the job options of `add` (queue, cwd, env, no-retry exit codes), as a user
// runs it: the schedule keeps them, list/show print them, and its jobs carry them, both the one
// `schedule run` makes and the ones a worker fires at the slots, which run in that cwd with that env.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startCli } from "../helpers/cli.js";
import { waitFor } from "../helpers/env.js";
import type { Harness, JobJson } from "./harness.js";

type TemplateJson = {
  queue: string;
  cwd: string | null;
  env: Record<string, string> | null;
  no_retry_exit_codes: number[];
};

const template = (x: TemplateJson): TemplateJson => ({
  queue: x.queue,
  cwd: x.cwd,
  env: x.env,
  no_retry_exit_codes: x.no_retry_exit_codes,
});

export async function scheduleJobOptions(h: Harness): Promise<void> {
  const dir = join(h.home, "work dir");
  mkdirSync(dir);
  const expected = {
    queue: "reports",
    cwd: dir,
    env: { RELEASE: "1", NOTE: "a 'b' $c" },
    no_retry_exit_codes: [2, 3, 64],
  };
  const added = JSON.parse(
    await h.ok([
      "schedule",
      "add",
      "rep",
      "--cron",
      "* * * * * *",
      "--queue",
      "reports",
      "--cwd",
      dir,
      "--env",
      "RELEASE=1",
      "--env",
      "NOTE=a 'b' $c",
      "--no-retry-exit-code",
      "64,2",
      "--no-retry-exit-code",
      "3",
      "--json",
      "--",
      'printf "%s|%s|%s\\n" "$RELEASE" "$NOTE" "$(pwd)"',
    ]),
  ) as TemplateJson;
  assert.deepEqual(template(added), expected, "add --json prints the template");
  const [listed] = await h.json<TemplateJson[]>(["schedule", "list"]);
  assert.deepEqual(template(listed as TemplateJson), expected, "list --json");
  assert.match(await h.ok(["schedule", "list"]), /^rep\s.*\sreports\s/m, "the list table has the queue");
  const shown = await h.ok(["schedule", "show", "rep"]);
  for (const line of [
    /^queue\s+reports$/m,
    /^directory\s+\/.*\/work dir$/m,
    /^environment\s+NOTE=a 'b' \$c\n\s+RELEASE=1$/m,
    /^no retry on\s+exit code 2, 3, 64$/m,
  ]) {
    assert.match(shown, line, "show prints the template");
  }

  // Like add, a schedule's jobs run where it was added unless --cwd says otherwise.
  const here = JSON.parse(
    await h.ok(["schedule", "add", "here", "--cron", "0 0 * * *", "--paused", "--json", "--", "true"]),
  ) as TemplateJson;
  assert.deepEqual(template(here), { queue: "default", cwd: process.cwd(), env: null, no_retry_exit_codes: [] });

  const manual = (await h.ok(["schedule", "run", "rep"])).trim();
  const job = (await h.row(manual)) as JobJson & TemplateJson;
  assert.deepEqual(template(job), expected, "schedule run's job carries the template");

  // A worker serving only `reports` fires the slots and runs their jobs in the cwd, with the env.
  h.workers.push(startCli(["worker", "start", "--count", "2", "--queue", "reports"], h.env));
  const fired = await waitFor(
    "a fired slot's job completed",
    async () => {
      const jobs = await h.json<(JobJson & { schedule: string | null })[]>(["list", "--limit", "1000"]);
      return jobs.find((j) => j.schedule === "rep" && j.id !== manual && j.state === "completed");
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  assert.deepEqual(template((await h.row(fired.id)) as JobJson & TemplateJson), expected);
  assert.equal((await h.output(fired.id)).toString(), `1|a 'b' $c|${dir}\n`, "run in its cwd with its env");
  await h.ok(["schedule", "pause", "rep"]);
}

/** Bad job options exit 2 with one line naming the field, and write nothing. */
export async function scheduleBadJobOptions(h: Harness): Promise<void> {
  const cases: [string[], string][] = [
    [["--queue", "no spaces"], "queue"],
    [["--env", "UNSET_IN_THIS_TEST_ENV"], "env"],
    [["--env", "1BAD=x"], "env.1BAD"],
    [["--env", "QUEUECTL_JOB_ID=x"], "env.QUEUECTL_JOB_ID"],
    [["--no-retry-exit-code", "256"], "no_retry_exit_codes.0"],
    [["--no-retry-exit-code", "2,x"], "no_retry_exit_codes.1"],
  ];
  for (const [options, field] of cases) {
    const r = await h.cli(["schedule", "add", "s1", "--cron", "* * * * *", ...options, "--", "true"]);
    assert.equal(r.code, 2, `${options.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^queuectl: ${field.replace(/\./g, "\\.")}: `), options.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  }
  const inputs: [Record<string, unknown>, string][] = [
    [{ cwd: "relative/dir" }, "cwd"],
    [{ env: { A: 1 } }, "env.A"],
    [{ key: "k" }, "key"],
    [{ no_retry_exit_codes: "2" }, "no_retry_exit_codes"],
  ];
  for (const [fields, field] of inputs) {
    const json = JSON.stringify({ name: "j", cron: "* * * * *", command: "true", ...fields });
    const r = await h.cli(["schedule", "add", "--json-input", json]);
    assert.equal(r.code, 2, `${json}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^queuectl: ${field.replace(/\./g, "\\.")}: `), json);
  }
  const mixed = await h.cli(["schedule", "add", "--json-input", '{"name":"j"}', "--queue", "q"]);
  assert.equal(mixed.code, 2, mixed.stderr);
  assert.match(mixed.stderr, /^queuectl: schedule add: give either --json-input or a name/);
  assert.deepEqual(await h.json(["schedule", "list"]), [], "nothing written");
}
