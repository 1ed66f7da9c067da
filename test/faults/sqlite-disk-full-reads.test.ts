// Reading a SQLite store whose disk is full: opening the store, counting and listing must not
// write, so `status`, `list` and the dashboard keep answering while the disk has no room at all
// (only writes fail, and they say why). Needs root on Linux (a real tmpfs); never skipped under CI.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { withHarness } from "../cli/harness.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { newJob } from "../store/contract/harness.js";
import { fillDisk, rootLinuxSkipReason, tmpfsEnv } from "./sqlite-fault-env.js";

/** Enough opens that any one that writes a page would need new room in the WAL. */
const OPENS = 40;

test("sqlite: a full disk still answers every read, from the library and the CLI", { timeout: 60_000 }, async (t) => {
  const skip = rootLinuxSkipReason();
  if (skip) return t.skip(skip);
  await withHarness(
    () => tmpfsEnv(8),
    async (h) => {
      const path = join(h.home, "queuectl.db");
      // A connection held open for the whole test, as a running worker holds one: the WAL is then
      // never checkpointed away by a closing reader, so a write by any open would have to grow it.
      const worker = SqliteStore.open(path);
      try {
        await worker.migrate();
        await worker.insertJobs([newJob("a", Date.now()), newJob("b", Date.now())]);
        fillDisk(h.path("filler"));

        for (let i = 0; i < OPENS; i++) {
          const store = SqliteStore.open(path);
          try {
            await store.migrate();
            assert.equal((await store.countJobs()).pending, 2, `open ${i + 1}: both jobs counted`);
          } finally {
            await store.close();
          }
        }

        const status = await h.cli(["status", "--json"]);
        assert.equal(status.code, 0, `status on a full disk: ${status.stderr}`);
        assert.equal(JSON.parse(status.stdout).counts.pending, 2);
        const list = await h.cli(["list", "--json"]);
        assert.equal(list.code, 0, `list on a full disk: ${list.stderr}`);
        assert.deepEqual(
          JSON.parse(list.stdout)
            .map((j: { id: string }) => j.id)
            .sort(),
          ["a", "b"],
        );

        // A write still fails, with the disk's reason in one line and no stack trace.
        const add = await h.cli(["enqueue", JSON.stringify({ id: "c", command: "true" })]);
        assert.equal(add.code, 1, `enqueue on a full disk exits 1: ${add.stdout}${add.stderr}`);
        assert.match(add.stderr, /^queuectl: .*disk is full/);
        assert.equal(add.stderr.trim().split("\n").length, 1, add.stderr);
      } finally {
        await worker.close();
      }
    },
  );
});
