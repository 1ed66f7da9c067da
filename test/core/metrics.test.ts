import assert from "node:assert/strict";
import { test } from "node:test";
import { nearestRank } from "../../src/core/metrics.js";

/** The value at the nearest rank of `fraction` in `sorted`. */
const at = (sorted: number[], fraction: number) => sorted[nearestRank(fraction, sorted.length) - 1];

test("percentiles are nearest rank: a value that occurred, never an interpolation", () => {
  const four = [10, 20, 30, 40];
  assert.equal(at(four, 0.5), 20);
  assert.equal(at(four, 0.95), 40);
  const twentyOne = Array.from({ length: 21 }, (_, i) => (i + 1) * 10);
  assert.equal(at(twentyOne, 0.5), 110);
  assert.equal(at(twentyOne, 0.95), 200);
});

test("the rank is ceil(fraction × count), at least the first and at most the last", () => {
  assert.equal(nearestRank(0.5, 1), 1);
  assert.equal(nearestRank(0.95, 1), 1);
  assert.equal(nearestRank(0, 10), 1);
  assert.equal(nearestRank(1, 10), 10);
  assert.equal(nearestRank(0.95, 100), 95);
  assert.equal(nearestRank(0.95, 101), 96);
  assert.equal(nearestRank(0.5, 1_000_000), 500_000);
});
