// `queuectl schedule` on SQLite, as a user runs it: bad input exits 2 naming the field with nothing
// written, lookups of unknown names exit 1, and 3 worker processes fire each slot exactly once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withHarness } from "./harness.js";
import { everySecondByThreeWorkers } from "./schedule-firing.js";
import { scheduleBadJobOptions, scheduleJobOptions } from "./schedule-options.js";
import { sqliteEnv } from "./sqlite-env.js";

describe("cli: schedule (sqlite)", () => {
  it("bad expressions, zones, policies and durations exit 2 naming the field; nothing written", () =>
    withHarness(sqliteEnv, async (h) => {
      const cases: [string[], string][] = [
        [["--cron", "61 * * * *"], "cron"],
        [["--cron", "* * * *"], "cron"],
        [["--cron", "* * * * *", "--tz", "Mars/Olympus"], "tz"],
        [["--cron", "* * * * *", "--catch-up", "sometimes"], "catch_up"],
        [["--cron", "* * * * *", "--overlap", "queue"], "overlap"],
        [["--cron", "* * * * *", "--timeout", "5 fortnights"], "timeout"],
        [["--cron", "* * * * *", "--priority", "11"], "priority"],
      ];
      for (const [options, field] of cases) {
        const r = await h.cli(["schedule", "add", "s1", ...options, "--", "true"]);
        assert.equal(r.code, 2, `${options.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^queuectl: ${field}: `), options.join(" "));
        assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
      }
      const badName = await h.cli(["schedule", "add", "a b", "--cron", "* * * * *", "--", "true"]);
      assert.equal(badName.code, 2);
      assert.match(badName.stderr, /name: /);
      const badJson = await h.cli(["schedule", "add", "--json-input", '{"name":"j","cron":"* * * * *"}']);
      assert.equal(badJson.code, 2);
      assert.match(badJson.stderr, /command: is required/);
      assert.deepEqual(await h.json(["schedule", "list"]), [], "nothing written");
    }));

  it("add, duplicate, replace, list, show, pause, resume, run, remove; unknown names exit 1", () =>
    withHarness(sqliteEnv, async (h) => {
      await h.ok(["schedule", "add", "nightly", "--cron", "30 2 * * *", "--tz", "Europe/Berlin", "--", "echo", "a b"]);
      const dup = await h.cli(["schedule", "add", "nightly", "--cron", "* * * * *", "--", "true"]);
      assert.equal(dup.code, 1);
      assert.match(dup.stderr, /already exists/);
      // --json before the --: after it, everything is the command.
      const replacedOut = await h.ok(
        ["schedule", "add", "nightly", "--replace", "--cron", "0 3 * * *", "--tz", "Europe/Berlin"].concat([
          "--overlap",
          "skip",
          "--json",
          "--",
          "echo",
          "a b",
        ]),
      );
      const replaced = JSON.parse(replacedOut) as Record<string, unknown>;
      assert.equal(replaced.cron, "0 3 * * *");
      assert.equal(replaced.overlap, "skip");
      assert.equal(replaced.command, "'echo' 'a b'", "quoted as add quotes");
      assert.equal(replaced.catch_up, "last");

      const paused = await h.json<{ paused: boolean; next_run: string | null }>(["schedule", "pause", "nightly"]);
      assert.deepEqual([paused.paused, paused.next_run], [true, null]);
      const id = (await h.ok(["schedule", "run", "nightly"])).trim();
      const job = await h.row(id);
      assert.equal((job as unknown as { schedule: string }).schedule, "nightly", "the job names its schedule");
      assert.match(await h.ok(["job", "show", id]), /schedule\s+nightly/);
      const shown = await h.json<{ last_run: { job_id: string; state: string } }>(["schedule", "show", "nightly"]);
      assert.deepEqual([shown.last_run.job_id, shown.last_run.state], [id, "pending"]);
      const resumed = await h.json<{ paused: boolean; next_run: string }>(["schedule", "resume", "nightly"]);
      assert.equal(resumed.paused, false);
      assert.ok(Date.parse(resumed.next_run) > Date.now());
      assert.match(await h.ok(["schedule", "list"]), /nightly\s+0 3 \* \* \*\s+Europe\/Berlin/);

      for (const verb of ["show", "pause", "resume", "run", "remove"]) {
        const r = await h.cli(["schedule", verb, "nope"]);
        assert.equal(r.code, 1, `${verb}: ${r.stderr}`);
        assert.match(r.stderr, /schedule not found: nope/);
      }
      await h.ok(["schedule", "remove", "nightly"]);
      assert.deepEqual(await h.json(["schedule", "list"]), []);
      assert.equal(await h.state(id), "pending", "its jobs stay");
    }));

  it("bad queue, env and exit codes exit 2 naming the field; nothing written", () =>
    withHarness(sqliteEnv, scheduleBadJobOptions));

  it("queue, cwd, env and no-retry exit codes: kept, printed, and carried by every job", { timeout: 120_000 }, () =>
    withHarness(sqliteEnv, scheduleJobOptions),
  );

  it(
    "a schedule firing every second, served by 3 worker processes: one job per slot, none missed",
    { timeout: 120_000 },
    () => withHarness(sqliteEnv, (h) => everySecondByThreeWorkers(h, ["host-a", "host-a", "host-a"])),
  );
});
