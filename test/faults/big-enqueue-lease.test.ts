// Fair leases: a big `enqueue --file` holds SQLite's write lock for seconds, longer than a short
// lease, while live workers run jobs. Waiting for the lock is not a missed heartbeat: no running job
// may be declared lost, none may run twice. (SQLite only: PostgreSQL has no store-wide write lock.)
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { withHarness, sq } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { waitFor } from "../helpers/env.js";

/**
 * Enough jobs to hold the write lock for several 1 s leases: 50k held it 2-5 s on a loaded 2-core
 * machine (the workers log how long they were blocked).
 */
const BIG = Number(process.env.QUEUECTL_TEST_BIG_ENQUEUE ?? 50_000);
const RUNNING = 4;

describe("faults (sqlite): a big enqueue under a short lease", () => {
  it("declares no live worker's job lost and runs none twice", { timeout: 180_000 }, () =>
    withHarness(sqliteEnv, async (h) => {
      await h.ok(["config", "set", "lease-seconds", "1"]);
      const runs = h.path("runs.txt");
      const gate = h.path("gate");
      // Each job says it started, then runs until the test opens the gate.
      const command =
        `echo "$QUEUECTL_JOB_ID $QUEUECTL_ATTEMPT" >> ${sq(runs)}; ` +
        `while [ ! -e ${sq(gate)} ]; do sleep 0.05; done`;
      const ids = Array.from({ length: RUNNING }, (_, i) => `live-${i}`);
      for (const id of ids) await h.enqueue({ id, command, priority: 10 });
      // Due far in the future: the big batch only holds the lock, no worker runs it.
      const later = new Date(Date.UTC(2099, 0, 1)).toISOString();
      const big = h.path("big.jsonl");
      const line = (i: number) => JSON.stringify({ id: `big-${i}`, command: "true", priority: 1, run_at: later });
      writeFileSync(big, Array.from({ length: BIG }, (_, i) => line(i)).join("\n"));

      const workers = [h.worker(2), h.worker(2)];
      await h.waitCounts(`${RUNNING} jobs running`, (c) => c.processing === RUNNING);
      try {
        const started = Date.now();
        await h.ok(["enqueue", "--file", big]);
        const enqueueMs = Date.now() - started;
        // Give every reaper a chance to misjudge: wait until each worker has beaten for two more
        // leases after the lock was released.
        const released = Date.now();
        await waitFor(
          "two more leases of heartbeats",
          async () => {
            const list = await h.json<{ heartbeat_at: string }[]>(["worker", "list"]);
            return list.length === 2 && list.every((w) => Date.parse(w.heartbeat_at) > released + 2000);
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        writeFileSync(gate, "");
        const counts = await h.waitCounts("the live jobs done", (c) => c.completed === RUNNING && c.processing === 0);
        const attempts = await Promise.all(ids.map(async (id) => (await h.show(id)).attempts.map((a) => a.outcome)));
        const started2 = readFileSync(runs, "utf8").trim().split("\n");
        const lost = attempts.flat().filter((o) => o === "lost").length;
        const stalls = [...h.logs().matchAll(/the store was busy for (\d+) ms/g)].map((m) => Number(m[1]));
        console.log(
          `# big enqueue: ${BIG} jobs in ${enqueueMs} ms (longest worker stall ${Math.max(0, ...stalls)} ms); ` +
            `attempts recorded lost ${lost}; runs started ${started2.length} for ${RUNNING} jobs; ` +
            `attempts ${JSON.stringify(attempts)}`,
        );
        if (lost > 0) {
          // For the record: which worker recovered what, and which writes or pauses it saw.
          const events = /"event":"(recovery\.recovered|store\.busy|worker\.paused|heartbeat\.failed|job\.disowned)"/;
          const seen = h
            .logs()
            .split("\n")
            .filter((l) => l.startsWith("---") || events.test(l));
          console.log(seen.join("\n"));
        }
        assert.equal(lost, 0, `no attempt recorded lost: ${JSON.stringify(attempts)}`);
        assert.equal(started2.length, RUNNING, `no job ran twice: ${started2.join(", ")}`);
        assert.deepEqual(
          attempts,
          ids.map(() => ["completed"]),
        );
        assert.equal(counts.pending, BIG, "the big batch is all there");
        for (const w of workers) assert.equal(w.exitCode, null, "the workers live on");
      } finally {
        writeFileSync(gate, "");
      }
    }),
  );
});
