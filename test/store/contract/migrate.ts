/** Store contract: Migrating the schema: safe to repeat and to race. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newJob, type MakeStore, storeCase } from "./harness.js";

export function migrateCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("migrate", () => {
      it(
        "is idempotent and safe from two instances at once",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            await Promise.all([store.migrate(), other.migrate(), store.migrate()]);
            await store.insertJobs([newJob("m1", Date.now())]);
            assert.equal((await other.getJob("m1"))?.id, "m1");
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
