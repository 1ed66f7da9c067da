import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome } from "../helpers/env.js";
import { storeContract, type StoreHandle } from "./contract.js";
import { shapeCases } from "./contract-shape.js";

/** Every case gets its own database file in a temporary directory, removed afterwards. */
async function makeStore(): Promise<StoreHandle> {
  const home = tempHome("queuectl-contract-");
  const store = SqliteStore.open(home.db);
  await store.migrate();
  const opened: SqliteStore[] = [];
  return {
    store,
    reopen: async () => {
      const other = SqliteStore.open(home.db);
      opened.push(other);
      return other;
    },
    cleanup: async () => {
      await store.close();
      // close() is expected to be idempotent; reopened instances are normally closed by the test.
      for (const other of opened) await other.close().catch(() => {});
      home.cleanup();
    },
  };
}

storeContract("sqlite", makeStore);
shapeCases("sqlite", makeStore);
