/** CLI scenarios: named queues: concurrency across worker processes, pause and resume, served queues. */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { assertError, sq, type JobJson } from "../harness.js";
import { scenario, type Scenario } from "./scenario.js";

interface Interval {
  id: string;
  start: bigint;
  end: bigint;
}

/** The start and end lines jobs appended to `file` ("S <ns> <id>" / "E <ns> <id>"), per job. */
function intervals(file: string): Interval[] {
  const byId = new Map<string, Partial<Interval>>();
  for (const line of readFileSync(file, "utf8").trim().split("\n")) {
    const [mark, ns, id] = line.split(" ");
    assert.ok(id && ns, `a line like "S <ns> <id>", got ${JSON.stringify(line)}`);
    const entry = byId.get(id) ?? { id };
    if (mark === "S") entry.start = BigInt(ns);
    else entry.end = BigInt(ns);
    byId.set(id, entry);
  }
  return [...byId.values()].map((i) => {
    assert.ok(i.start !== undefined && i.end !== undefined, `job ${i.id} recorded its start and its end`);
    return i as Interval;
  });
}

const recorded = (file: string, body: string) =>
  `echo "S $(date +%s%N) $QUEUECTL_JOB_ID" >> ${sq(file)}; ${body}; echo "E $(date +%s%N) $QUEUECTL_JOB_ID" >> ${sq(file)}`;

