import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cli from "../../src/cli/format.js";
import { bytes, duration, percent, relative, timeout } from "../../src/core/format.js";

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

/** Each case as [input, expected], so a failure names the input that printed wrong. */
function table<T>(format: (value: T) => string, cases: [T, string][]): void {
  for (const [input, expected] of cases) assert.equal(format(input), expected, `input ${String(input)}`);
}

describe("duration", () => {
  test("below a second: whole milliseconds, rounded", () => {
    table(duration, [
      [0, "0 ms"],
      [0.4, "0 ms"],
      [12.5, "13 ms"],
      [999, "999 ms"],
      [999.4, "999 ms"],
    ]);
  });

  test("a millisecond count that rounds to 1000 carries to seconds", () => {
    table(duration, [
      [999.5, "1.00 s"],
      [999.9, "1.00 s"],
    ]);
  });

  test("below 10 s: two decimals, carrying into the one-decimal range", () => {
    table(duration, [
      [1000, "1.00 s"],
      [1505, "1.51 s"],
      [9994, "9.99 s"],
      [9995, "10.0 s"],
      [9999, "10.0 s"],
    ]);
  });

  test("below a minute: one decimal; 59,999 ms carries to a minute", () => {
    table(duration, [
      [10 * S, "10.0 s"],
      [59_500, "59.5 s"],
      [59_949, "59.9 s"],
      [59_950, "1 min 0 s"],
      [59_999, "1 min 0 s"],
    ]);
  });

  test("below an hour: minutes and whole seconds; 119.6 s carries to 2 min", () => {
    table(duration, [
      [MIN, "1 min 0 s"],
      [119_400, "1 min 59 s"],
      [119_600, "2 min 0 s"],
      [59 * MIN + 59_400, "59 min 59 s"],
      [59 * MIN + 59_500, "1 h 0 min"],
    ]);
  });

  test("an hour and more: hours and whole minutes, carrying", () => {
    table(duration, [
      [H, "1 h 0 min"],
      [2 * H, "2 h 0 min"],
      [H + 29 * S, "1 h 0 min"],
      [H + 59 * MIN + 30 * S, "2 h 0 min"],
      [26 * H + 5 * MIN, "26 h 5 min"],
    ]);
  });

  test("nothing to show (null, undefined, NaN, infinite) prints the placeholder; negatives count as 0", () => {
    const none: (number | null | undefined)[] = [null, undefined, NaN, Infinity, -Infinity];
    for (const ms of none) assert.equal(duration(ms), "—", `input ${String(ms)}`);
    assert.equal(duration(null, "-"), "-");
    table(duration, [
      [-1, "0 ms"],
      [-5 * S, "0 ms"],
    ]);
  });
});

describe("bytes", () => {
  test("below 1 KiB: whole bytes", () => {
    table(bytes, [
      [0, "0 B"],
      [1, "1 B"],
      [1023, "1023 B"],
      [1023.4, "1023 B"],
    ]);
  });

  test("KiB, MiB, GiB with one decimal, carrying at 1024", () => {
    table(bytes, [
      [1023.5, "1.0 KiB"],
      [KIB, "1.0 KiB"],
      [1536, "1.5 KiB"],
      [1023.5 * KIB, "1023.5 KiB"],
      [1_048_575, "1.0 MiB"],
      [MIB, "1.0 MiB"],
      [GIB - 1, "1.0 GiB"],
      [5 * GIB, "5.0 GiB"],
      [1500 * GIB, "1500.0 GiB"],
    ]);
  });

  test("nothing to show prints the placeholder; negatives count as 0", () => {
    for (const n of [null, undefined, NaN, -Infinity]) assert.equal(bytes(n), "—", `input ${String(n)}`);
    assert.equal(bytes(-3), "0 B");
  });
});

describe("relative", () => {
  const now = Date.parse("2026-01-31T12:00:00Z");
  const at = (delta: number) => relative(now + delta, now);

  test("within half a second either way is now", () => {
    table(at, [
      [0, "now"],
      [499, "now"],
      [-499, "now"],
    ]);
  });

  test("past and future in the largest unit, rounded", () => {
    table(at, [
      [3 * S, "in 3 s"],
      [-3 * S, "3 s ago"],
      [-90 * S, "2 min ago"],
      [-5 * H, "5 h ago"],
      [2 * 24 * H, "in 2 d"],
    ]);
  });

  test("a count that rounds up to the next unit carries", () => {
    table(at, [
      [-59_600, "1 min ago"],
      [-(59 * MIN + 40 * S), "1 h ago"],
      [23 * H + 40 * MIN, "in 1 d"],
    ]);
  });

  test("an unknown time prints the placeholder", () => {
    assert.equal(relative(null, now), "—");
    assert.equal(relative(NaN, now, "-"), "-");
  });
});

test("rates: one decimal, half up; whole only at exactly 0 and 1", () => {
  table(percent, [
    [0, "0%"],
    [1, "100%"],
    [2 / 3, "66.7%"],
    [0.87549, "87.5%"],
    [0.8756, "87.6%"],
    [0.9999, "100.0%"],
    [0.0001, "0.0%"],
    [null, "—"],
  ]);
  assert.equal(percent(null, "-"), "-");
});

test("a job's timeout: seconds as given, 0 is none, unset is the setting", () => {
  table(timeout, [
    [600, "600 s"],
    [7.5, "7.5 s"],
    [0, "none"],
    [null, "job-timeout setting"],
  ]);
});

describe("the CLI prints what the dashboard prints", () => {
  test("durations, with the CLI's placeholder", () => {
    for (const ms of [0, 999.5, 59_999, 119_600, 2 * H, 2 * H + 30 * MIN]) assert.equal(cli.duration(ms), duration(ms));
    assert.equal(cli.duration(2 * H), "2 h 0 min");
    assert.equal(cli.duration(null), "-");
  });

  test("sizes and relative times", () => {
    const now = Date.now();
    for (const n of [0, 1_048_575, 5 * GIB]) assert.equal(cli.bytes(n), bytes(n));
    for (const delta of [0, -90 * S, 3 * S, -(59 * MIN + 40 * S)]) {
      assert.equal(cli.relative(now + delta, now), relative(now + delta, now));
    }
  });
});
