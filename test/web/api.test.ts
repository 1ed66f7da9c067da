import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { alive, waitFor } from "../helpers/env.js";
import { openHarness, type Harness } from "./harness.js";

interface JobBody {
  id: string;
  state: string;
  attempts: number;
  command: string;
}
interface ErrorBody {
  error: string;
  fields: Record<string, string>;
}

/** Asserts a 4xx with the API's error body; for 400, that `field` is named. */
/** A run_at an hour ahead: the job stays pending while the test looks at it. */
const LATER = new Date(Date.now() + 3_600_000).toISOString();

function assertError(reply: { status: number; json: <T>() => T }, status: number, field?: string): ErrorBody {
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${JSON.stringify(reply.json())}`);
  const body = reply.json<ErrorBody>();
  assert.equal(typeof body.error, "string");
  assert.equal(typeof body.fields, "object");
  if (field !== undefined)
    assert.ok(field in body.fields, `fields ${JSON.stringify(body.fields)} should name ${field}`);
  return body;
}

describe("HTTP API", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => {
    await h.close();
  });

  it("GET /api/status gives counts per state, workers and health", async () => {
    const reply = await h.call("GET", "/api/status");
    assert.equal(reply.status, 200);
    const body = reply.json<{ counts: Record<string, number>; workers: unknown[]; health: Record<string, unknown> }>();
    assert.deepEqual(Object.keys(body.counts).sort(), [
      "cancelled",
      "completed",
      "dead",
      "failed",
      "pending",
      "processing",
    ]);
    assert.deepEqual(body.workers, []);
    assert.equal(body.health.live_workers, 0);
    assert.deepEqual([body.health.slots, body.health.busy_slots], [0, 0], "no live worker, no capacity");
  });

  it("POST /api/jobs enqueues (201) and GET /api/jobs/:id shows it", async () => {
    const created = await h.call("POST", "/api/jobs", { id: "api-1", command: "echo one", priority: 7 });
    assert.equal(created.status, 201);
    const job = created.json<JobBody & { priority: number }>();
    assert.equal(job.id, "api-1");
    assert.equal(job.state, "pending");
    assert.equal(job.priority, 7);
    const shown = await h.call("GET", "/api/jobs/api-1");
    assert.equal(shown.status, 200);
    const detail = shown.json<JobBody & { history: unknown[] }>();
    assert.equal(detail.command, "echo one");
    assert.equal(detail.attempts, 0, "attempts is the counted number of runs, as in job show --json");
    assert.deepEqual(detail.history, []);
  });

  it("POST /api/jobs with an array enqueues all or none", async () => {
    const ok = await h.call("POST", "/api/jobs", [
      { id: "batch-1", command: "true" },
      { id: "batch-2", command: "true" },
    ]);
    assert.equal(ok.status, 201);
    assert.equal(ok.json<JobBody[]>().length, 2);
    const bad = await h.call("POST", "/api/jobs", [{ id: "batch-3", command: "true" }, { command: "" }]);
    assertError(bad, 400, "command");
    assertError(await h.call("GET", "/api/jobs/batch-3"), 404);
  });

  it("POST /api/jobs rejects bad input with 400 naming the field, and writes nothing", async () => {
    const before = (await h.queue.counts()).pending;
    assertError(await h.call("POST", "/api/jobs", {}), 400, "command");
    assertError(await h.call("POST", "/api/jobs", { command: "  " }), 400, "command");
    assertError(await h.call("POST", "/api/jobs", { command: "true", priority: 11 }), 400, "priority");
    assertError(await h.call("POST", "/api/jobs", { command: "true", priority: 0 }), 400, "priority");
    assertError(await h.call("POST", "/api/jobs", { command: "true", priority: "high" }), 400, "priority");
    assertError(await h.call("POST", "/api/jobs", { command: "true", run_at: "tomorrow" }), 400, "run_at");
    assertError(await h.call("POST", "/api/jobs", { command: "true", max_retries: -1 }), 400, "max_retries");
    assertError(await h.call("POST", "/api/jobs", { command: "true", timeout: -1 }), 400, "timeout");
    assertError(await h.call("POST", "/api/jobs", { command: "true", colour: "red" }), 400, "colour");
    assertError(await h.call("POST", "/api/jobs", "just a string"), 400);
    const malformed = await h.app.inject({
      method: "POST",
      url: "/api/jobs",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    assert.equal(malformed.statusCode, 400);
    assert.match((JSON.parse(malformed.body) as ErrorBody).error, /invalid JSON/);
    assert.equal((await h.queue.counts()).pending, before);
  });

  it("POST /api/jobs with a duplicate id is a 409", async () => {
    await h.call("POST", "/api/jobs", { id: "dup", command: "true" });
    const again = assertError(await h.call("POST", "/api/jobs", { id: "dup", command: "true" }), 409);
    assert.match(again.error, /dup/);
  });

  it("POST /api/jobs with a held key: 200 with the existing job, or 409 with on_conflict error", async () => {
    const first = await h.call("POST", "/api/jobs", { id: "keyed-1", command: "true", key: "api-key", run_at: LATER });
    assert.equal(first.status, 201);
    assert.equal(first.json<{ existing: boolean }>().existing, false);
    const again = await h.call("POST", "/api/jobs", { id: "keyed-2", command: "false", key: "api-key" });
    assert.equal(again.status, 200);
    assert.deepEqual(
      (({ id, existing, key }) => ({ id, existing, key }))(
        again.json<{ id: string; existing: boolean; key: string }>(),
      ),
      { id: "keyed-1", existing: true, key: "api-key" },
    );
    const refused = assertError(
      await h.call("POST", "/api/jobs", { command: "true", key: "api-key", on_conflict: "error" }),
      409,
    );
    assert.match(refused.error, /key "api-key" is held by active job keyed-1/);
    assertError(
      await h.call("POST", "/api/jobs", { command: "true", key: "k", on_conflict: "nope" }),
      400,
      "on_conflict",
    );
    assertError(
      await h.call("POST", "/api/jobs", { command: "true", no_retry_exit_codes: [300] }),
      400,
      "no_retry_exit_codes.0",
    );
    assert.equal((await h.call("GET", "/api/jobs/keyed-2")).status, 404);
  });

  it("GET /api/jobs filters by state and search, and pages with a cursor", async () => {
    for (let i = 0; i < 5; i++) await h.call("POST", "/api/jobs", { id: `page-${i}`, command: `echo needle-${i}` });
    const first = await h.call("GET", "/api/jobs?q=needle&limit=2");
    assert.equal(first.status, 200);
    const page1 = first.json<{ jobs: JobBody[]; next_cursor: string | null }>();
    assert.deepEqual(
      page1.jobs.map((j) => j.id),
      ["page-4", "page-3"],
    );
    assert.ok(page1.next_cursor);
    const page2 = (
      await h.call("GET", `/api/jobs?q=needle&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`)
    ).json<{ jobs: JobBody[]; next_cursor: string | null }>();
    assert.deepEqual(
      page2.jobs.map((j) => j.id),
      ["page-2", "page-1"],
    );
    const page3 = (
      await h.call("GET", `/api/jobs?q=needle&limit=2&cursor=${encodeURIComponent(page2.next_cursor ?? "")}`)
    ).json<{ jobs: JobBody[]; next_cursor: string | null }>();
    assert.deepEqual(
      page3.jobs.map((j) => j.id),
      ["page-0"],
    );
    assert.equal(page3.next_cursor, null);
    const byId = (await h.call("GET", "/api/jobs?q=page-3")).json<{ jobs: JobBody[] }>();
    assert.deepEqual(
      byId.jobs.map((j) => j.id),
      ["page-3"],
    );
    const completed = (await h.call("GET", "/api/jobs?state=completed")).json<{ jobs: JobBody[] }>();
    assert.ok(completed.jobs.every((j) => j.state === "completed"));
  });

  it("GET /api/jobs rejects a bad state, limit or parameter with 400", async () => {
    assertError(await h.call("GET", "/api/jobs?state=lost"), 400, "state");
    assertError(await h.call("GET", "/api/jobs?limit=0"), 400, "limit");
    assertError(await h.call("GET", "/api/jobs?limit=ten"), 400, "limit");
    assertError(await h.call("GET", "/api/jobs?sort=asc"), 400, "sort");
  });

  it("unknown job ids are 404 on every route that takes one", async () => {
    assertError(await h.call("GET", "/api/jobs/nope"), 404);
    assertError(await h.call("GET", "/api/jobs/nope/output"), 404);
    assertError(await h.call("POST", "/api/dlq/nope/retry"), 404);
  });

  it("runs jobs and serves attempts and output of each stream; bad output queries are 400/404", async () => {
    await h.call("POST", "/api/jobs", { id: "out-1", command: "printf 'to stdout\\n'; printf 'to stderr\\n' >&2" });
    assertError(await h.call("GET", "/api/jobs/out-1/output"), 404); // not run yet
    const stop = await h.runWorkers();
    await waitFor("out-1 completes", async () => (await h.queue.get("out-1")).state === "completed");
    await stop();
    const detail = (await h.call("GET", "/api/jobs/out-1")).json<
      JobBody & { history: Array<{ number: number; outcome: string; exit_code: number }> }
    >();
    assert.equal(detail.history.length, 1);
    assert.equal(detail.history[0]?.outcome, "completed");
    assert.equal(detail.history[0]?.exit_code, 0);
    const out = (await h.call("GET", "/api/jobs/out-1/output")).json<{
      text: string;
      stream: string;
      attempt: number;
      truncated: boolean;
    }>();
    assert.deepEqual([out.text, out.stream, out.attempt, out.truncated], ["to stdout\n", "stdout", 1, false]);
    const err = (await h.call("GET", "/api/jobs/out-1/output?stream=stderr&attempt=1")).json<{ text: string }>();
    assert.equal(err.text, "to stderr\n");
    const raw = await h.call("GET", "/api/jobs/out-1/output?format=text");
    assert.equal(raw.body, "to stdout\n");
    assert.match(String(raw.headers["content-type"]), /^text\/plain/);
    assertError(await h.call("GET", "/api/jobs/out-1/output?stream=stdin"), 400, "stream");
    assertError(await h.call("GET", "/api/jobs/out-1/output?attempt=0"), 400, "attempt");
    assertError(await h.call("GET", "/api/jobs/out-1/output?attempt=9"), 404);
  });

  it("DLQ: lists dead jobs, retries one (409 if not dead) and all", async () => {
    await h.call("POST", "/api/jobs", { id: "dead-1", command: "exit 3", max_retries: 0 });
    await h.call("POST", "/api/jobs", { id: "dead-2", command: "exit 4", max_retries: 0 });
    const stop = await h.runWorkers();
    await waitFor(
      "both dead",
      async () => (await h.queue.get("dead-1")).state === "dead" && (await h.queue.get("dead-2")).state === "dead",
    );
    await stop();
    const list = (await h.call("GET", "/api/dlq")).json<{ jobs: JobBody[] }>();
    assert.deepEqual(list.jobs.map((j) => j.id).sort(), ["dead-1", "dead-2"]);
    assertError(await h.call("GET", "/api/dlq?limit=-1"), 400, "limit");

    const retried = await h.call("POST", "/api/dlq/dead-1/retry");
    assert.equal(retried.status, 200);
    assert.deepEqual([retried.json<JobBody>().state, retried.json<JobBody>().attempts], ["pending", 0]);
    assertError(await h.call("POST", "/api/dlq/dead-1/retry"), 409);
    // A POST with no body at all (still declared JSON) is fine.
    const all = await h.app.inject({
      method: "POST",
      url: "/api/dlq/retry-all",
      headers: { "content-type": "application/json" },
    });
    assert.equal(all.statusCode, 200);
    assert.deepEqual(JSON.parse(all.body), { retried: 1 });
    assert.equal((await h.call("GET", "/api/dlq")).json<{ jobs: JobBody[] }>().jobs.length, 0);
  });

  it("POST /api/jobs/:id/cancel cancels waiting and running jobs; 404, 409 and 400 otherwise", async () => {
    await h.call("POST", "/api/jobs", { id: "cancel-wait", command: "true", run_at: "2999-01-01T00:00:00Z" });
    assertError(await h.call("POST", "/api/jobs/cancel-wait/cancel", { signal: "NOPE" }), 400, "signal");
    assertError(await h.call("POST", "/api/jobs/cancel-wait/cancel", { grace: 7200 }), 400, "grace");
    assertError(await h.call("POST", "/api/jobs/cancel-wait/cancel", { grace: "soon" }), 400, "grace");
    assertError(await h.call("POST", "/api/jobs/cancel-wait/cancel", { other: 1 }), 400);
    assert.equal((await h.queue.get("cancel-wait")).state, "pending", "nothing written for bad input");
    const waiting = await h.call("POST", "/api/jobs/cancel-wait/cancel", {});
    assert.equal(waiting.status, 200);
    assert.equal(waiting.json<JobBody>().state, "cancelled");
    assertError(await h.call("POST", "/api/jobs/cancel-wait/cancel", {}), 409);
    assertError(await h.call("POST", "/api/jobs/no-such-job/cancel", {}), 404);

    await h.call("POST", "/api/jobs", { id: "cancel-run", command: "echo started; exec sleep 300" });
    const stop = await h.runWorkers(1);
    try {
      await waitFor("the job runs", async () => (await h.queue.output("cancel-run").catch(() => null))?.total_bytes);
      const running = await h.call("POST", "/api/jobs/cancel-run/cancel", { signal: "INT", grace: "2s" });
      assert.equal(running.status, 200);
      const body = running.json<JobBody & { cancel_requested: unknown }>();
      assert.equal(body.state, "processing");
      assert.deepEqual(body.cancel_requested, { signal: "SIGINT", grace_ms: 2000 });
      await waitFor("the job is cancelled", async () => (await h.queue.get("cancel-run")).state === "cancelled");
      const [attempt, ...more] = await h.queue.attempts("cancel-run");
      assert.deepEqual([attempt?.outcome, attempt?.signal, more.length], ["cancelled", "SIGINT", 0]);
      assert.equal((await h.queue.output("cancel-run")).data.toString(), "started\n", "its output is kept");
    } finally {
      await stop();
    }
  });

  it("GET /api/metrics has the metrics figures and a throughput series", async () => {
    const reply = await h.call("GET", "/api/metrics?bucket=10&buckets=30");
    assert.equal(reply.status, 200);
    const body = reply.json<{
      success_rate: number | null;
      duration_ms: { p95: number | null };
      series: { bucket_seconds: number; points: Array<{ at: string; completed: number }> };
    }>();
    assert.equal(body.series.bucket_seconds, 10);
    assert.equal(body.series.points.length, 30);
    assert.ok(body.series.points.reduce((sum, p) => sum + p.completed, 0) >= 1);
    assert.ok(body.duration_ms.p95 !== null);
    assertError(await h.call("GET", "/api/metrics?bucket=0"), 400, "bucket");
    assertError(await h.call("GET", "/api/metrics?buckets=5000"), 400, "buckets");
  });

  it("GET and PUT /api/config; bad keys and values are 400 naming the field", async () => {
    const shown = (await h.call("GET", "/api/config")).json<{
      values: Record<string, number>;
      defaults: Record<string, number>;
      help: Record<string, string>;
    }>();
    assert.equal(shown.values["max-retries"], 3);
    assert.equal(shown.defaults["max-retries"], 3);
    assert.ok(shown.help["backoff-base"]);
    const set = await h.call("PUT", "/api/config", { key: "max-retries", value: "5" });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json(), { key: "max-retries", value: 5 });
    assert.equal((await h.queue.config())["max-retries"], 5);
    assert.deepEqual((await h.call("PUT", "/api/config", { key: "backoff-base", value: 1.5 })).json(), {
      key: "backoff-base",
      value: 1.5,
    });
    assertError(await h.call("PUT", "/api/config", { key: "colour", value: 1 }), 400, "key");
    assertError(await h.call("PUT", "/api/config", { key: "max-retries", value: "-2" }), 400, "value");
    assertError(await h.call("PUT", "/api/config", { key: "max-retries", value: "" }), 400, "value");
    assertError(await h.call("PUT", "/api/config", { key: "max-retries" }), 400, "value");
    assertError(await h.call("PUT", "/api/config", { key: "max-retries", value: true }), 400, "value");
    assert.equal((await h.queue.config())["max-retries"], 5);
    // Retention settings take durations; the stored value is in seconds.
    assert.equal(shown.defaults["retention-completed"], 604_800);
    assert.deepEqual((await h.call("PUT", "/api/config", { key: "retention-dead", value: "12h" })).json(), {
      key: "retention-dead",
      value: 43_200,
    });
    assertError(await h.call("PUT", "/api/config", { key: "retention-output", value: "7x" }), 400, "value");
  });

  it("unknown routes are a JSON 404", async () => {
    assertError(await h.call("GET", "/api/nothing"), 404);
    assertError(await h.call("GET", "/app/..%2fsecret.js"), 404);
  });
});

describe("HTTP API: workers", () => {
  let h: Harness;
  const previousHome = process.env.QUEUECTL_HOME;
  before(async () => {
    h = await openHarness();
    // Detached workers write their log under $QUEUECTL_HOME/logs.
    process.env.QUEUECTL_HOME = h.home;
  });
  after(async () => {
    // Whatever happened, no worker process outlives the test.
    for (const worker of await h.queue.workers())
      if (worker.pid !== process.pid && alive(worker.pid)) process.kill(worker.pid, "SIGKILL");
    if (previousHome === undefined) delete process.env.QUEUECTL_HOME;
    else process.env.QUEUECTL_HOME = previousHome;
    await h.close();
  });

  it("POST /api/workers/start validates count", async () => {
    assertError(await h.call("POST", "/api/workers/start", { count: 0 }), 400, "count");
    assertError(await h.call("POST", "/api/workers/start", { count: "two" }), 400, "count");
    assertError(await h.call("POST", "/api/workers/start", {}), 400, "count");
    assertError(await h.call("POST", "/api/workers/stop", { now: "yes" }), 400, "now");
    assertError(await h.call("POST", "/api/workers/stop", { id: "no-such-worker" }), 404);
  });

  it("starts a worker process, lists it, runs a job with it, and drains it", async () => {
    const started = await h.call("POST", "/api/workers/start", { count: 2 });
    assert.equal(started.status, 202, `${started.body}\n${logOf(started.body)}`);
    const { pid, slots } = started.json<{ pid: number; slots: number; log: string }>();
    assert.equal(slots, 2);
    const workers = (await h.call("GET", "/api/workers")).json<
      Array<{ pid: number; slots: number; status: string; host: string }>
    >();
    assert.equal(workers.length, 1);
    assert.deepEqual([workers[0]?.pid, workers[0]?.slots, workers[0]?.status], [pid, 2, "alive"]);

    await h.call("POST", "/api/jobs", { id: "by-worker", command: "true" });
    await waitFor("the worker runs the job", async () => (await h.queue.get("by-worker")).state === "completed");

    const stopped = await h.call("POST", "/api/workers/stop", {});
    assert.deepEqual(stopped.json(), { mode: "drain", asked: 1 });
    await waitFor("the worker process exits", () => !alive(pid));
    await waitFor(
      "the worker is deregistered",
      async () => (await h.call("GET", "/api/workers")).json<unknown[]>().length === 0,
    );
  });
});

/** The log a failed worker start points to, for the failure message. */
function logOf(body: string): string {
  const path = /log: (\S+?)\)/.exec(body)?.[1];
  try {
    return path ? readFileSync(path, "utf8") : "";
  } catch {
    return "";
  }
}