export const queueScenarios: Scenario[] = [
  scenario(
    "queues",
    "concurrency 1 over 3 worker processes × 4 slots: no two jobs of the queue overlap; others run in parallel",
    async (h) => {
      await h.ok(["queue", "set", "serial", "concurrency", "1"]);
      const serialLog = h.path("serial.log");
      const wideDir = h.path("");
      const serial = Array.from({ length: 10 }, (_, i) => ({
        id: `s${i}`,
        queue: "serial",
        command: recorded(serialLog, "sleep 0.1"),
      }));
      // Each wide job waits until 4 wide jobs have started: only jobs running side by side finish.
      const wide = Array.from({ length: 8 }, (_, i) => ({
        id: `w${i}`,
        queue: "wide",
        command: `touch ${sq(wideDir)}/wide-"$QUEUECTL_JOB_ID"; n=0; while [ "$(ls ${sq(wideDir)} | grep -c '^wide-')" -lt 4 ]; do n=$((n+1)); [ $n -gt 600 ] && exit 9; sleep 0.05; done`,
      }));
      const jobs = [...serial, ...wide].map((j) => JSON.stringify(j)).join("\n");
      await h.ok(["enqueue", "--file", "-"], jobs);
      const workers = [h.worker(4), h.worker(4), h.worker(4)];
      await h.waitCounts("18 completed", (c) => c.completed + c.dead + c.failed === 18, 90_000);
      const rows = await h.json<JobJson[]>(["list", "--limit", "100"]);
      assert.deepEqual(
        rows.filter((j) => j.state !== "completed").map((j) => j.id),
        [],
        "every job completed (the wide ones ran side by side)",
      );
      const runs = intervals(serialLog).sort((a, b) => (a.start < b.start ? -1 : 1));
      assert.equal(runs.length, 10);
      for (let i = 1; i < runs.length; i++) {
        const [before, after] = [runs[i - 1] as Interval, runs[i] as Interval];
        assert.ok(after.start > before.end, `${after.id} started before ${before.id} ended`);
      }
      assert.ok(readdirSync(wideDir).filter((f) => f.startsWith("wide-")).length === 8);
      const queues = await h.json<{ name: string; concurrency: number | null; counts: { completed: number } }[]>([
        "queue",
        "list",
      ]);
      assert.deepEqual(
        queues.map((q) => [q.name, q.concurrency, q.counts.completed]),
        [
          ["serial", 1, 10],
          ["wide", null, 8],
        ],
      );
      await h.ok(["worker", "stop"]);
      for (const w of workers) assert.equal(await h.waitExit(w), 0);
    },
    180_000,
  ),

  scenario(
    "queues",
    "pause: no job of the queue starts, running ones finish; resume starts them",
    async (h) => {
      const gate = h.path("gate");
      const running = await h.enqueue({
        queue: "p",
        command: `while [ ! -e ${sq(gate)} ]; do sleep 0.05; done`,
      });
      const w = h.worker(3);
      await h.waitState(running, "processing", 60_000);
      await h.ok(["queue", "pause", "p"]);
      await h.enqueue({ queue: "p", command: "true" });
      await h.enqueue({ queue: "p", command: "true" });
      const inP = async () => {
        const listed = await h.json<{ name: string; paused: boolean; running: number; counts: { pending: number } }[]>([
          "queue",
          "list",
        ]);
        const p = listed.find((q) => q.name === "p");
        return [p?.paused, p?.running, p?.counts.pending];
      };
      // Jobs of another queue, enqueued after, still run: the worker claims, and skips the paused one.
      const other = await h.enqueue({ queue: "other", command: "true" });
      await h.waitState(other, "completed", 60_000);
      assert.deepEqual(await inP(), [true, 1, 2], "the waiting jobs did not start");
      // The running job finishes although its queue is paused.
      writeFileSync(gate, "");
      await h.waitState(running, "completed", 60_000);
      const later = await h.enqueue({ queue: "other", command: "true" });
      await h.waitState(later, "completed", 60_000);
      assert.deepEqual(await inP(), [true, 0, 2], "still paused");
      await h.ok(["queue", "resume", "p"]);
      // wait --queue returns once the queue has drained: every job of it finished, 0 as all completed.
      const drained = await h.cli(["wait", "--queue", "p", "--timeout", "120"]);
      assert.equal(drained.code, 0, drained.stderr);
      const jobs = await h.json<JobJson[]>(["list", "--queue", "p"]);
      assert.deepEqual(
        jobs.map((j) => j.state),
        ["completed", "completed", "completed"],
      );
      await h.ok(["worker", "stop"]);
      assert.equal(await h.waitExit(w), 0);
    },
    300_000,
  ),

  scenario(
    "queues",
    "worker start --queue serves only those queues, shown in worker list",
    async (h) => {
      const w = h.worker(2, ["--queue", "a,b"]);
      const listed = await h.waitRegistered(w.pid!);
      assert.deepEqual(listed.queues, ["a", "b"]);
      const elsewhere = await h.enqueue({ queue: "c", command: "true" });
      const plain = await h.enqueue({ command: "true" });
      const a = await h.enqueue({ queue: "a", command: "true" });
      const b = await h.enqueue({ queue: "b", command: "true" });
      await h.waitState(a, "completed", 60_000);
      await h.waitState(b, "completed", 60_000);
      assert.equal(await h.state(elsewhere), "pending");
      assert.equal(await h.state(plain), "pending");
      const timedOut = await h.cli(["wait", "--queue", "c", "--timeout", "1"]);
      assert.equal(timedOut.code, 124, timedOut.stderr);
      assert.match(timedOut.stderr, new RegExp(elsewhere));
      assert.match(await h.ok(["status"]), /queue c: 1 waiting, 0 running/);
      const inA = await h.json<JobJson[]>(["list", "--queue", "a"]);
      assert.deepEqual(
        inA.map((j) => [j.id, j.queue]),
        [[a, "a"]],
      );
      await h.ok(["worker", "stop"]);
      assert.equal(await h.waitExit(w), 0);
    },
    180_000,
  ),

  scenario(
    "queues",
    "bad queue names and concurrency values: exit 2 naming the field, nothing written",
    async (h) => {
      assertError(
        await h.cli(["queue", "set", "q", "concurrency", "abc"]),
        2,
        /^queuectl: concurrency: /,
        "concurrency",
      );
      assertError(await h.cli(["queue", "set", "q", "concurrency", "0"]), 2, /^queuectl: concurrency: /, "zero");
      assertError(await h.cli(["queue", "pause", "no spaces"]), 2, /^queuectl: queue: /, "name");
      assertError(await h.cli(["queue", "resume", "x".repeat(65)]), 2, /^queuectl: queue: /, "long name");
      assertError(await h.cli(["add", "--queue", "a/b", "--", "true"]), 2, /^queuectl: queue: /, "add --queue");
      assertError(await h.cli(["enqueue", '{"command":"true","queue":""}']), 2, /^queuectl: queue: /, "enqueue");
      assertError(await h.cli(["list", "--queue", "a b"]), 2, /^queuectl: queue: /, "list --queue");
      assertError(await h.cli(["worker", "start", "--queue", "a,,b"]), 2, /^queuectl: queue: /, "worker --queue");
      assert.deepEqual(await h.json(["queue", "list"]), [], "nothing written");
      assert.equal(await h.total(), 0);
      await h.ok(["queue", "set", "q", "concurrency", "none"]);
      const set = await h.json<{ name: string; concurrency: number | null }>(["queue", "set", "q", "concurrency", "4"]);
      assert.deepEqual(set, { name: "q", paused: false, concurrency: 4 });
    },
    180_000,
  ),
];
