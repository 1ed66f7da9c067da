// A store that refuses one run's result for a reason other than being unreachable (here a trigger
// raises an error, as a bug or a broken constraint would). The worker must not hold that result
// forever, nor let it take down the results written beside it: the other jobs are recorded, the
// refused run is given up after a few tries, its lease runs out and the job is recovered and run
// again. Before, the completer retried the whole batch forever and every later result with it.
// Runs on SQLite and, when a server is there, PostgreSQL.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { withHarness, type Harness } from "../cli/harness.js";
import { sqliteEnv } from "../cli/sqlite-env.js";
import { pgQuery, pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "../postgres/pg-env.js";

const pgSkip = await pgSkipReason();
const OTHERS = 20;
const REFUSAL = "finish refused by a test trigger";

/** Refuses to record attempt 1 of job `poison` as completed; every other write goes through. */
type Inject = (h: Harness) => Promise<void>;

const sqliteRefusal: Inject = async (h) => {
  const db = new Database(h.path("queuectl.db"));
  try {
    db.exec(`CREATE TRIGGER refuse_finish BEFORE UPDATE OF outcome ON attempts
      WHEN new.job_id = 'poison' AND new.number = 1 AND new.outcome = 'completed'
      BEGIN SELECT RAISE(ABORT, '${REFUSAL}'); END`);
  } finally {
    db.close();
  }
};

const pgRefusal =
  (schema: string): Inject =>
  async () => {
    await pgQuery(`CREATE FUNCTION ${schema}.refuse_finish() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${REFUSAL}'; END $$`);
    await pgQuery(`CREATE TRIGGER refuse_finish BEFORE UPDATE OF outcome ON ${schema}.attempts FOR EACH ROW
      WHEN (new.job_id = 'poison' AND new.number = 1 AND new.outcome = 'completed')
      EXECUTE FUNCTION ${schema}.refuse_finish()`);
  };

async function refusedFinishScenario(h: Harness, inject: Inject): Promise<void> {
  // Creates the store (and its schema); a short lease so that the given-up run is recovered soon.
  await h.ok(["config", "set", "lease-seconds", "1"]);
  await inject(h);
  await h.enqueue({ id: "poison", command: "echo poisoned", max_retries: 3 });
  const lines = Array.from({ length: OTHERS }, (_, i) => JSON.stringify({ id: `ok-${i}`, command: `echo ok ${i}` }));
  await h.ok(["enqueue", "--file", "-"], `${lines.join("\n")}\n`);
  const worker = h.worker(2);

  const done = (c: { completed: number }) => c.completed === OTHERS + 1;
  let counts;
  try {
    counts = await h.waitCounts("every job to complete, the refused one on a later attempt", done, 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nworker output:\n${worker.output().slice(-3000)}`, { cause: error });
  }
  assert.equal(counts.processing + counts.pending + counts.failed + counts.dead, 0, JSON.stringify(counts));

  const poison = await h.show("poison");
  const outcomes = poison.attempts.map((a) => a.outcome);
  assert.deepEqual(outcomes, ["lost", "completed"], "attempt 1, given up, was recovered as lost; attempt 2 counted");
  for (let i = 0; i < OTHERS; i++) {
    const other = await h.show(`ok-${i}`);
    assert.deepEqual(
      other.attempts.map((a) => a.outcome),
      ["completed"],
      `job ok-${i} ran once and was recorded once`,
    );
  }
  const output = worker.output();
  assert.match(output, new RegExp(REFUSAL), "the worker says why the store refused the result");
  assert.match(output, /gave up recording job poison attempt 1/, "and that it gave up on it");
  assert.equal(worker.exitCode, null, "the worker goes on working");
}

for (const [engine, skip] of [
  ["sqlite", false],
  ["postgres", pgSkip ?? false],
] as const) {
  describe(`faults (${engine}): the store refuses one run's result`, { skip }, () => {
    it(
      "records the others, gives the refused run up, and the job is recovered and completes",
      { timeout: 120_000 },
      () => {
        if (engine === "sqlite") return withHarness(sqliteEnv, (h) => refusedFinishScenario(h, sqliteRefusal));
        const env = pgEnv();
        return withHarness(
          () => env,
          (h) => refusedFinishScenario(h, pgRefusal(env.schema)),
        );
      },
    );
  });
}
