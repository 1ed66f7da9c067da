// A job that writes as fast as it can for 10 s, run by a real worker: the worker and its helper
// processes stay small, the attempt's duration is the real one, the stored output is capped.
// Linux only (memory read from /proc).
import assert from "node:assert/strict";
import { test } from "node:test";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { ms, withHarness } from "../cli/harness.js";
import { waitFor } from "../helpers/env.js";
import { HELPER_NAMES } from "../helpers/spawner.js";
import { childrenMatching, ON_LINUX, statusKb } from "./proc.js";

const BOUND_MB = 400;
const RUN_S = 10;
const LIMIT = 1024 * 1024;

const skip = !ON_LINUX && "needs /proc (Linux)";

test("cat /dev/zero for 10 s: worker + helpers under 400 MB, real duration, output capped", { skip }, async (t) => {
  await withHarness(sqliteEnv, async (h) => {
    await h.ok(["config", "set", "output-limit", String(LIMIT)]);
    const id = await h.enqueue({ command: `timeout ${RUN_S} cat /dev/zero; true`, max_retries: 0 });
    const worker = h.worker(1);
    const enqueuedAt = Date.now();
    const pid = worker.pid ?? 0;
    let helpers: number[] = [];
    let sampled = 0;
    const processes = () => {
      // Finding the helpers reads all of /proc: once a second is enough (one may be replaced).
      if (sampled++ % 10 === 0) helpers = HELPER_NAMES.flatMap((name) => childrenMatching(pid, name));
      return [pid, ...helpers];
    };
    const rssMb = () => processes().reduce((sum, p) => sum + statusKb(p, "VmRSS"), 0) / 1024;

    // Sampled every 100 ms on a timer of its own (a CLI call to poll the job's state can take a
    // second on a loaded machine); the wait gives up at once past the bound.
    const samples: { at: number; mb: number }[] = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), mb: rssMb() }), 100);
    const peak = () => Math.max(0, ...samples.map((sample) => sample.mb));
    /** Output stored while the job runs (live output, written by the worker every 250 ms). */
    let liveBytes = 0;
    try {
      await waitFor(
        "the chatty job to finish",
        async () => {
          if (peak() >= BOUND_MB) return "over";
          const shown = await h.show(id);
          const ran = shown.attempts[0] ? Date.now() - ms(shown.attempts[0].started_at) : 0;
          if (ran >= 3_000 && shown.job.state === "processing" && liveBytes === 0) {
            liveBytes = (await h.output(id, ["--stdout"])).length;
          }
          return shown.job.state !== "processing" && shown.job.state !== "pending" ? shown : null;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
    } finally {
      clearInterval(sampler);
    }
    const wall = Date.now() - enqueuedAt;
    const hwm = processes().map((p) => `${p}: VmHWM ${(statusKb(p, "VmHWM") / 1024).toFixed(0)} MB`);
    const startedAt = ms((await h.show(id)).attempts[0]?.started_at);
    const at = (s: number) => samples.find((x) => x.at >= startedAt + s * 1000)?.mb.toFixed(0) ?? "?";
    const figures = [2, 10].map((s) => `${s} s: ${at(s)} MB`);
    const rss = `${figures.join(", ")}; peak of the sum ${peak().toFixed(0)} MB`;
    t.diagnostic(`RSS of worker + helpers: ${rss}; ${hwm.join(", ")}`);
    assert.ok(peak() < BOUND_MB, `worker + helpers over ${BOUND_MB} MB RSS: ${rss}`);

    assert.ok(liveBytes > 0, "the output was readable while the job ran");
    const { job, attempts } = await h.show(id);
    assert.equal(job.state, "completed", `the job ended ${job.state}: ${job.last_error}`);
    const attempt = attempts[0]!;
    const duration = attempt.duration_ms ?? 0;
    t.diagnostic(
      `attempt duration_ms ${duration}; ${wall} ms from enqueue to done; stdout_bytes ${attempt.stdout_bytes}; ` +
        `${liveBytes} B stored live at ~3 s`,
    );
    assert.ok(duration >= RUN_S * 1000 - 500, `duration_ms ${duration} is not the real ~${RUN_S} s`);
    assert.ok(duration <= wall, `duration_ms ${duration} is longer than the whole run (${wall} ms)`);
    assert.ok(attempt.stdout_bytes > 100 * LIMIT, `only ${attempt.stdout_bytes} bytes counted: the job wrote slowly`);

    const stored = await h.output(id, ["--stdout"]);
    assert.ok(stored.length <= LIMIT + 200, `stored output is ${stored.length} bytes, over the ${LIMIT} B cap`);
    const text = stored.toString("latin1");
    const cut = text.match(/\n\[queuectl: (\d+) bytes cut here; output-limit keeps the head and the tail\]\n/);
    assert.ok(cut, "the stored output says what was cut");
    assert.equal(Number(cut[1]) + LIMIT, attempt.stdout_bytes, "head + tail + cut = everything written");
    assert.ok(
      stored.subarray(0, LIMIT / 2).every((b) => b === 0),
      "the head is the command's first bytes",
    );
    assert.ok(
      stored.subarray(-LIMIT / 2).every((b) => b === 0),
      "the tail is the command's last bytes",
    );
  });
});
