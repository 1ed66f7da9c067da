/** Store contract: Settings stored as raw strings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MakeStore, storeCase } from "./harness.js";

export function configCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("settings", () => {
      it(
        "stores raw strings and overwrites them",
        withStore(async (store, handle) => {
          await store.setSetting("max-retries", "7");
          await store.setSetting("backoff-base", "1.5");
          assert.equal((await store.getSettings())["max-retries"], "7");
          await store.setSetting("max-retries", "2");
          const settings = await store.getSettings();
          assert.equal(settings["max-retries"], "2");
          assert.equal(settings["backoff-base"], "1.5");
          const other = await handle.reopen();
          try {
            assert.equal((await other.getSettings())["max-retries"], "2", "shared by every instance");
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
