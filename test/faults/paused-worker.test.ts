// Fencing under a paused worker: SIGSTOP a worker past its lease while its job runs; another worker
// recovers the job and runs it again; SIGCONT. The resumed worker must kill its now-foreign command
// within about one heartbeat, write nothing over the recovered attempt ("lost" stays), and the job
// must complete exactly once after that. Linux only (signals, process groups); runs on SQLite and,
// when a server is there, PostgreSQL.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { withHarness, sq, type Harness, type MakeEnv } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { groupAlive, waitFor } from "../helpers/env.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";

const linuxOnly = process.platform === "linux" ? false : "needs Linux (SIGSTOP, process groups)";
const pgSkip = await pgSkipReason();

const LEASE_SECONDS = 1;
const BEAT_MS = (LEASE_SECONDS * 1000) / 3;

function lines(path: string): string[] {
  try {
    return readFileSync(path, "utf8").trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

async function pausedWorkerScenario(h: Harness): Promise<void> {
  await h.ok(["config", "set", "lease-seconds", String(LEASE_SECONDS)]);
  const runs = h.path("runs.txt");
  // `$$` is the shell: the leader of the command's own process group. Run 1 would go on for 30 s
  // (it must still run when its worker resumes, however slow the machine); later runs take 4 s.
  const id = await h.enqueue({
    command:
      `echo "start $QUEUECTL_ATTEMPT $$" >> ${sq(runs)}; ` +
      `if [ "$QUEUECTL_ATTEMPT" = 1 ]; then ${h.sleep(30)}; else ${h.sleep(4)}; fi; ` +
      `echo "end $QUEUECTL_ATTEMPT" >> ${sq(runs)}`,
    max_retries: 3,
  });
  const a = h.worker(1);
  const first = await waitFor("attempt 1 to start", () => lines(runs).find((l) => l.startsWith("start 1 ")), {
    timeoutMs: 20_000,
  });
  const pgid1 = Number(first.split(" ")[2]);
  const b = h.worker(1);
  await h.waitRegistered(b.pid!);

  a.kill("SIGSTOP");
  let continued = false;
  try {
    const second = await waitFor(
      "attempt 2 to start on the other worker",
      () => lines(runs).find((l) => l.startsWith("start 2 ")),
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    const secondStartedAt = Date.now();
    const pgid2 = Number(second.split(" ")[2]);
    assert.ok(groupAlive(pgid1), "the paused worker's command still runs (only the worker was stopped)");

    a.kill("SIGCONT");
    continued = true;
    const resumedAt = Date.now();
    // How long the resumed worker's command lives on beside the new run.
    let killedAfterMs = Number.NaN;
    try {
      await waitFor("the resumed worker's command to be killed", () => !groupAlive(pgid1), {
        timeoutMs: 20_000,
        intervalMs: 10,
      });
      killedAfterMs = Date.now() - resumedAt;
    } catch {
      /* reported below */
    }
    const overlapMs = Date.now() - secondStartedAt;

    const done = await h.waitState(id, "completed", 30_000);
    await waitFor("attempt 2's command to end", () => !groupAlive(pgid2), { timeoutMs: 5_000 });
    const outcomes = done.attempts.map((x) => x.outcome);
    const ends = lines(runs).filter((l) => l.startsWith("end "));
    const figures =
      `killed ${killedAfterMs} ms after SIGCONT (beat ${Math.round(BEAT_MS)} ms); overlap with run 2 ` +
      `${overlapMs} ms; attempts ${JSON.stringify(outcomes)}; ends ${JSON.stringify(ends)}`;
    console.log(`# paused worker: ${figures}`);

    assert.ok(Number.isFinite(killedAfterMs), `the resumed worker's command was never killed: ${figures}`);
    // One heartbeat, plus time for a loaded machine to deliver the signal and reap the group.
    assert.ok(killedAfterMs <= BEAT_MS + 1000, `killed within one heartbeat of SIGCONT: ${figures}`);
    assert.deepEqual(outcomes, ["lost", "completed"], `attempt 1 stays lost: ${figures}`);
    assert.deepEqual(ends, ["end 2"], `the job completed exactly once: ${figures}`);
    assert.match(a.output(), /attempt 1 is no longer this worker's/, "the resumed worker says so, once");
    assert.equal(a.output().match(/is no longer this worker's/g)?.length, 1);
    assert.equal(a.exitCode, null, "the resumed worker goes on working");

    // And it does go on working: a new job is run by one of the two.
    const next = await h.enqueue({ command: "echo again" });
    await h.waitState(next, "completed", 20_000);
  } finally {
    if (!continued) a.kill("SIGCONT");
    for (const line of lines(runs)) {
      const pgid = Number(line.split(" ")[2]);
      if (line.startsWith("start ") && groupAlive(pgid)) {
        try {
          process.kill(-pgid, "SIGKILL");
        } catch {
          /* gone meanwhile */
        }
      }
    }
  }
}

const engines: [string, MakeEnv, string | false][] = [
  ["sqlite", sqliteEnv, false],
  ["postgres", () => pgEnv(), pgSkip ?? false],
];

for (const [engine, makeEnv, skip] of engines) {
  describe(`faults (${engine}): a worker paused past its lease`, { skip: linuxOnly || skip }, () => {
    it(
      "is fenced when it resumes: its command killed within a heartbeat, attempt 1 stays lost, one completion",
      {
        timeout: 90_000,
      },
      () => withHarness(makeEnv, pausedWorkerScenario),
    );
  });
}
