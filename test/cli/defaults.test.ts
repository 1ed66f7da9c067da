// When a job's defaults are decided: at enqueue, once, so that the job record says what will
// happen; `config set` changes only jobs enqueued after it. And `timeout: 0` on a job means none.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withHarness } from "./harness.js";
import { sqliteEnv } from "./sqlite-env.js";

const test = (name: string, fn: Parameters<typeof withHarness>[1]) =>
  it(name, { timeout: 60_000 }, () => withHarness(sqliteEnv, fn));

describe("cli [sqlite]: job defaults are resolved at enqueue", () => {
  test("a job with timeout 0 has no timeout: it runs past the job-timeout setting", async (h) => {
    await h.ok(["config", "set", "job-timeout", "1"]);
    const id = await h.enqueue({ command: `${h.sleep(3)}; echo done`, timeout: 0, max_retries: 0 });
    const before = await h.show(id);
    assert.equal(before.job.timeout, 0, "the job keeps timeout 0 (none), not the setting");
    assert.match(await h.ok(["job", "show", id]), /^timeout\s+none$/m, "job show says the job has no timeout");
    h.worker(1);
    const { job, attempts } = await h.waitState(id, ["completed", "dead"], 30_000);
    assert.equal(job.state, "completed", `ran past the 1 s job-timeout: ${JSON.stringify(attempts)}`);
    assert.equal(attempts[0]!.outcome, "completed");
    assert.equal((await h.output(id)).toString(), "done\n");
  });

  test("a job enqueued before config set keeps the defaults of its enqueue", async (h) => {
    const early = await h.enqueue({ command: `${h.sleep(3)}; echo early` });
    await h.ok(["config", "set", "job-timeout", "1"]);
    await h.ok(["config", "set", "max-retries", "0"]);
    const late = await h.enqueue({ command: `${h.sleep(30)}; echo late` });

    const shownEarly = (await h.show(early)).job;
    assert.equal(shownEarly.timeout, 3600, "the job-timeout at enqueue (the default) is stored with the job");
    assert.equal(shownEarly.max_retries, 3, "the max-retries at enqueue (the default) is stored with the job");
    assert.match(await h.ok(["job", "show", early]), /^timeout\s+3600 s$/m);
    const shownLate = (await h.show(late)).job;
    assert.equal(shownLate.timeout, 1, "a job enqueued after config set gets the new job-timeout");
    assert.equal(shownLate.max_retries, 0, "… and the new max-retries");

    h.worker(2);
    const first = await h.waitState(early, ["completed", "dead"], 30_000);
    assert.equal(
      first.job.state,
      "completed",
      `the early job kept its 3600 s timeout: ${JSON.stringify(first.attempts)}`,
    );
    const second = await h.waitState(late, "dead", 30_000);
    assert.equal(second.attempts.length, 1, "max_retries 0: one run");
    assert.equal(second.attempts[0]!.outcome, "timeout", "the late job has the 1 s timeout");
  });
});
