/** Store contract: Output snapshots of a running attempt. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newJob, output, finished, claimOne, type MakeStore, storeCase } from "./harness.js";

export function outputCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("output", () => {
      it(
        "stores binary and invalid UTF-8 bytes exactly, replaced by newer snapshots",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("bin", t)]);
          const claimed = await claimOne(store, "w1", t);
          const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
          assert.equal(await store.writeOutput("bin", 1, "w1", "stdout", output(bytes)), true);
          let got = await store.getOutput("bin", 1, "stdout");
          assert.ok(got && Buffer.isBuffer(got.data), "data is a Buffer");
          assert.deepEqual([...got.data], [0xff, 0xfe, 0x00, 0x41]);
          assert.equal(got.total_bytes, 4);
          assert.equal(got.truncated, false);
          assert.equal((await store.getOutput("bin", 1, "stderr"))?.data.length, 0, "streams are separate");
          const snapshot = Buffer.concat([bytes, Buffer.from("[… 10 bytes cut …]"), Buffer.from([0x80])]);
          await store.writeOutput("bin", 1, "w1", "stdout", {
            data: snapshot,
            total_bytes: 1_000_000,
            truncated: true,
          });
          got = await store.getOutput("bin", 1, "stdout");
          assert.deepEqual(got, { data: snapshot, total_bytes: 1_000_000, truncated: true });
          await store.writeOutput("bin", 1, "w1", "stderr", output(Buffer.from([0xc3, 0x28])));
          assert.deepEqual([...(await store.getOutput("bin", 1, "stderr"))!.data], [0xc3, 0x28]);
          assert.equal((await store.listAttempts("bin"))[0]?.stdout_bytes, 1_000_000);
          // The final result replaces the snapshots.
          await store.finishRuns([
            finished(
              claimed,
              { state: "completed" },
              { stdout: output(Buffer.from([0x00, 0xff])), stderr: output("") },
            ),
          ]);
          assert.deepEqual([...(await store.getOutput("bin", 1, "stdout"))!.data], [0x00, 0xff]);
          assert.equal(await store.getOutput("bin", 2, "stdout"), null, "no such attempt");
          assert.equal(await store.getOutput("nope", 1, "stdout"), null, "no such job");
        }),
      );

      it(
        "refuses output for a run its writer no longer holds",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("fenced", t)]);
          await claimOne(store, "w1", t, 1000);
          assert.equal(
            await store.writeOutput("fenced", 1, "w2", "stdout", output("not mine")),
            false,
            "another worker",
          );
          assert.equal(await store.writeOutput("fenced", 2, "w1", "stdout", output("no such run")), false, "attempt");
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("mine")), true);
          assert.deepEqual(await store.reap({ now: t + 2000, deadWorkerIds: [], staleBefore: 0 }), ["fenced"]);
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("after the reap")), false);
          const retaken = await claimOne(store, "w2", t + 2000);
          assert.equal(await store.writeOutput("fenced", 1, "w1", "stdout", output("over the new run")), false);
          assert.equal(await store.writeOutput("fenced", 2, "w1", "stdout", output("over the new run")), false);
          assert.equal(retaken.attempt, 2);
          assert.equal((await store.getOutput("fenced", 1, "stdout"))?.data.toString(), "mine");
          assert.equal((await store.getOutput("fenced", 2, "stdout"))?.data.length, 0);
          assert.deepEqual(
            (await store.listAttempts("fenced")).map((a) => a.outcome),
            ["lost", "running"],
          );
        }),
      );
    });
  });
}
