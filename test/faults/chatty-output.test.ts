// A job that writes as fast as it can for 10 s, run by a real worker: the worker and its helper
// processes stay small, the attempt's duration is the real one, the stored output is capped.
// Linux only (memory read from /proc).
import assert from "node:assert/strict";
import { test } from "node:test";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { withHarness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { childrenMatching, ON_LINUX, statusKb } from "./proc.js";

const BOUND_MB = 400;
const RUN_S = 10;
const LIMIT = 1024 * 1024;

test("cat /dev/zero for 10 s: worker + helpers under 400 MB, real duration, output capped", { skip: !ON_LINUX && "needs /proc (Linux)" }, async (t) => {
  await withHarness(sqliteEnv, async (h) => {
    await h.ok(["config", "set", "output-limit", String(LIMIT)]);
    const id = await h.enqueue({ command: `timeout ${RUN_S} cat /dev/zero; true`, max_retries: 0 });
    const worker = h.worker(1);
    const enqueuedAt = Date.now();
    const pid = worker.pid ?? 0;
    const processes = () => [pid, ...childrenMatching(pid, "runner-process.js")];
    const rssMb = () => processes().reduce((sum, p) => sum + statusKb(p, "VmRSS"), 0) / 1024;

    let peak = 0;
    const figures: string[] = [];
    let runningSince = 0;
    // Sampled every 100 ms until the job is done; gives up at once past the bound (the unfixed
    // helper grows by ~200 MB/s, and the machine may be shared).
    await waitFor(
      "the chatty job to finish",
      async () => {
        const mb = rssMb();
        peak = Math.max(peak, mb);
        if (mb >= BOUND_MB) return "over";
        const shown = await h.show(id);
        if (shown.job.state === "processing" && runningSince === 0) runningSince = Date.now();
        const at = runningSince ? Math.round((Date.now() - runningSince) / 1000) : -1;
        if ((at === 2 || at === 10) && !figures.some((f) => f.startsWith(`${at} s:`))) figures.push(`${at} s: ${mb.toFixed(0)} MB`);
        return shown.job.state !== "processing" && shown.job.state !== "pending" ? shown : null;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const wall = Date.now() - enqueuedAt;
    assert.ok(peak < BOUND_MB, `worker + helpers at ${peak.toFixed(0)} MB RSS (> ${BOUND_MB} MB); ${figures.join(", ")}`);
    const hwm = processes().map((p) => `${p}: VmHWM ${(statusKb(p, "VmHWM") / 1024).toFixed(0)} MB`);
    t.diagnostic(`RSS of worker + helpers: ${figures.join(", ")}; peak of the sum ${peak.toFixed(0)} MB; ${hwm.join(", ")}`);

    const { job, attempts } = await h.show(id);
    assert.equal(job.state, "completed", `the job ended ${job.state}: ${job.last_error}`);
    const attempt = attempts[0]!;
    t.diagnostic(`attempt duration_ms ${attempt.duration_ms}; ${wall} ms from enqueue to done; stdout_bytes ${attempt.stdout_bytes}`);
    assert.ok((attempt.duration_ms ?? 0) >= RUN_S * 1000 - 500, `duration_ms ${attempt.duration_ms} is not the real ~${RUN_S} s`);
    assert.ok((attempt.duration_ms ?? 0) <= wall, `duration_ms ${attempt.duration_ms} is longer than the whole run (${wall} ms)`);
    assert.ok(attempt.stdout_bytes > 100 * LIMIT, `only ${attempt.stdout_bytes} bytes counted: the job did not write fast`);

    const stored = await h.output(id, ["--stdout"]);
    assert.ok(stored.length <= LIMIT + 200, `stored output is ${stored.length} bytes, over the ${LIMIT} B cap`);
    const text = stored.toString("latin1");
    const cut = text.match(/\n\[queuectl: (\d+) bytes cut here; output-limit keeps the head and the tail\]\n/);
    assert.ok(cut, "the stored output says what was cut");
    assert.equal(Number(cut[1]) + LIMIT, attempt.stdout_bytes, "head + tail + cut = everything written");
    assert.ok(stored.subarray(0, LIMIT / 2).every((b) => b === 0), "the head is the command's first bytes");
    assert.ok(stored.subarray(-LIMIT / 2).every((b) => b === 0), "the tail is the command's last bytes");
  });
});
