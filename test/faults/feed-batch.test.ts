/**
 * Finding 8: the live feed skipped rows that share an updated_at. 2,000 jobs enqueued in one batch
 * (one timestamp) must all reach a real SSE reader, on both engines.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Queue } from "../../src/open.js";
import type { CliEnv } from "../cli/harness.js";
import { PG_URL, tempHome, waitFor } from "../helpers/env.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";
import { startServerProcess } from "../web/harness.js";
import { readFeed } from "./sse-clients.js";

const JOBS = 2000;

export const withSchema = (url: string, schema: string): string =>
  `${url}${url.includes("?") ? "&" : "?"}schema=${schema}`;

/** `db` is the store as this process opens it (for PostgreSQL, with the test's schema). */
async function batchReachesFeed(env: CliEnv, db: string): Promise<void> {
  const queue = await Queue.open({ db });
  const server = await startServerProcess(env.env);
  const reader = readFeed(server.url);
  try {
    // The first poll sends the worker list: from then on the feed is watching.
    await waitFor("the feed's first poll", () => reader.events.some((event) => event.type === "workers"));
    const jobs = await queue.enqueueMany(Array.from({ length: JOBS }, (_, i) => ({ id: `b-${i}`, command: "true" })));
    assert.equal(new Set(jobs.map((job) => job.updated_at)).size, 1, "one batch, one timestamp");
    try {
      await waitFor("every job of the batch in a jobs event", () => reader.jobs.size === JOBS, { timeoutMs: 15_000 });
    } finally {
      console.log(`  jobs seen in the feed: ${reader.jobs.size} of ${JOBS}`);
    }
    for (let i = 0; i < JOBS; i++) assert.ok(reader.jobs.has(`b-${i}`), `b-${i} missing`);

    // A change that becomes visible late: stamped 5 s ago (as by a writer that waited that long
    // for the write lock), committed after the feed has read past its time.
    const old = Date.now() - 5000;
    await queue.store.insertJobs([
      { id: "late", command: "true", priority: 5, max_retries: 0, timeout: null, run_at: old, created_at: old },
    ]);
    await waitFor("the late-visible change in a jobs event", () => reader.jobs.has("late"), { timeoutMs: 15_000 });
  } finally {
    reader.close();
    await server.stop();
    await queue.close();
    await env.cleanup();
  }
}

describe("fault: a 2,000-job batch in the live feed", () => {
  it("SQLite: every job appears", { timeout: 60_000 }, async () => {
    const t = tempHome("queuectl-feed-");
    await batchReachesFeed(
      { home: t.home, env: { QUEUECTL_HOME: t.home, QUEUECTL_DB: t.db }, cleanup: t.cleanup },
      t.db,
    );
  });

  it("PostgreSQL: every job appears", { timeout: 60_000 }, async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const env = pgEnv();
    await batchReachesFeed(env, withSchema(PG_URL, env.schema));
  });
});
