// CLI end-to-end scenarios (input, config, running jobs) on the embedded SQLite store, plus the
// SQLite-only facts: where the store lives and how it is created.
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli } from "../helpers/cli.js";
import { tempHome } from "../helpers/env.js";
import { cliScenarios } from "./scenarios/index.js";
import { sqliteEnv } from "./sqlite-env.js";

cliScenarios("sqlite", sqliteEnv, ["input", "jobs"]);

describe("cli [sqlite]: store location", () => {
  it("creates $QUEUECTL_HOME (0700) and queuectl.db (0600) on first use; QUEUECTL_DB selects another file", async () => {
    const t = tempHome("queuectl-cli-");
    try {
      const home = join(t.home, "fresh", "home");
      const env = { QUEUECTL_HOME: home, QUEUECTL_DB: "" };
      const r = await runCli(["enqueue", '{"command":"true"}'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(home, "queuectl.db")), "the store is $QUEUECTL_HOME/queuectl.db");
      assert.equal(statSync(home).mode & 0o777, 0o700, "home is created 0700");
      assert.equal(statSync(join(home, "queuectl.db")).mode & 0o777, 0o600, "db is created 0600");

      const other = join(t.home, "other.db");
      const r2 = await runCli(["enqueue", '{"id":"elsewhere","command":"true"}'], {
        QUEUECTL_HOME: home,
        QUEUECTL_DB: other,
      });
      assert.equal(r2.code, 0, r2.stderr);
      assert.ok(existsSync(other), "QUEUECTL_DB=<file> is used");
      const inOther = await runCli(["job", "show", "elsewhere", "--json"], { QUEUECTL_HOME: home, QUEUECTL_DB: other });
      assert.equal(inOther.code, 0, inOther.stderr);
      const inHome = await runCli(["job", "show", "elsewhere", "--json"], env);
      assert.equal(inHome.code, 1, "the job went to the other store only");
    } finally {
      t.cleanup();
    }
  });

  it("an unusable store path: exit 1, one line on stderr", async () => {
    const r = await runCli(["status"], { QUEUECTL_DB: "/etc/passwd/queuectl.db" });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /^\s*at /m);
  });

  it("several processes opening a fresh store at once all succeed (migrations are safe)", async () => {
    const t = tempHome("queuectl-cli-");
    try {
      const env = { QUEUECTL_HOME: t.home, QUEUECTL_DB: "" };
      const results = await Promise.all([
        runCli(["status", "--json"], env),
        runCli(["enqueue", '{"command":"true"}'], env),
        runCli(["config", "show", "--json"], env),
        runCli(["list", "--json"], env),
      ]);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const status = await runCli(["status", "--json"], env);
      assert.equal(JSON.parse(status.stdout).counts.pending, 1);
    } finally {
      t.cleanup();
    }
  });
});
