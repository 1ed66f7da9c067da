// A timeout longer than Node's longest timer (2^31-1 ms, ~24.8 days) must not fire at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandRunner } from "../../src/worker/runner.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { withHarness } from "../cli/harness.js";

const TIMEOUT_S = 2_200_000;

test("a 2,200,000 s timeout through the command runner: `sleep 2` completes", async (t) => {
  const runner = new CommandRunner(1);
  try {
    const started = Date.now();
    const result = await runner.execute({ command: "sleep 2", timeoutMs: TIMEOUT_S * 1000, outputLimit: 1024 }).result;
    t.diagnostic(`outcome ${result.outcome} after ${Date.now() - started} ms (duration_ms ${result.duration_ms})`);
    assert.equal(result.outcome, "completed", `the run ended "${result.outcome}": ${result.error}`);
    assert.ok(result.duration_ms >= 1_900, `duration_ms ${result.duration_ms}`);
  } finally {
    runner.close();
  }
});

test("a 2,200,000 s timeout through a real worker: the job completes on its first run", async (t) => {
  await withHarness(sqliteEnv, async (h) => {
    const id = await h.enqueue({ command: "sleep 2", timeout: TIMEOUT_S, max_retries: 1 });
    h.worker(1);
    const { job, attempts } = await h.waitState(id, ["completed", "dead"], 30_000);
    const runs = attempts.map((a) => `attempt ${a.number}: ${a.outcome} in ${a.duration_ms} ms (${a.error ?? "ok"})`);
    t.diagnostic(runs.join("; "));
    assert.equal(job.state, "completed");
    assert.deepEqual(
      attempts.map((a) => a.outcome),
      ["completed"],
    );
  });
});
