// A busy SQLite store copies its WAL into the main file on a thread of its own
// (src/store/sqlite/background-checkpoints.ts), so that no claim's commit pays for a checkpoint.
// Shown by the main file: it stays as it was while the store commits less than its checkpoint
// interval, until the store has committed often enough to start the thread; then it grows by
// itself. The thread must not outlive the store: close removes the WAL (the store's connection is
// the last one), and a process that never closes its store still exits.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { test } from "node:test";
import { THREAD_AFTER_COMMITS } from "../../src/store/sqlite/background-checkpoints.js";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempHome, waitFor } from "../helpers/env.js";
import type { NewJob } from "../../src/core/types.js";

const job = (i: number): NewJob => {
  const now = Date.now();
  return { id: `job${i}`, command: "true", priority: 5, max_retries: 0, timeout: null, run_at: now, created_at: now };
};

test("after its first commits a store checkpoints on its own thread, and close ends it", async () => {
  const home = tempHome();
  try {
    const store = SqliteStore.open(home.db);
    await store.migrate(); // on the raw connection: the store's commits are counted from here
    const before = statSync(home.db).size;
    let i = 0;
    // Commits short of the thread: nothing copies the WAL (far below the checkpoint interval).
    for (; i < THREAD_AFTER_COMMITS / 2; i++) await store.insertJobs([job(i)]);
    assert.equal(statSync(home.db).size, before, "the WAL alone holds the writes so far");
    // Enough commits to start the thread: the main file takes the writes without another commit.
    for (; i < 2 * THREAD_AFTER_COMMITS; i++) await store.insertJobs([job(i)]);
    await waitFor("the thread to copy the WAL into the main file", () => statSync(home.db).size > before, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    assert.equal((await store.countJobs()).pending, 2 * THREAD_AFTER_COMMITS);
    await store.close();
    assert.equal(existsSync(`${home.db}-wal`), false, "the store's close was the last: the WAL is removed");
    const reopened = SqliteStore.open(home.db);
    assert.equal((await reopened.countJobs()).pending, 2 * THREAD_AFTER_COMMITS, "nothing lost");
    await reopened.close();
  } finally {
    home.cleanup();
  }
});

test("a process that never closes its busy store still exits by itself", async () => {
  const home = tempHome();
  try {
    const module = new URL("../../src/store/sqlite/sqlite-store.js", import.meta.url).href;
    // Run from --eval with --input-type: a thread given the process's flags failed to start.
    const script = `import { statSync } from "node:fs";
      const { SqliteStore } = await import(${JSON.stringify(module)});
      const store = SqliteStore.open(${JSON.stringify(home.db)});
      await store.migrate();
      const before = statSync(${JSON.stringify(home.db)}).size;
      const now = Date.now();
      for (let i = 0; i < ${2 * THREAD_AFTER_COMMITS}; i++)
        await store.insertJobs([{ id: "j" + i, command: "true", priority: 5, max_retries: 0, timeout: null, run_at: now, created_at: now }]);
      while (statSync(${JSON.stringify(home.db)}).size === before) await new Promise((resolve) => setTimeout(resolve, 50));
      console.log("checkpointed");`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`the process did not exit by itself; output: ${out}`));
      }, 20_000);
      child.once("exit", (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, out);
    assert.match(out, /checkpointed/, "its thread had started and checkpointed");
  } finally {
    home.cleanup();
  }
});
