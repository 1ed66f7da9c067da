// Fair leases when every worker was paused at once (a suspended laptop or VM, a frozen cgroup): when
// they resume, each finds the others' leases run out. None of them saw the others miss a beat while
// it was itself running, so none may judge those leases until they have had a lease to beat: no
// job is declared lost, none runs twice. Linux only (SIGSTOP); SQLite and, when a server is there,
// PostgreSQL.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { withHarness, sq, type Harness, type MakeEnv } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { waitFor } from "../helpers/env.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";

const linuxOnly = process.platform === "linux" ? false : "needs Linux (SIGSTOP)";
const pgSkip = await pgSkipReason();
const LEASE_MS = 1000;

async function pausedTogetherScenario(h: Harness): Promise<void> {
  await h.ok(["config", "set", "lease-seconds", String(LEASE_MS / 1000)]);
  const runs = h.path("runs.txt");
  const gate = h.path("gate");
  const command =
    `echo "$QUEUECTL_JOB_ID $QUEUECTL_ATTEMPT" >> ${sq(runs)}; ` + `while [ ! -e ${sq(gate)} ]; do sleep 0.05; done`;
  const ids = ["one", "two"];
  for (const id of ids) await h.enqueue({ id, command });
  const workers = [h.worker(1), h.worker(1)];
  await h.waitCounts("both jobs running, one on each worker", (c) => c.processing === 2);
  try {
    for (const w of workers) w.kill("SIGSTOP");
    const stopped = Date.now();
    // The fault is the pause itself: past both leases (each ends at most a lease after the last
    // beat before the stop) by more than a lease, so on resume every lease has run out.
    await waitFor("the pause to outlast both leases", () => Date.now() > stopped + 3 * LEASE_MS, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    for (const w of workers) w.kill("SIGCONT");
    const resumed = Date.now();
    await waitFor(
      "two more leases of heartbeats from both",
      async () => {
        const list = await h.json<{ heartbeat_at: string }[]>(["worker", "list"]);
        return list.length === 2 && list.every((w) => Date.parse(w.heartbeat_at) > resumed + 2 * LEASE_MS);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    writeFileSync(gate, "");
    await h.waitCounts("both jobs done", (c) => c.completed === 2 && c.processing === 0);
    const attempts = await Promise.all(ids.map(async (id) => (await h.show(id)).attempts.map((a) => a.outcome)));
    const started = readFileSync(runs, "utf8").trim().split("\n");
    console.log(`# paused together: attempts ${JSON.stringify(attempts)}; runs started ${JSON.stringify(started)}`);
    assert.deepEqual(attempts, [["completed"], ["completed"]], "no job declared lost");
    assert.equal(started.length, 2, `no job ran twice: ${started.join(", ")}`);
    for (const w of workers) assert.equal(w.exitCode, null, "the workers live on");
  } finally {
    for (const w of workers) w.kill("SIGCONT");
    writeFileSync(gate, "");
  }
}

const engines: [string, MakeEnv, string | false][] = [
  ["sqlite", sqliteEnv, false],
  ["postgres", () => pgEnv(), pgSkip ?? false],
];

for (const [engine, makeEnv, skip] of engines) {
  describe(`faults (${engine}): every worker paused at once past its lease`, { skip: linuxOnly || skip }, () => {
    it("declares no job lost when they resume, and runs none twice", { timeout: 120_000 }, () =>
      withHarness(makeEnv, pausedTogetherScenario),
    );
  });
}
