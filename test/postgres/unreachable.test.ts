// A CLI command against a PostgreSQL that is down, unreachable or missing fails with one line on
// stderr (no stack trace, no password) and exit 1. Needs no running server.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { tempHome } from "../helpers/env.js";
import { pgSkipReason } from "../helpers/pg.js";

function assertOneLine(
  r: { code: number | null; stderr: string; stdout: string },
  pattern: RegExp,
  what: string,
): void {
  assert.equal(r.code, 1, `${what}: exit code; stderr: ${r.stderr}`);
  const stderr = r.stderr.trim();
  assert.equal(stderr.split("\n").length, 1, `${what}: one line, got:\n${stderr}`);
  assert.match(stderr, pattern, what);
  assert.doesNotMatch(stderr, /\bat .*\.js:\d+/, `${what}: no stack trace`);
}

describe("postgres: unreachable database", () => {
  const home = tempHome("queuectl-pg-down-");
  const env = { QUEUECTL_HOME: home.home, QUEUECTL_SCHEMA: "queuectl" };

  it("every kind of command fails fast with a one-line message and exit 1", { timeout: 60_000 }, async () => {
    const down = "postgres://127.0.0.1:1/test";
    for (const args of [
      ["status", "--json"],
      ["enqueue", '{"command":"true"}'],
      ["list"],
      ["worker", "list", "--json"],
      ["config", "set", "max-retries", "2"],
      ["worker", "start", "--count", "1"],
    ]) {
      const started = Date.now();
      const r = await runCli([...args, "--db", down], env);
      assertOneLine(r, /cannot reach PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/test/, args.join(" "));
      assert.ok(Date.now() - started < 15_000, `${args.join(" ")} gave up in time`);
    }
  });

  it("QUEUECTL_DB works too, and the password never appears", async () => {
    const r = await runCli(["status"], { ...env, QUEUECTL_DB: "postgres://alice:s3cret-pw@127.0.0.1:1/test" });
    assertOneLine(r, /cannot reach PostgreSQL at postgres:\/\/alice@127\.0\.0\.1:1\/test/, "status");
    assert.doesNotMatch(r.stderr, /s3cret-pw/);
  });

  it("a database that does not exist is reported the same way", async (t) => {
    const skip = await pgSkipReason();
    if (skip) return t.skip(skip);
    const r = await runCli(["status"], { ...env, QUEUECTL_DB: "postgres://127.0.0.1:5432/qctl_no_such_database" });
    assertOneLine(r, /cannot reach PostgreSQL at .*qctl_no_such_database.*does not exist/, "status");
  });

  it("cleans up", () => home.cleanup());
});
