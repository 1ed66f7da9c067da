/**
 * Fresh stores for the benches that watch a store over time (bench/retention.ts, bench/soak.ts):
 * an open Store, what it takes on disk and how many rows it holds, and its removal.
 */
import { statSync } from "node:fs";
import Database from "better-sqlite3";
import type { Store } from "../src/core/store.js";
import { PostgresStore } from "../src/store/postgres/postgres-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { PG_URL } from "../test/helpers/env.js";
import { dropSchema, pgQuery, uniqueSchema } from "../test/helpers/pg.js";
import { sqliteTarget } from "./lib.js";

export interface StoreSize {
  /** Bytes on disk in all: SQLite's file and WAL; PostgreSQL's tables with their indexes and TOAST. */
  bytes: number;
  /** SQLite: the database file and its WAL apart (null on PostgreSQL). */
  file: number | null;
  wal: number | null;
}

export interface BenchStore {
  engine: "sqlite" | "postgres";
  store: Store;
  size: () => Promise<StoreSize>;
  /** Rows in the jobs and attempts tables, counted (not the trigger-kept totals). */
  rows: () => Promise<{ jobs: number; attempts: number }>;
  /**
   * PostgreSQL's vacuums of the store's tables: how many autovacuums ended so far, and the tables
   * being vacuumed now; and the server's checkpoints so far (what a dip in a soak's rate may line
   * up with). null on SQLite.
   */
  vacuums: () => Promise<{ ended: number; now: string[]; checkpoints: number } | null>;
  cleanup: () => Promise<void>;
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function sqliteBenchStore(): Promise<BenchStore> {
  const t = sqliteTarget("queuectl-bench-store-");
  const store = SqliteStore.open(t.db);
  await store.migrate();
  // Counting through a connection of its own, read only: bench-only SQL on the SQLite schema.
  const reader = new Database(t.db, { readonly: true });
  const count = (table: "jobs" | "attempts") =>
    (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    engine: "sqlite",
    store,
    size: async () => {
      const [file, wal] = [fileSize(t.db), fileSize(`${t.db}-wal`)];
      return { bytes: file + wal, file, wal };
    },
    rows: async () => ({ jobs: count("jobs"), attempts: count("attempts") }),
    vacuums: async () => null,
    cleanup: async () => {
      reader.close();
      await store.close();
      t.cleanup();
    },
  };
}

export async function postgresBenchStore(): Promise<BenchStore> {
  const schema = uniqueSchema("qctl_bench_store_");
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const store = await PostgresStore.connect(url.toString());
  await store.migrate();
  const count = async (table: "jobs" | "attempts") => {
    const { rows } = await pgQuery(`SELECT count(*)::bigint AS n FROM "${schema}".${table}`);
    return Number((rows[0] as { n: string }).n);
  };
  return {
    engine: "postgres",
    store,
    size: async () => {
      const { rows } = await pgQuery(
        `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS n FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
        [schema],
      );
      return { bytes: Number((rows[0] as { n: string }).n), file: null, wal: null };
    },
    rows: async () => ({ jobs: await count("jobs"), attempts: await count("attempts") }),
    vacuums: async () => {
      const ended = await pgQuery(
        `SELECT coalesce(sum(autovacuum_count), 0)::int AS n FROM pg_stat_all_tables WHERE schemaname = $1`,
        [schema],
      );
      const now = await pgQuery(
        `SELECT c.relname AS name FROM pg_stat_progress_vacuum p JOIN pg_class c ON c.oid = p.relid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
        [schema],
      );
      // The server's checkpoints (all databases): after each, the first change of every page
      // writes the whole page to the WAL, so commits slow down for a while.
      const checkpoints = await pgQuery(`SELECT (checkpoints_timed + checkpoints_req)::int AS n FROM pg_stat_bgwriter`);
      return {
        ended: (ended.rows[0] as { n: number }).n,
        now: (now.rows as { name: string }[]).map((r) => r.name),
        checkpoints: (checkpoints.rows[0] as { n: number }).n,
      };
    },
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/** Whether the PostgreSQL server of the tests answers. */
export async function postgresReachable(): Promise<boolean> {
  return pgQuery("SELECT 1").then(
    () => true,
    () => false,
  );
}
