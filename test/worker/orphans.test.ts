import assert from "node:assert/strict";
import { after, test } from "node:test";
import { runCli, startCli, stopProcess } from "../helpers/cli.js";
import { alive, pidsMatching, tempHome, waitFor } from "../helpers/env.js";

const home = tempHome();
const env = { QUEUECTL_HOME: home.home };
const MARK = `sleep 30.${process.pid}`; // this process's own: the file also runs on the Node path
after(() => {
  for (const pid of pidsMatching(MARK)) process.kill(pid, "SIGKILL");
  home.cleanup();
});

test("a worker killed with -9: a worker on the same host recovers its job at once and kills the leftover command", async () => {
  // Attempt 1 hangs; attempt 2 (after recovery) finishes. The job sees its id and attempt number.
  const command = `if [ "$QUEUECTL_ATTEMPT" = 1 ]; then ${MARK}; fi; echo "attempt $QUEUECTL_ATTEMPT of $QUEUECTL_JOB_ID"`;
  const enqueued = await runCli(["enqueue", JSON.stringify({ id: "orphan", command })], env);
  assert.equal(enqueued.code, 0, enqueued.stderr);

  const first = startCli(["worker", "start"], env);
  let second: ReturnType<typeof startCli> | undefined;
  try {
    await waitFor("attempt 1 to be running", () => pidsMatching(MARK).length > 0);
    first.kill("SIGKILL");
    await waitFor("the killed worker to be gone", () => !alive(first.pid ?? 0));
    // The lease (6 s) has not expired: the dead pid on this host is what triggers recovery.
    second = startCli(["worker", "start"], env);
    await waitFor("the job to complete on the other worker", async () => {
      const shown = await runCli(["job", "show", "orphan", "--json"], env);
      return shown.code === 0 && (JSON.parse(shown.stdout) as { state: string }).state === "completed";
    });
    const output = await runCli(["job", "output", "orphan"], env);
    assert.equal(output.stdout, "attempt 2 of orphan\n");
    const shown = JSON.parse((await runCli(["job", "show", "orphan", "--json"], env)).stdout) as {
      history: { outcome: string; error: string | null }[];
    };
    assert.deepEqual(
      shown.history.map((a) => a.outcome),
      ["lost", "completed"],
    );
    assert.match(shown.history[0]?.error ?? "", /process is gone/);
    await waitFor("no leftover of attempt 1", () => pidsMatching(MARK).length === 0);
  } catch (error) {
    const outputs = `--- first:\n${first.output()}\n--- second:\n${second?.output() ?? ""}`;
    throw new Error(`${(error as Error).message}\n${outputs}`, { cause: error });
  } finally {
    if (second) await stopProcess(second);
    await stopProcess(first, "SIGKILL");
  }
});
