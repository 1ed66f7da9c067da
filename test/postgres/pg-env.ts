import type { CliEnv } from "../cli/harness.js";
import { PG_URL, tempHome } from "../helpers/env.js";
import { dropSchema, uniqueSchema } from "../helpers/pg.js";

/**
 * A fresh PostgreSQL queue per test: its own schema in the shared test database (dropped in
 * cleanup), and its own QUEUECTL_HOME for logs. `url` selects another database.
 */
export function pgEnv(url = PG_URL): CliEnv & { schema: string } {
  const t = tempHome("queuectl-pg-");
  const schema = uniqueSchema();
  return {
    home: t.home,
    schema,
    env: { QUEUECTL_HOME: t.home, QUEUECTL_DB: url, QUEUECTL_SCHEMA: schema },
    cleanup: async () => {
      t.cleanup();
      await dropSchema(schema, url);
    },
  };
}
