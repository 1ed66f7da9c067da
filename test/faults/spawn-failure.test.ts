/**
 * Finding 11: a worker spawn that fails must be a one-line error, never a crash. The fault is real:
 * the node binary the process would start workers with cannot be executed (a copy of node made
 * non-executable under the running server: EACCES; a copy deleted before the CLI starts: ENOENT).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertError } from "../cli/harness.js";
import { BIN, type CliResult } from "../helpers/cli.js";
import { alive, tempHome } from "../helpers/env.js";
import { startServerProcess } from "../web/harness.js";

describe("fault: a worker process that cannot be spawned (Linux)", { skip: process.platform !== "linux" }, () => {
  it(
    "POST /api/workers/start answers 503 with the reason and the server keeps serving",
    { timeout: 60_000 },
    async () => {
      const { home, db, cleanup } = tempHome("queuectl-spawn-");
      const node = join(home, "node");
      copyFileSync(process.execPath, node);
      chmodSync(node, 0o755);
      const server = await startServerProcess({ QUEUECTL_HOME: home, QUEUECTL_DB: db }, { node });
      try {
        // The server runs; from now on its binary cannot be executed (not even by root: no x bit).
        chmodSync(node, 0o644);
        const reply = await fetch(`${server.url}/api/workers/start`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ count: 1 }),
        }).catch((error: unknown) => {
          throw new Error(`no answer (${String(error)}); the server's output:\n${server.output()}`);
        });
        const text = await reply.text();
        console.log(`  POST /api/workers/start: ${reply.status} ${text}`);
        assert.equal(reply.status, 503, text);
        const body = JSON.parse(text) as { error: string };
        assert.match(body.error, /EACCES/);
        assert.doesNotMatch(body.error, /\n/, "one line");
        assert.ok(alive(server.pid), `the server died:\n${server.output()}`);
        const status = await fetch(`${server.url}/api/status`);
        assert.equal(status.status, 200);
        assert.doesNotMatch(server.output(), /^\s+at /m, "no stack trace in the server's output");
      } finally {
        await server.stop();
        cleanup();
      }
    },
  );

  it("worker start --detach exits 1 with one line, no stack trace", { timeout: 60_000 }, async () => {
    const { home, db, cleanup } = tempHome("queuectl-spawn-");
    const node = join(home, "node");
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    try {
      // The CLI runs from an open descriptor of a node binary deleted before it starts: its
      // execPath ("…/node (deleted)") no longer exists when it spawns the worker.
      const script = `exec 3<"$1"; rm -f "$1"; shift; exec /proc/self/fd/3 "$@"`;
      const result = await new Promise<CliResult>((resolve, reject) => {
        const child = spawn("/bin/sh", ["-c", script, "sh", node, BIN, "worker", "start", "--detach"], {
          env: { ...process.env, NO_COLOR: "1", QUEUECTL_HOME: home, QUEUECTL_DB: db },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
      console.log(`  worker start --detach: exit ${result.code}; stderr: ${result.stderr.trim()}`);
      assertError(result, 1, /ENOENT/, "worker start --detach");
    } finally {
      cleanup();
    }
  });
});
