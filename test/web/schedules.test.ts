// The schedule routes mirror `queuectl schedule`: bad input 400 naming the field (nothing
// written), unknown names 404, a taken name 409, and the same security as every other write.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../helpers/env.js";
import { openHarness, type Harness } from "./harness.js";

interface ScheduleBody {
  name: string;
  cron: string;
  tz: string;
  paused: boolean;
  next_run: string | null;
  last_run: { at: string; job_id: string; state: string | null } | null;
}

describe("HTTP API: schedules", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => {
    await h.close();
  });

  it("POST /api/schedules refuses bad input with 400 naming the field, and writes nothing", async () => {
    const base = { name: "bad", cron: "* * * * *", command: "true" };
    for (const [change, field] of [
      [{ cron: "61 * * * *" }, "cron"],
      [{ tz: "Nowhere/Atlantis" }, "tz"],
      [{ catch_up: "never" }, "catch_up"],
      [{ overlap: 1 }, "overlap"],
      [{ timeout: "10 min" }, "timeout"],
      [{ name: "../etc" }, "name"],
      [{ color: "red" }, "color"],
      [{ queue: "a/b" }, "queue"],
      [{ cwd: "tmp" }, "cwd"],
      [{ env: { QUEUECTL_ATTEMPT: "1" } }, "env.QUEUECTL_ATTEMPT"],
      [{ no_retry_exit_codes: [-1] }, "no_retry_exit_codes.0"],
    ] as const) {
      const reply = await h.call("POST", "/api/schedules", { ...base, ...change });
      assert.equal(reply.status, 400, JSON.stringify(change));
      assert.ok(field in reply.json<{ fields: Record<string, string> }>().fields, `${field}: ${reply.body}`);
    }
    assert.deepEqual((await h.call("GET", "/api/schedules")).json(), []);
  });

  it("adds (201), refuses a taken name (409) unless ?replace=true, shows, pauses, resumes, runs now, removes", async () => {
    const body = { name: "nightly", cron: "30 2 * * *", tz: "Europe/Berlin", command: "echo night" };
    const added = await h.call("POST", "/api/schedules", body);
    assert.equal(added.status, 201);
    assert.ok(Date.parse(added.json<ScheduleBody>().next_run ?? "") > Date.now());
    assert.equal((await h.call("POST", "/api/schedules", body)).status, 409);
    const replaced = await h.call("POST", "/api/schedules?replace=true", { ...body, cron: "0 3 * * *" });
    assert.equal(replaced.status, 201);
    assert.equal(replaced.json<ScheduleBody>().cron, "0 3 * * *");

    const paused = (await h.call("POST", "/api/schedules/nightly/pause")).json<ScheduleBody>();
    assert.deepEqual([paused.paused, paused.next_run], [true, null]);
    const ran = await h.call("POST", "/api/schedules/nightly/run");
    assert.equal(ran.status, 201);
    const { job_id } = ran.json<{ job_id: string }>();
    const job = (await h.call("GET", `/api/jobs/${job_id}`)).json<{ schedule: string; command: string }>();
    assert.deepEqual([job.schedule, job.command], ["nightly", "echo night"]);
    const stop = await h.runWorkers(1);
    try {
      await waitFor("the run's job completes", async () => {
        const shown = (await h.call("GET", "/api/schedules/nightly")).json<ScheduleBody>();
        return shown.last_run?.job_id === job_id && shown.last_run.state === "completed";
      });
    } finally {
      await stop();
    }
    const resumed = (await h.call("POST", "/api/schedules/nightly/resume")).json<ScheduleBody>();
    assert.equal(resumed.paused, false);
    const list = (await h.call("GET", "/api/schedules")).json<ScheduleBody[]>();
    assert.deepEqual(
      list.map((s) => s.name),
      ["nightly"],
    );

    for (const [method, url] of [
      ["GET", "/api/schedules/nope"],
      ["POST", "/api/schedules/nope/pause"],
      ["POST", "/api/schedules/nope/resume"],
      ["POST", "/api/schedules/nope/run"],
      ["DELETE", "/api/schedules/nope"],
    ] as const) {
      assert.equal((await h.call(method, url)).status, 404, `${method} ${url}`);
    }
    assert.equal((await h.call("DELETE", "/api/schedules/nightly")).status, 200);
    assert.deepEqual((await h.call("GET", "/api/schedules")).json(), []);
  });

  it("takes the job options queue, cwd, env and no_retry_exit_codes; lists the next runs", async () => {
    const template = { queue: "reports", cwd: "/tmp", env: { A: "1" }, no_retry_exit_codes: [2, 64] };
    const body = { name: "opts", cron: "0 6 * * 1-5", tz: "Europe/Berlin", command: "echo $A", ...template };
    const added = await h.call("POST", "/api/schedules", body);
    assert.equal(added.status, 201, added.body);
    const shown = added.json<ScheduleBody & typeof template>();
    assert.deepEqual([shown.queue, shown.cwd, shown.env, shown.no_retry_exit_codes], Object.values(template));
    const { job_id } = (await h.call("POST", "/api/schedules/opts/run")).json<{ job_id: string }>();
    const job = (await h.call("GET", `/api/jobs/${job_id}`)).json<typeof template>();
    assert.deepEqual([job.queue, job.cwd, job.env, job.no_retry_exit_codes], Object.values(template));

    const upcoming = await h.call("GET", "/api/schedules/opts/upcoming?count=3");
    assert.equal(upcoming.status, 200, upcoming.body);
    const { next_runs } = upcoming.json<{ next_runs: string[] }>();
    assert.equal(next_runs.length, 3);
    assert.equal(next_runs[0], shown.next_run, "the first is the schedule's next run");
    for (const at of next_runs) {
      const berlin = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        minute: "2-digit",
        weekday: "short",
      });
      assert.match(berlin.format(new Date(at)), /^(Mon|Tue|Wed|Thu|Fri) 06:00$/, at);
    }
    assert.equal((await h.call("GET", "/api/schedules/opts/upcoming?count=0")).status, 400);
    assert.equal((await h.call("GET", "/api/schedules/nope/upcoming")).status, 404);
    await h.call("DELETE", "/api/schedules/opts");
    await h.call("DELETE", `/api/jobs/${job_id}`);
  });

  it("refuses cross-site writes like every other write", async () => {
    const body = { name: "evil", cron: "* * * * *", command: "curl evil" };
    const reply = await h.call("POST", "/api/schedules", body, { "sec-fetch-site": "cross-site" });
    assert.equal(reply.status, 403);
    assert.equal((await h.call("GET", "/api/schedules/evil")).status, 404, "nothing written");
  });
});
