import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseDuration } from "../../src/core/duration.js";

describe("parseDuration", () => {
  test("a number with a unit: ms, s, m, h, d", () => {
    const cases: [string, number][] = [
      ["250ms", 250],
      ["10s", 10_000],
      ["10m", 600_000],
      ["2h", 7_200_000],
      ["1d", 86_400_000],
      ["1.5h", 5_400_000],
      ["0s", 0],
      [" 10m ", 600_000],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  test("a bare number is seconds", () => {
    assert.equal(parseDuration("30"), 30_000);
    assert.equal(parseDuration("0.5"), 500);
  });

  test("anything else is not a duration", () => {
    for (const text of ["", "m", "10x", "-5s", "10 m", "1e3", "10mm", "1h30", "Infinity", "NaN", ".s", "5."]) {
      assert.equal(parseDuration(text), null, JSON.stringify(text));
    }
  });
});
