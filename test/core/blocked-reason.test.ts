// The words a blocked job's reason uses, in lists and in `job show` alike (core/dependencies.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { blockedReason, type Blocker } from "../../src/core/dependencies.js";

const job = (waiting_on: number, after: string[], state: "pending" | "failed" = "pending") => ({
  state,
  waiting_on,
  after,
});
const deps = (...pairs: [string, Blocker["state"]][]): Blocker[] => pairs.map(([id, state]) => ({ id, state }));

test("a job that is not blocked has no reason", () => {
  assert.equal(blockedReason(job(0, ["a"])), null);
  assert.equal(blockedReason(job(1, ["a"], "failed")), null);
});

test("without its dependencies known, the reason counts them", () => {
  assert.equal(blockedReason(job(1, ["a"])), "waiting for 1 job");
  assert.equal(blockedReason(job(2, ["a", "b"])), "waiting for 2 jobs");
  assert.equal(blockedReason(job(1, ["a", "b", "c"])), "waiting for 1 of 3 jobs");
});

test("with them, it names the first few it waits for; completed ones are not named", () => {
  assert.equal(
    blockedReason(
      job(2, ["build-1", "lint-7", "test-3"]),
      deps(["build-1", "completed"], ["lint-7", "pending"], ["test-3", "processing"]),
    ),
    "waiting for 2 of 3 jobs (lint-7, test-3)",
  );
  assert.equal(blockedReason(job(1, ["a"]), deps(["a", "pending"])), "waiting for 1 job (a)");
  assert.equal(
    blockedReason(job(5, ["a", "b", "c", "d", "e"]), deps(["a", "pending"], ["b", "pending"], ["c", "pending"])),
    "waiting for 5 jobs (a, b, c, …)",
    "at most three ids; the rest are counted",
  );
});

test("a dead, cancelled or failed dependency is named, the worst first", () => {
  const all = deps(["a", "pending"], ["b", "failed"], ["c", "cancelled"], ["d", "dead"]);
  assert.equal(blockedReason(job(4, ["a", "b", "c", "d"]), all), "dependency d is dead");
  assert.equal(blockedReason(job(3, ["a", "b", "c"]), all.slice(0, 3)), "dependency c was cancelled");
  assert.equal(blockedReason(job(2, ["a", "b"]), all.slice(0, 2)), "dependency b failed, retrying");
});

test("a dependency that completed once and was run again is not named, whatever its state now", () => {
  const links: Blocker[] = [
    { id: "a", state: "dead", satisfied: true },
    { id: "b", state: "pending", satisfied: true },
    { id: "x", state: "pending", satisfied: false },
  ];
  assert.equal(blockedReason(job(1, ["a", "b", "x"]), links), "waiting for 1 of 3 jobs (x)");
});
