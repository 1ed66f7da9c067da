import { describe, it } from "node:test";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { PG_URL } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { storeContract, type StoreHandle } from "./contract.js";
import { shapeCases } from "./contract-shape.js";

const skip = await pgSkipReason();

if (skip) {
  describe("Store contract: postgres", () => {
    it("needs PostgreSQL", { skip }, () => {});
  });
} else {
  /** Every case gets its own schema in the shared test database, dropped afterwards. */
  const makeStore = async (): Promise<StoreHandle> => {
    const schema = uniqueSchema();
    const env = { ...process.env, QUEUECTL_SCHEMA: schema };
    const store = await PostgresStore.connect(PG_URL, env);
    await store.migrate();
    return {
      store,
      reopen: () => PostgresStore.connect(PG_URL, env),
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  };
  storeContract("postgres", makeStore);
  shapeCases("postgres", makeStore);
}
