/** Store contract: Worker rows: register, list, stop, deregister. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LEASE, newJob, type MakeStore, storeCase } from "./harness.js";

export function workersCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("workers", () => {
      it(
        "registers, lists with running job ids, asks to stop, and deregisters",
        withStore(async (store) => {
          const t = Date.now();
          assert.deepEqual(await store.listWorkers(), []);
          await store.registerWorker({ id: "w-a", host: "host-a", pid: 101, slots: 4, started_at: t });
          await store.registerWorker({ id: "w-b", host: "host-b", pid: 202, slots: 2, started_at: t + 1 });
          await store.insertJobs(["j1", "j2", "j3"].map((id) => newJob(id, t)));
          await store.claimJobs("w-a", 2, t, LEASE);
          const workers = await store.listWorkers();
          const a = workers.find((w) => w.id === "w-a");
          const b = workers.find((w) => w.id === "w-b");
          assert.deepEqual(
            { ...a, running: [...(a?.running ?? [])].sort() },
            {
              id: "w-a",
              host: "host-a",
              pid: 101,
              slots: 4,
              started_at: t,
              heartbeat_at: t,
              stop_requested: null,
              running: ["j1", "j2"],
              queues: null,
            },
          );
          assert.deepEqual(b?.running, []);
          assert.equal(b?.host, "host-b");

          assert.equal(await store.requestStop("drain", "w-b"), 1);
          assert.equal(await store.requestStop("drain", "no-such-worker"), 0);
          assert.equal((await store.listWorkers()).find((w) => w.id === "w-b")?.stop_requested, "drain");
          assert.equal((await store.listWorkers()).find((w) => w.id === "w-a")?.stop_requested, null);
          assert.equal(await store.requestStop("drain"), 2);
          assert.ok((await store.listWorkers()).every((w) => w.stop_requested === "drain"));

          await store.deregisterWorker("w-b");
          assert.deepEqual(
            (await store.listWorkers()).map((w) => w.id),
            ["w-a"],
          );
          await store.deregisterWorker("w-b"); // unknown: no error
        }),
      );
    });
  });
}
