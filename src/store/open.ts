import { isPostgresUrl, storeLocation } from "../core/paths.js";
import type { Store } from "../core/store.js";

export interface OpenStoreOptions {
  /** A file path (SQLite) or a postgres:// URL. Default: $QUEUECTL_DB or the home's SQLite file. */
  db?: string;
}

/** Opens the store a location names and brings its schema up to date. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const location = storeLocation(options.db);
  let store: Store;
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import("./postgres/postgres-store.js");
    store = await PostgresStore.connect(location);
  } else {
    const { SqliteStore } = await import("./sqlite/sqlite-store.js");
    store = SqliteStore.open(location);
  }
  await store.migrate();
  return store;
}
