import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { soakRows, type SoakSample, type SoakSettings } from "../../bench/soak.js";

const settings: SoakSettings = { jobs: 0, retention: "2m", outputRetention: "1m", sampleMs: 10_000, maxMs: 3_600_000 };

/** A sample every 10 s for `seconds`, `rate(s)` jobs/s, `stored(s)` jobs rows of 1 kB each. */
function run(seconds: number, rate: (s: number) => number, stored: (s: number) => number): SoakSample[] {
  const samples: SoakSample[] = [];
  let done = 0;
  for (let s = 0; s <= seconds; s += 10) {
    if (s > 0) done += rate(s) * 10;
    const jobs = stored(s);
    const base = { pruned: 0, pruneSeconds: 0, outputSeconds: 0, reclaimSeconds: 0, load: 1, vacuums: null };
    samples.push({ s, done, rate: rate(s), bytes: jobs * 1024, file: null, wal: null, jobs, attempts: jobs, ...base });
  }
  return samples;
}

const figure = (rows: ReturnType<typeof soakRows>, words: string) => {
  const found = rows.find((r) => r.figure.includes(words));
  assert.ok(found, `no figure with "${words}" in ${rows.map((r) => r.figure).join("; ")}`);
  return found;
};

describe("the soak's figures from its samples", () => {
  test("a store that stays level at a steady rate meets every target", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        900,
        () => 1000,
        (s) => 1000 * Math.min(s, 180),
      ),
      true,
    );
    assert.equal(figure(rows, "size on disk").value, 1);
    assert.equal(figure(rows, "rows in jobs").pass, true);
    assert.equal(figure(rows, "while pruning").value, 1);
    assert.equal(figure(rows, "while pruning").pass, true);
    assert.equal(figure(rows, "last quarter / first quarter").value, 1);
  });

  test("rows that keep growing after the first window miss the bound", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        900,
        () => 1000,
        (s) => 1000 * s,
      ),
      true,
    );
    const bound = figure(rows, "rows in jobs");
    assert.equal(bound.pass, false);
    assert.ok(bound.value > 3, `ratio ${bound.value}`);
  });

  test("a rate that halves while pruning misses the throughput target", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        780,
        (s) => (s <= 480 ? 1000 : 500),
        () => 100_000,
      ),
      true,
    );
    // From the first full window (180 s) on: 180–480 s at 1000 jobs/s, 480–780 s at 500.
    const ratio = figure(rows, "while pruning");
    assert.equal(ratio.value, 0.5);
    assert.equal(ratio.pass, false);
  });

  test("a slower rate once pruning starts, level after, is flat: the cost of pruning is shown apart", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        800,
        (s) => (s <= 180 ? 1000 : 600),
        () => 100_000,
      ),
      true,
    );
    assert.equal(figure(rows, "while pruning").value, 1);
    assert.equal(figure(rows, "while pruning").pass, true);
    const beforePruning = figure(rows, "last quarter / first quarter");
    assert.equal(beforePruning.value, 0.625); // 600 against (180 s at 1000 + 20 s at 600) / 200 s
    assert.equal(beforePruning.pass, null, "information, no target");
  });

  test("a run too short for a first full window and a last period apart is not judged on size", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        290,
        () => 1000,
        (s) => 1000 * s,
      ),
      true,
    );
    assert.equal(figure(rows, "not judged").pass, null);
    assert.equal(
      rows.find((r) => r.figure.includes("rows in jobs")),
      undefined,
    );
  });

  test("a run stopped before all its jobs ran says so", () => {
    const rows = soakRows(
      "sqlite",
      settings,
      run(
        900,
        () => 1000,
        () => 1000,
      ),
      false,
    );
    assert.match(figure(rows, "last quarter").detail ?? "", /not all jobs run/);
  });
});
