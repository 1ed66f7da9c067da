import { describe, it } from "node:test";
import { PostgresStore } from "../../src/store/postgres/postgres-store.js";
import { PG_URL } from "../helpers/env.js";
import { dropSchema, pgSkipReason, uniqueSchema } from "../helpers/pg.js";
import { exercise, type StoreHandle } from "./contract.js";

const skip = await pgSkipReason();

if (skip) {
  describe("Store contract: postgres", () => {
    it("needs PostgreSQL", { skip }, () => {});
  });
} else {
  /** Every case gets its own schema in the shared test database, dropped afterwards. */
  exercise("postgres", async (): Promise<StoreHandle> => {
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
  });
}
