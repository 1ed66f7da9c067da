/**
 * Finding 9: listing big jobs. 5,000 jobs with 127 KiB commands (the longest allowed):
 * GET /api/jobs?limit=10000 must answer 200 within a byte budget with commands cut and marked,
 * and the server (a real process) must stay under 300 MB RSS, three big listings in parallel too.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Queue } from "../../src/open.js";
import { tempHome } from "../helpers/env.js";
import { startServerProcess } from "../web/harness.js";

const MB = 1024 * 1024;
const RSS_LIMIT = 300 * MB;
const JOBS = 5000;
/** 127 KiB: under the 128 KiB a command may have. */
const COMMAND = `: ${"y".repeat(127 * 1024 - 2)}`;

interface ListBody {
  jobs: { id: string; command: string; command_truncated?: boolean }[];
  next_cursor: string | null;
  truncated?: boolean;
}

describe("fault: listing 5,000 jobs of 127 KiB (Linux: reads /proc)", { skip: process.platform !== "linux" }, () => {
  it("answers within a byte budget, commands cut and marked, RSS bounded", { timeout: 240_000 }, async () => {
    const { home, db, cleanup } = tempHome("queuectl-list-");
    const queue = await Queue.open({ db });
    for (let i = 0; i < JOBS; i += 250) {
      await queue.enqueueMany(Array.from({ length: 250 }, (_, k) => ({ id: `l-${i + k}`, command: COMMAND })));
    }
    await queue.close();
    const server = await startServerProcess({ QUEUECTL_HOME: home, QUEUECTL_DB: db });
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 50);
    try {
      const started = Date.now();
      const reply = await fetch(`${server.url}/api/jobs?limit=10000`);
      const text = await reply.text();
      console.log(
        `  GET /api/jobs?limit=10000: ${reply.status}, ${(text.length / MB).toFixed(1)} MB in ${Date.now() - started} ms; ` +
          `peak server RSS ${Math.round(peak / MB)} MB`,
      );
      assert.equal(reply.status, 200, text.slice(0, 300));
      const body = JSON.parse(text) as ListBody;
      assert.ok(body.jobs.length > 0);
      for (const job of body.jobs) {
        assert.equal(job.command_truncated, true, `${job.id} is marked as cut`);
        assert.ok(job.command.length <= 4096, `${job.id}: ${job.command.length} characters listed`);
        assert.ok(COMMAND.startsWith(job.command), "the listed command is the start of the real one");
      }
      assert.ok(text.length <= 8 * MB, `the response fits its byte budget (${text.length} bytes)`);
      if (body.jobs.length < JOBS) {
        assert.equal(body.truncated, true, "a response cut by its byte budget says so");
        assert.ok(body.next_cursor !== null, "and gives the cursor to go on");
      }

      // The job's own page has the full command.
      const one = (await (await fetch(`${server.url}/api/jobs/l-7`)).json()) as {
        command: string;
        command_truncated?: boolean;
      };
      assert.equal(one.command, COMMAND);
      assert.notEqual(one.command_truncated, true);

      // Three big listings at once.
      const parallel = Date.now();
      const replies = await Promise.all(
        [0, 1, 2].map(async () => {
          const r = await fetch(`${server.url}/api/jobs?limit=4000`);
          return { status: r.status, bytes: (await r.text()).length };
        }),
      );
      console.log(
        `  3 x GET /api/jobs?limit=4000: ${replies.map((r) => r.status).join(", ")} in ${Date.now() - parallel} ms; ` +
          `peak server RSS ${Math.round(peak / MB)} MB`,
      );
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 200, 200],
      );
      assert.ok(peak < RSS_LIMIT, `peak server RSS ${Math.round(peak / MB)} MB`);
    } finally {
      clearInterval(sampler);
      await server.stop();
      cleanup();
    }
  });
});
