import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, it } from "node:test";
import { Queue } from "../../src/open.js";
import { QueueError } from "../../src/core/errors.js";
import { startWebServer } from "../../src/web/server.js";
import { tempHome } from "../helpers/env.js";
import { openHarness, type Harness } from "./harness.js";

const TOKEN = "test-token-0123456789abcdef";

describe("security: headers and cross-site requests", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness();
  });
  after(async () => h.close());

  it("sends a strict CSP, nosniff and no-framing on pages and API responses", async () => {
    for (const url of ["/", "/api/status", "/app/main.js", "/api/nothing"]) {
      const reply = await h.call("GET", url);
      const csp = String(reply.headers["content-security-policy"]);
      assert.match(csp, /script-src 'self'(;|$)/, url);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.equal(reply.headers["x-content-type-options"], "nosniff", url);
    }
  });

  it("serves the dashboard page and its script", async () => {
    const page = await h.call("GET", "/");
    assert.equal(page.status, 200);
    assert.match(String(page.headers["content-type"]), /text\/html/);
    assert.match(page.body, /<script type="module" src="\/app\/main.js">/);
    assert.doesNotMatch(page.body, /<script>(?!<)/); // no inline script
    const script = await h.call("GET", "/app/main.js");
    assert.equal(script.status, 200);
    assert.match(String(script.headers["content-type"]), /javascript/);
  });

  it("refuses state-changing requests from another origin or site (403)", async () => {
    const body = { command: "touch /tmp/pwned" };
    const evil = await h.call("POST", "/api/jobs", body, { origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    assert.match(evil.json<{ error: string }>().error, /cross-site/);
    assert.equal((await h.call("POST", "/api/jobs", body, { "sec-fetch-site": "cross-site" })).status, 403);
    // Another port on localhost is "same-site" but not same-origin: refused too.
    assert.equal((await h.call("POST", "/api/jobs", body, { "sec-fetch-site": "same-site" })).status, 403);
    assert.equal(
      (await h.call("PUT", "/api/config", { key: "max-retries", value: 1 }, { origin: "null" })).status,
      403,
    );
    assert.equal((await h.queue.counts()).pending, 0);
    // The same origin is fine.
    const own = await h.call("POST", "/api/jobs", body, {
      origin: "http://localhost:80",
      "sec-fetch-site": "same-origin",
    });
    assert.equal(own.status, 201);
  });

  it("requires Content-Type: application/json on state-changing requests (a form cannot send it)", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const reply = await h.app.inject({
        method: "POST",
        url: "/api/dlq/retry-all",
        headers: { "content-type": type },
        payload: "a=b",
      });
      assert.equal(reply.statusCode, 415, type);
    }
    const none = await h.app.inject({ method: "POST", url: "/api/workers/stop" });
    assert.equal(none.statusCode, 415);
  });

  it("without a token, refuses a Host header that is not loopback (DNS rebinding)", async () => {
    const reply = await h.call("GET", "/api/status", undefined, { host: "attacker.example:5000" });
    assert.equal(reply.status, 403);
    assert.equal((await h.call("GET", "/api/status", undefined, { host: "127.0.0.1:5000" })).status, 200);
  });
});

