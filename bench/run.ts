/**
 * `npm run bench`: every SQLite benchmark of issue 2, the short shell jobs of issue 14 against
 * task-spooler and xargs (bench/short-jobs.ts; `node dist/bench/run.js short-jobs` runs them
 * alone), then PostgreSQL's if bench/postgres.ts exists (it exports `runPostgresBenches(): Promise<BenchRow[] | null>`, null when no server is reachable).
 * Prints a table per engine and writes bench/results/<engine>.json.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { machine, printTable, type BenchRow } from "./lib.js";
import { runShortJobBenches } from "./short-jobs.js";
import { runSqliteBenches } from "./sqlite.js";

const here = fileURLToPath(new URL(".", import.meta.url)); // dist/bench/
const resultsDir = fileURLToPath(new URL("../../bench/results/", import.meta.url));

function save(engine: string, rows: BenchRow[]): void {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${engine}.json`);
  writeFileSync(
    file,
    JSON.stringify({ engine, at: new Date().toISOString(), machine: machine(), rows }, null, 2) + "\n",
  );
  console.log(`(written to ${file})`);
}

const only = process.argv.slice(2); // e.g. `node dist/bench/run.js sqlite`
let failed = 0;

if (only.length === 0 || only.includes("sqlite")) {
  const rows = await runSqliteBenches();
  printTable("queuectl benchmarks — SQLite", rows);
  save("sqlite", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if (only.length === 0 || only.includes("short-jobs")) {
  const rows = await runShortJobBenches();
  printTable("queuectl short jobs against task-spooler and xargs -P", rows);
  save("short-jobs", rows);
  failed += rows.filter((r) => r.pass === false).length;
}

if ((only.length === 0 || only.includes("postgres")) && existsSync(join(here, "postgres.js"))) {
  const spec = "./postgres.js";
  const mod = (await import(spec)) as { runPostgresBenches?: () => Promise<BenchRow[] | null> };
  const rows = mod.runPostgresBenches ? await mod.runPostgresBenches() : null;
  if (rows) {
    printTable("queuectl benchmarks — PostgreSQL", rows);
    save("postgres", rows);
    failed += rows.filter((r) => r.pass === false).length;
  } else {
    console.log("\nPostgreSQL benchmarks skipped: no server reachable");
  }
}

console.log(failed === 0 ? "\nall targets met" : `\n${failed} target(s) missed`);
// A benchmark reports; it does not fail the build.
process.exit(0);
