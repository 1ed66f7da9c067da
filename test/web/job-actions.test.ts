// The API's job actions: DELETE /api/jobs/:id, POST /api/jobs/:id/retry, POST /api/jobs/bulk.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { waitFor } from "../helpers/env.js";
import { openHarness, type Harness } from "./harness.js";

interface ErrorBody {
  error: string;
  fields: Record<string, string>;
}

describe("HTTP API: delete, retry, bulk", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
    // ok completes, bad ends dead, busy keeps running, waiting is due in the far future.
    await h.queue.enqueueMany([
      { id: "ok", command: "echo ok" },
      { id: "bad", command: "exit 3", max_retries: 0 },
      { id: "busy", command: "sleep 30" },
      { id: "waiting", command: "true", run_at: "2099-01-01T00:00:00Z" },
    ]);
    // Run for the whole file (busy stays processing); close() stops them.
    await h.runWorkers(3);
    await waitFor("ok completed, bad dead, busy running", async () => {
      const [ok, bad, busy] = await Promise.all(["ok", "bad", "busy"].map((id) => h.queue.get(id)));
      return ok?.state === "completed" && bad?.state === "dead" && busy?.state === "processing";
    });
  });
  after(async () => {
    await h.close();
  });

  it("POST /api/jobs/:id/retry: 200 with the job back to pending, 409 saying why, 404", async () => {
    const retried = await h.call("POST", "/api/jobs/ok/retry");
    assert.equal(retried.status, 200, retried.body);
    const job = retried.json<{ id: string; state: string; attempts: number }>();
    assert.deepEqual([job.id, job.state, job.attempts], ["ok", "pending", 0]);
    const pending = await h.call("POST", "/api/jobs/waiting/retry");
    assert.equal(pending.status, 409);
    assert.equal(pending.json<ErrorBody>().error, "job waiting is pending: it will run anyway");
    assert.equal((await h.call("POST", "/api/jobs/ghost/retry")).status, 404);
    await waitFor("ok ran again", async () => (await h.queue.get("ok")).state === "completed");
    assert.equal((await h.queue.attempts("ok")).length, 2, "history kept");
  });

  it("DELETE /api/jobs/:id: 204, then 404; a running job 409", async () => {
    await h.queue.enqueue({ id: "gone", command: "true", run_at: "2099-01-01T00:00:00Z" });
    const deleted = await h.call("DELETE", "/api/jobs/gone");
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, "");
    assert.equal((await h.call("GET", "/api/jobs/gone")).status, 404);
    const again = await h.call("DELETE", "/api/jobs/gone");
    assert.equal(again.status, 404);
    assert.equal(again.json<ErrorBody>().error, "no job gone");
    const running = await h.call("DELETE", "/api/jobs/busy");
    assert.equal(running.status, 409);
    assert.equal(running.json<ErrorBody>().error, "job busy is running: cancel it first");
    assert.equal((await h.queue.get("busy")).state, "processing");
    // The same rules as every write: JSON only, same origin.
    const form = await h.app.inject({ method: "DELETE", url: "/api/jobs/waiting" });
    assert.equal(form.statusCode, 415);
    const cross = await h.call("DELETE", "/api/jobs/waiting", undefined, { origin: "http://evil.example" });
    assert.equal(cross.status, 403);
    assert.equal((await h.queue.get("waiting")).state, "pending");
  });

  it("POST /api/jobs/bulk: each id on its own; done ids and refusals", async () => {
    await h.queue.enqueueMany([
      { id: "b1", command: "true", run_at: "2099-01-01T00:00:00Z" },
      { id: "b2", command: "true", run_at: "2099-01-01T00:00:00Z" },
    ]);
    const retry = await h.call("POST", "/api/jobs/bulk", { action: "retry", ids: ["bad", "b1", "ghost"] });
    assert.equal(retry.status, 200, retry.body);
    assert.deepEqual(retry.json(), {
      done: ["bad"],
      refused: [
        { id: "b1", error: "job b1 is pending: it will run anyway" },
        { id: "ghost", error: "no job ghost" },
      ],
    });
    const del = await h.call("POST", "/api/jobs/bulk", { action: "delete", ids: ["b1", "busy", "b2", "b1"] });
    assert.equal(del.status, 200, del.body);
    assert.deepEqual(del.json(), {
      done: ["b1", "b2"],
      refused: [{ id: "busy", error: "job busy is running: cancel it first" }],
    });
    assert.equal((await h.call("GET", "/api/jobs/b2")).status, 404);
  });

  it("POST /api/jobs/bulk: bad bodies are 400 naming the field, nothing done", async () => {
    const bad = async (body: unknown, field: string) => {
      const reply = await h.call("POST", "/api/jobs/bulk", body);
      assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.body}`);
      const fields = reply.json<ErrorBody>().fields;
      assert.ok(
        Object.keys(fields).some((key) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`)),
        `${JSON.stringify(body)}: fields ${JSON.stringify(fields)} should name ${field}`,
      );
    };
    await bad({ action: "explode", ids: ["waiting"] }, "action");
    await bad({ ids: ["waiting"] }, "action");
    await bad({ action: "delete" }, "ids");
    await bad({ action: "delete", ids: [] }, "ids");
    await bad({ action: "delete", ids: "waiting" }, "ids");
    await bad({ action: "delete", ids: [""] }, "ids");
    await bad({ action: "delete", ids: [7] }, "ids");
    await bad({ action: "delete", ids: Array.from({ length: 1001 }, (_, i) => `x${i}`) }, "ids");
    await bad({ action: "delete", ids: ["waiting"], force: true }, "force");
    assert.equal((await h.queue.get("waiting")).state, "pending");
    const thousand = await h.call("POST", "/api/jobs/bulk", {
      action: "delete",
      ids: Array.from({ length: 1000 }, (_, i) => `x${i}`),
    });
    assert.equal(thousand.status, 200);
    assert.equal(thousand.json<{ refused: unknown[] }>().refused.length, 1000);
  });
});
