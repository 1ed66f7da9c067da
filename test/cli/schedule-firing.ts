// A schedule firing every second, served by 3 worker processes (each with its own host name): every
// slot between the first and the last seen makes exactly one job. Asserts on slots, never durations.
import assert from "node:assert/strict";
import { startCli, stopProcess } from "../helpers/cli.js";
import { waitFor } from "../helpers/env.js";
import type { Harness, JobJson } from "./harness.js";

const SLOTS = 10;

export async function everySecondByThreeWorkers(h: Harness, hosts: string[]): Promise<void> {
  await h.ok(["schedule", "add", "tick", "--cron", "* * * * * *", "--", "true"]);
  const workers = hosts.map((host) => {
    const w = startCli(["worker", "start", "--count", "2"], { ...h.env, QUEUECTL_HOSTNAME: host });
    h.workers.push(w);
    return w;
  });
  const slotsSeen = async (): Promise<JobJson[]> => {
    const jobs = await h.json<(JobJson & { schedule: string | null })[]>(["list", "--limit", "1000"]);
    return jobs.filter((job) => job.schedule === "tick");
  };
  await waitFor(`${SLOTS + 1} slots fired`, async () => (await slotsSeen()).length > SLOTS, {
    timeoutMs: 60_000,
    intervalMs: 500,
  });
  await Promise.all(workers.map((w) => stopProcess(w, "SIGTERM", 20_000)));

  const jobs = await slotsSeen();
  const slots = jobs.map((job) => Date.parse(job.run_at)).sort((a, b) => a - b);
  assert.equal(new Set(slots).size, slots.length, `one job per slot: ${JSON.stringify(slots)}`);
  assert.ok(
    slots.every((slot) => slot % 1000 === 0),
    "each job's run_at is its slot (a whole second)",
  );
  const first = slots[0] as number;
  const last = slots.at(-1) as number;
  const missing = [];
  for (let slot = first; slot <= last; slot += 1000) if (!slots.includes(slot)) missing.push(slot);
  assert.deepEqual(missing, [], "no slot missed between the first and the last");
  assert.ok(slots.length > SLOTS);
  const shown = await h.json<{ last_run: { job_id: string } | null }>(["schedule", "show", "tick"]);
  assert.ok(shown.last_run && jobs.some((job) => job.id === shown.last_run?.job_id), "show names the last job");
}
