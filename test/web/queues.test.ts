import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Scrape } from "../helpers/prometheus.js";
import { openHarness, type Harness } from "./harness.js";

interface QueueBody {
  name: string;
  paused: boolean;
  concurrency: number | null;
  running: number;
  counts: Record<string, number>;
}

describe("HTTP API: named queues", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => {
    await h.close();
  });

  it("lists queues; pause, resume and concurrency write the settings; jobs filter by queue", async () => {
    assert.equal((await h.call("POST", "/api/jobs", { id: "in-a", command: "true", queue: "a" })).status, 201);
    assert.equal((await h.call("POST", "/api/jobs", { id: "plain", command: "true" })).status, 201);
    assert.deepEqual((await h.call("POST", "/api/queues/a/pause", {})).json(), {
      name: "a",
      paused: true,
      concurrency: null,
    });
    const put = await h.call("PUT", "/api/queues/a", { concurrency: 2 });
    assert.equal(put.status, 200, put.body);
    assert.deepEqual(put.json(), { name: "a", paused: true, concurrency: 2 });
    assert.deepEqual((await h.call("POST", "/api/queues/a/resume", {})).json(), {
      name: "a",
      paused: false,
      concurrency: 2,
    });
    const listed = (await h.call("GET", "/api/queues")).json<QueueBody[]>();
    assert.deepEqual(
      listed.map((q) => [q.name, q.paused, q.concurrency, q.running, q.counts.pending]),
      [
        ["a", false, 2, 0, 1],
        ["default", false, null, 0, 1],
      ],
    );
    const jobs = (await h.call("GET", "/api/jobs?queue=a")).json<{ jobs: { id: string; queue: string }[] }>();
    assert.deepEqual(
      jobs.jobs.map((j) => [j.id, j.queue]),
      [["in-a", "a"]],
    );
    assert.equal((await h.call("PUT", "/api/queues/a", { concurrency: null })).json<QueueBody>().concurrency, null);
  });

  it("bad names and values are 400 naming the field, and write nothing", async () => {
    const expect400 = async (method: "POST" | "PUT" | "GET", url: string, field: string, body?: unknown) => {
      const reply = await h.call(method, url, body);
      assert.equal(reply.status, 400, `${method} ${url}: ${reply.body}`);
      const fields = reply.json<{ fields: Record<string, string> }>().fields;
      assert.ok(field in fields, `${JSON.stringify(fields)} should name ${field}`);
    };
    await expect400("PUT", "/api/queues/b", "concurrency", { concurrency: 0 });
    await expect400("PUT", "/api/queues/b", "concurrency", { concurrency: "4" });
    await expect400("PUT", "/api/queues/b", "paused", { concurrency: 1, paused: true });
    await expect400("PUT", "/api/queues/b", "concurrency", {});
    await expect400("POST", `/api/queues/${"x".repeat(65)}/pause`, "queue", {});
    await expect400("POST", "/api/queues/a%20b/pause", "queue", {});
    await expect400("GET", "/api/jobs?queue=a%2Fb", "queue");
    await expect400("POST", "/api/jobs", "queue", { command: "true", queue: "" });
    assert.equal((await h.queue.queues()).filter((q) => q.name === "b" || q.name === "a b").length, 0);
  });

  it("queue writes are refused cross-site, like every other write", async () => {
    const evil = await h.call("POST", "/api/queues/c/pause", {}, { origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    const put = await h.call("PUT", "/api/queues/c", { concurrency: 1 }, { "sec-fetch-site": "cross-site" });
    assert.equal(put.status, 403);
    assert.equal(
      (await h.queue.queues()).find((q) => q.name === "c"),
      undefined,
    );
  });

  it("Prometheus: queuectl_jobs per real queue name and state", async () => {
    await h.call("POST", "/api/jobs", { id: "in-z", command: "true", queue: "zeta" });
    const reply = await h.call("GET", "/metrics");
    assert.equal(reply.status, 200);
    const scrape = new Scrape(reply.body);
    assert.equal(scrape.value("queuectl_jobs", { queue: "zeta", state: "pending" }), 1);
    assert.equal(scrape.value("queuectl_jobs", { queue: "a", state: "pending" }), 1);
    assert.equal(scrape.value("queuectl_jobs", { queue: "default", state: "completed" }), 0);
  });
});
