/** Store contract: reading on in a growing output from an offset (`job output --follow`). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimOne, newJob, output, storeCase, type MakeStore } from "./harness.js";

export function outputFromCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("output read on from an offset", () => {
      it(
        "returns only the bytes written after `from`, counted in bytes the command wrote",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("grow", t)]);
          await claimOne(store, "w1", t);
          const first = Buffer.from("héllo\n"); // 7 bytes: offsets count bytes, not characters
          await store.writeOutput("grow", 1, "w1", "stdout", output(first));
          const bytes = Buffer.concat([first, Buffer.from([0xff, 0x00]), Buffer.from("more\n")]);
          await store.writeOutput("grow", 1, "w1", "stdout", output(bytes));
          const got = await store.getOutput("grow", 1, "stdout", first.length);
          assert.ok(got);
          assert.deepEqual([...got.data], [0xff, 0x00, ...Buffer.from("more\n")]);
          assert.equal(got.total_bytes, bytes.length, "total_bytes is the whole count still");
          assert.equal((await store.getOutput("grow", 1, "stdout", bytes.length))?.data.length, 0, "nothing new");
          assert.deepEqual((await store.getOutput("grow", 1, "stdout", 0))?.data, bytes, "from 0 is everything");
          assert.deepEqual((await store.getOutput("grow", 1, "stdout"))?.data, bytes, "no offset is everything");
          assert.equal((await store.getOutput("grow", 1, "stderr", 5))?.data.length, 0, "no output yet");
          assert.equal(await store.getOutput("grow", 2, "stdout", 0), null, "no such attempt");
        }),
      );

      it(
        "once the middle was cut, the new bytes are the end of the stored tail",
        withStore(async (store) => {
          const t = Date.now();
          await store.insertJobs([newJob("cut", t)]);
          await claimOne(store, "w1", t);
          const snapshot = Buffer.from("HEAD[cut marker]tail-0123456789");
          await store.writeOutput("cut", 1, "w1", "stdout", { data: snapshot, total_bytes: 1000, truncated: true });
          const got = await store.getOutput("cut", 1, "stdout", 990);
          assert.equal(got?.data.toString(), "0123456789");
          assert.equal(got?.truncated, true);
          // More new bytes than the stored data holds: all the stored data, the caller says what is missing.
          assert.deepEqual((await store.getOutput("cut", 1, "stdout", 10))?.data, snapshot);
          // A small cut: the marker makes the stored data longer than what was written. From 0 is still all of it.
          const long = Buffer.from("HEAD[a cut marker longer than the cut]TAIL");
          await store.writeOutput("cut", 1, "w1", "stdout", { data: long, total_bytes: 20, truncated: true });
          assert.deepEqual((await store.getOutput("cut", 1, "stdout", 0))?.data, long);
          assert.equal((await store.getOutput("cut", 1, "stdout", 18))?.data.toString(), "IL");
        }),
      );
    });
  });
}
