/**
 * `npm run bench`: every SQLite benchmark (bench/sqlite.ts), the short shell jobs against
 * task-spooler and xargs (bench/short-jobs.ts; `node dist/bench/run.js short-jobs` runs them
 * alone), named queues (bench/queues.ts), PostgreSQL's if bench/postgres.ts exists (it exports
 * `runPostgresBenches(): Promise<BenchRow[] | null>`, null when no server is reachable), retention
 * (bench/retention.ts: pruning while claiming, both engines) and cron schedules under 3 workers
 * (bench/schedules.ts). The retention soak (bench/soak.ts) runs for many minutes, so only when
 * named: `node dist/bench/run.js soak`.
 * Prints a table per part and writes bench/results/<part>.json.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { printTable, saveResults, type BenchRow } from "./lib.js";
import { runDepsBenches } from "./deps.js";
import { runRetentionBenches } from "./retention.js";
import { runQueueBenches } from "./queues.js";
import { runShortJobBenches } from "./short-jobs.js";
import { runScheduleBenches } from "./schedules.js";
import { printSamples, runSoaks } from "./soak.js";
import { runSqliteBenches } from "./sqlite.js";

const here = fileURLToPath(new URL(".", import.meta.url)); // dist/bench/

const only = process.argv.slice(2); // e.g. `node dist/bench/run.js sqlite`
let failed = 0;

if (only.length === 0 || only.includes("sqlite")) {
  const rows = await runSqliteBenches();
  printTable("queuectl benchmarks — SQLite", rows);
  saveResults("sqlite", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if (only.length === 0 || only.includes("short-jobs")) {
  const rows = await runShortJobBenches();
  printTable("queuectl short jobs against task-spooler and xargs -P", rows);
  saveResults("short-jobs", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if (only.length === 0 || only.includes("queues")) {
  const rows = await runQueueBenches();
  printTable("queuectl named queues on the claim path (SQLite and PostgreSQL)", rows);
  saveResults("queues", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if ((only.length === 0 || only.includes("postgres")) && existsSync(join(here, "postgres.js"))) {
  const spec = "./postgres.js";
  const mod = (await import(spec)) as { runPostgresBenches?: () => Promise<BenchRow[] | null> };
  const rows = mod.runPostgresBenches ? await mod.runPostgresBenches() : null;
  if (rows) {
    printTable("queuectl benchmarks — PostgreSQL", rows);
    saveResults("postgres", rows);
    failed += rows.filter((r) => r.pass === false).length;
  } else {
    console.log("\nPostgreSQL benchmarks skipped: no server reachable");
  }
}

if (only.length === 0 || only.includes("retention")) {
  const rows = await runRetentionBenches();
  printTable("queuectl retention: pruning while claiming, soak", rows);
  saveResults("retention", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if (only.length === 0 || only.includes("deps")) {
  const rows = await runDepsBenches();
  printTable("queuectl dependencies: unblock along a chain (SQLite and PostgreSQL)", rows);
  saveResults("deps", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if (only.length === 0 || only.includes("schedules")) {
  const rows = await runScheduleBenches();
  printTable("queuectl cron schedules: one slot a second, 3 workers", rows);
  saveResults("schedules", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

// The soak runs for many minutes: only when named (`node dist/bench/run.js soak`).
if (only.includes("soak")) {
  for await (const r of runSoaks()) {
    printSamples(r.engine, r.samples);
    printTable(`queuectl retention soak — ${r.engine}`, r.rows);
    saveResults(`soak-${r.engine}`, r.rows, { settings: r.settings, samples: r.samples });
    failed += r.rows.filter((x) => x.pass === false).length;
  }
}

console.log(failed === 0 ? "\nall targets met" : `\n${failed} target(s) missed`);
// A benchmark reports; it does not fail the build.
process.exit(0);
