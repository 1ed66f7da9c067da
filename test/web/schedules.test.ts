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

  it("refuses cross-site writes like every other write", async () => {
    const body = { name: "evil", cron: "* * * * *", command: "curl evil" };
    const reply = await h.call("POST", "/api/schedules", body, { "sec-fetch-site": "cross-site" });
    assert.equal(reply.status, 403);
    assert.equal((await h.call("GET", "/api/schedules/evil")).status, 404, "nothing written");
  });
});
