// `list --json --limit 10000` over 5,000 jobs of 127 KiB commands (allowed: the limit is 128 KiB):
// ~650 MB of JSON, more than V8's longest string. The CLI streams the array item by item; its
// memory (VmHWM from /proc) stays bounded. Needs Linux (/proc); skips elsewhere.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { Queue } from "../../src/open.js";
import { withHarness } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { BIN } from "../helpers/cli.js";

const skip = existsSync("/proc/self/status") ? false : "needs /proc (Linux)";
const JOBS = 5000;
const COMMAND_BYTES = 127 * 1024;
/** Far below the ~650 MB of output, far above a streaming CLI's needs. */
const HWM_LIMIT_MB = 250;

function vmHwmMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

describe("listing big jobs", { skip }, () => {
  it(`list --json --limit 10000 over ${JOBS} jobs of 127 KiB: every job, bounded memory`, () =>
    withHarness(sqliteEnv, async (h) => {
      const started = Date.now();
      const queue = await Queue.open({ db: h.path("queuectl.db") });
      try {
        for (let start = 0; start < JOBS; start += 250) {
          const batch = Array.from({ length: 250 }, (_, i) => {
            const n = String(start + i).padStart(5, "0");
            return { id: `big-${n}`, command: `echo ${n} ${"x".repeat(COMMAND_BYTES - 12)}` };
          });
          await queue.enqueueMany(batch);
        }
      } finally {
        await queue.close();
      }

      const enqueuedMs = Date.now() - started;
      const child = spawn(process.execPath, [BIN, "list", "--json", "--limit", "10000"], {
        env: { ...process.env, NO_COLOR: "1", ...h.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let peakMb = 0;
      const sample = setInterval(() => (peakMb = Math.max(peakMb, vmHwmMb(child.pid!) ?? 0)), 50);
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      // Line by line, so this test holds no more of the output than the CLI should.
      let ids = 0;
      let bytes = 0;
      let first = "";
      let last = "";
      const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
      const closed = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
      for await (const line of lines) {
        bytes += line.length + 1;
        if (first === "") first = line;
        last = line;
        if (/^ {4}"id": "big-\d{5}",$/.test(line)) ids++;
      }
      const code = await closed;
      clearInterval(sample);
      console.log(
        `enqueue ${enqueuedMs} ms; list --json: exit ${code}, ${ids} jobs, ${(bytes / 1e6).toFixed(0)} MB of JSON ` +
          `in ${Date.now() - started - enqueuedMs} ms, CLI VmHWM ${peakMb.toFixed(0)} MB`,
      );
      assert.equal(code, 0, `exit ${code}; stderr: ${stderr.trim()}`);
      assert.equal(stderr, "");
      assert.equal(first, "[");
      assert.equal(last, "]");
      assert.equal(ids, JOBS, "every job is listed");
      assert.ok(peakMb > 0, "the CLI's memory was sampled");
      assert.ok(peakMb < HWM_LIMIT_MB, `the CLI's peak RSS ${peakMb.toFixed(0)} MB must stay under ${HWM_LIMIT_MB} MB`);
    }));
});