describe("security: access token", () => {
  let h: Harness;
  before(async () => {
    h = await openHarness({ token: TOKEN });
  });
  after(async () => h.close());

  it("401 without a token or with a wrong one, on API calls and pages", async () => {
    for (const url of ["/api/status", "/api/jobs", "/", "/app/main.js", "/api/events"]) {
      assert.equal((await h.call("GET", url)).status, 401, url);
      assert.equal(
        (await h.call("GET", url, undefined, { authorization: "Bearer wrong-token-wrong-token" })).status,
        401,
        url,
      );
    }
    assert.equal((await h.call("POST", "/api/jobs", { command: "true" })).status, 401);
    assert.equal((await h.call("GET", "/api/status", undefined, { cookie: "queuectl_token=wrong" })).status, 401);
    assert.equal((await h.call("GET", "/?token=wrong")).status, 401);
  });

  it("accepts Authorization: Bearer", async () => {
    const reply = await h.call("GET", "/api/status", undefined, { authorization: `Bearer ${TOKEN}` });
    assert.equal(reply.status, 200);
    const created = await h.call("POST", "/api/jobs", { command: "true" }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(created.status, 201);
  });

  it("/?token= sets an HttpOnly SameSite=Strict cookie and redirects to /; the cookie then works", async () => {
    const visit = await h.call("GET", `/?token=${TOKEN}`);
    assert.equal(visit.status, 303);
    assert.equal(visit.headers.location, "/");
    const cookie = String(visit.headers["set-cookie"]);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const pair = cookie.split(";")[0] ?? "";
    assert.equal((await h.call("GET", "/", undefined, { cookie: pair })).status, 200);
    assert.equal((await h.call("GET", "/api/status", undefined, { cookie: pair })).status, 200);
  });

  it("with a token, any Host is accepted (the token is the defence)", async () => {
    const reply = await h.call("GET", "/api/status", undefined, {
      host: "queue.example:5000",
      authorization: `Bearer ${TOKEN}`,
    });
    assert.equal(reply.status, 200);
  });
});

describe("security: binding", () => {
  it("refuses a non-loopback host without a token, and a short token", async () => {
    const { db, cleanup } = tempHome("queuectl-web-");
    const queue = await Queue.open({ db });
    try {
      for (const host of ["0.0.0.0", "::", "192.168.1.10", "example.com"]) {
        await assert.rejects(startWebServer({ queue, db, host, port: 0 }), (error: unknown) => {
          assert.ok(error instanceof QueueError);
          assert.equal(error.kind, "invalid");
          assert.ok("host" in error.fields);
          return true;
        });
      }
      await assert.rejects(startWebServer({ queue, db, host: "0.0.0.0", port: 0, token: "short" }), /at least 16/);
      const server = await startWebServer({ queue, db, host: "0.0.0.0", port: 0, token: TOKEN });
      await server.close();
      const local = await startWebServer({ queue, db, host: "127.0.0.1", port: 0 });
      assert.match(local.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      await local.close();
    } finally {
      await queue.close();
      cleanup();
    }
  });
});

/** Reads Server-Sent Events from a URL until `until` says enough; returns the events read. */
function readEvents(
  url: string,
  until: (events: Array<{ event: string; data: string }>) => boolean,
  signal: AbortSignal,
  onOpen = () => {},
) {
  return new Promise<Array<{ event: string; data: string }>>((resolve, reject) => {
    const events: Array<{ event: string; data: string }> = [];
    const req = get(url, { signal }, (res) => {
      assert.match(String(res.headers["content-type"]), /text\/event-stream/);
      assert.ok(res.headers["content-security-policy"]);
      let buffer = "";
      onOpen();
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data !== undefined) events.push({ event, data });
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on("error", (error) => (signal.aborted ? resolve(events) : reject(error)));
  });
}

describe("live events (SSE)", () => {
  it("streams job changes, counts and workers to every client; close() ends open streams", async () => {
    const { db, cleanup } = tempHome("queuectl-web-");
    const queue = await Queue.open({ db });
    const server = await startWebServer({ queue, db, host: "127.0.0.1", port: 0, workers: 1 });
    const abort = new AbortController();
    try {
      // The worker list, the job's completion, then the counts that follow it.
      const sawJobDone = (events: Array<{ event: string; data: string }>) => {
        const done = events.findIndex(
          (e) =>
            e.event === "jobs" &&
            (JSON.parse(e.data) as Array<{ id: string; state: string }>).some(
              (j) => j.id === "sse-1" && j.state === "completed",
            ),
        );
        const workers = events.some((e) => e.event === "workers" && (JSON.parse(e.data) as unknown[]).length === 1);
        return (
          workers &&
          done >= 0 &&
          events
            .slice(done)
            .some((e) => e.event === "counts" && (JSON.parse(e.data) as { completed: number }).completed === 1)
        );
      };
      const first = readEvents(`${server.url}api/events`, sawJobDone, abort.signal);
      const second = readEvents(`${server.url}api/events`, sawJobDone, abort.signal);
      // No need to wait for the subscriptions: the feed starts with a look back over the last moments.
      await queue.enqueue({ id: "sse-1", command: "true" });
      const [a, b] = await Promise.all([first, second]);
      for (const events of [a, b]) {
        assert.ok(events.some((e) => e.event === "workers" && (JSON.parse(e.data) as unknown[]).length === 1));
        assert.ok(events.some((e) => e.event === "counts"));
      }

      // A stream still open when the server closes does not keep close() waiting.
      let opened!: () => void;
      const connected = new Promise<void>((resolve) => (opened = resolve));
      const open = readEvents(`${server.url}api/events`, () => false, abort.signal, opened);
      await connected;
      await server.close("now");
      abort.abort();
      await open;
    } finally {
      abort.abort();
      await server.close("now");
      await queue.close();
      cleanup();
    }
  });
});
