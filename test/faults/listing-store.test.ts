/**
 * The listing operations of both engines under the two faults of findings 8 and 9: a batch sharing
 * one updated_at paged through by cursor (nothing skipped, nothing twice), and commands far longer
 * than a list shows (cut in SQL by characters, marked; getJob keeps them whole).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LIST_COMMAND_CHARS, type ChangeCursor } from "../../src/core/listing.js";
import type { NewJob } from "../../src/core/types.js";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/core/store.js";
import { PG_URL, tempHome } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";

const job = (id: string, at: number, command = `echo ${id}`): NewJob => ({
  id,
  command,
  priority: 5,
  max_retries: 0,
  timeout: null,
  run_at: at,
  created_at: at,
});

type Open = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const engines: [string, Open, () => Promise<string | null>][] = [
  [
    "sqlite",
    async () => {
      const home = tempHome("queuectl-listing-");
      const store = SqliteStore.open(home.db);
      await store.migrate();
      return { store, cleanup: async () => (await store.close(), home.cleanup()) };
    },
    async () => null,
  ],
  [
    "postgres",
    async () => {
      const schema = uniqueSchema();
      const store = await PostgresStore.connect(PG_URL, { ...process.env, QUEUECTL_SCHEMA: schema });
      await store.migrate();
      return { store, cleanup: async () => (await store.close(), await dropSchema(schema)) };
    },
    () => pgSkipReason(),
  ],
];

for (const [engine, open, skipReason] of engines) {
  describe(`listing operations: ${engine}`, () => {
    it("pages a batch stamped with one time by (updated_at, seq): every job once", async (t) => {
      const skip = await skipReason();
      if (skip) return t.skip(skip);
      const { store, cleanup } = await open();
      try {
        const at = Date.now();
        await store.insertJobs(Array.from({ length: 250 }, (_, i) => job(`same-${i}`, at)));
        const seen: string[] = [];
        let cursor: ChangeCursor = { updated_at: at - 1, seq: -1 };
        for (let page = 0; page < 10; page++) {
          const rows = await store.jobsUpdatedSince(cursor, 100);
          seen.push(...rows.map((row) => row.id));
          const last = rows.at(-1);
          if (!last) break;
          cursor = { updated_at: last.updated_at, seq: last.seq };
        }
        assert.equal(seen.length, 250);
        assert.equal(new Set(seen).size, 250);
        // A bare time still means "strictly after that time".
        assert.deepEqual(await store.jobsUpdatedSince(at, 10), []);
        assert.equal((await store.jobsUpdatedSince(at - 1, 300)).length, 250);
      } finally {
        await cleanup();
      }
    });

    it("cuts long commands in SQL by characters and marks them; getJob keeps them whole", async (t) => {
      const skip = await skipReason();
      if (skip) return t.skip(skip);
      const { store, cleanup } = await open();
      try {
        const at = Date.now();
        // Multi-byte characters: the cut counts characters, and never splits one.
        const long = `echo ${"é✓".repeat(20_000)}`;
        const exact = "x".repeat(LIST_COMMAND_CHARS);
        await store.insertJobs([job("long", at, long), job("exact", at, exact), job("short", at)]);
        const { jobs } = await store.listJobs({ limit: 10 });
        const byId = new Map(jobs.map((j) => [j.id, j]));
        assert.equal(byId.get("long")?.command, long.slice(0, LIST_COMMAND_CHARS));
        assert.equal(byId.get("long")?.command_truncated, true);
        assert.equal(byId.get("exact")?.command, exact);
        assert.equal(byId.get("exact")?.command_truncated, false);
        assert.equal(byId.get("short")?.command_truncated, false);
        // The search still sees the whole command.
        assert.deepEqual(
          (await store.listJobs({ limit: 10, q: "é✓é✓" })).jobs.map((j) => j.id),
          ["long"],
        );
        const changed = await store.jobsUpdatedSince(at - 1, 10);
        assert.equal(changed.find((j) => j.id === "long")?.command_truncated, true);
        assert.equal((await store.getJob("long"))?.command, long);
      } finally {
        await cleanup();
      }
    });
  });
}
