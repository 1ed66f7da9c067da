// Which workers count: a worker whose heartbeat is older than a lease is lost, and its slots are no
// capacity. `status`, `status --json` and `worker list` say the same, by the core's one rule.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stopProcess } from "../helpers/cli.js";
import { waitFor } from "../helpers/env.js";
import { withHarness } from "./harness.js";
import { sqliteEnv } from "./sqlite-env.js";

describe("cli [sqlite]: worker health", () => {
  it("a killed worker is lost and its slots are not counted as capacity", { timeout: 60_000 }, () =>
    withHarness(sqliteEnv, async (h) => {
      await h.ok(["config", "set", "lease-seconds", "1"]);
      const worker = h.worker(3);
      await h.waitRegistered(worker.pid!);
      const alive = await h.json<{ health: Record<string, number> }>(["status"]);
      assert.deepEqual(
        [alive.health.live_workers, alive.health.slots, alive.health.busy_slots],
        [1, 3, 0],
        "a live worker's slots are capacity",
      );
      assert.match(await h.ok(["status"]), /workers: 1 alive · slots 0\/3 busy/);

      await stopProcess(worker, "SIGKILL");
      await waitFor(
        "the killed worker to show as lost",
        async () => (await h.json<{ status: string }[]>(["worker", "list"]))[0]?.status === "lost",
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      const status = await h.json<{ health: Record<string, number>; workers: { status: string }[] }>(["status"]);
      assert.deepEqual(
        status.workers.map((w) => w.status),
        ["lost"],
      );
      assert.deepEqual(
        [status.health.live_workers, status.health.lost_workers, status.health.slots, status.health.busy_slots],
        [0, 1, 0, 0],
        "a lost worker's slots are no capacity",
      );
      assert.match(await h.ok(["status"]), /workers: 0 alive, 1 lost · slots 0\/0 busy/);
    }),
  );
});
