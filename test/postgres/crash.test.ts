// A worker killed with kill -9 in the middle of a job, on a host its peers cannot check: the job
// is recovered once its lease expires and completed by another worker.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { withHarness, ms } from "../cli/harness.js";
import { startCli } from "../helpers/cli.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();

describe("postgres: a worker killed with kill -9", { skip: skip ?? false }, () => {
  it("its job is recovered after the lease and completed by a worker on another host", { timeout: 90_000 }, () =>
    withHarness(pgEnv, async (h) => {
      await h.ok(["config", "set", "lease-seconds", "2"]);
      const start = (host: string) => {
        const w = startCli(["worker", "start", "--count", "1"], { ...h.env, QUEUECTL_HOSTNAME: host });
        h.workers.push(w);
        return w;
      };
      const doomed = start("host-doomed");
      const doomedInfo = await h.waitRegistered(doomed.pid!);
      // The job runs until the test lets it end (after the kill), however slowly the rescuer starts.
      const release = h.path("release");
      const wait = `until [ -e '${release}' ]; do ${h.sleep(0)}; done; echo done`;
      const id = await h.enqueue({ id: "long", command: wait, max_retries: 3 });
      const held = await h.waitState(id, "processing");
      assert.equal(held.job.worker_id, doomedInfo.id);

      const rescuer = start("host-rescuer");
      const rescuerInfo = await h.waitRegistered(rescuer.pid!);
      doomed.kill("SIGKILL");
      const killedAt = Date.now();
      writeFileSync(release, "");

      const done = await h.waitState(id, "completed", 30_000);
      assert.equal(done.attempts.length, 2, JSON.stringify(done.attempts));
      const [first, second] = done.attempts;
      assert.equal(first?.outcome, "lost");
      assert.equal(first?.worker_id, doomedInfo.id);
      assert.equal(second?.outcome, "completed");
      assert.equal(second?.worker_id, rescuerInfo.id);
      // Recovered by the lease (2 s), not instantly and not after the 6 s default.
      const recoveredAfter = ms(second?.started_at) - killedAt;
      assert.ok(recoveredAfter < 8_000, `recovered ${recoveredAfter} ms after the kill`);
      const workers = await h.json<{ id: string }[]>(["worker", "list"]);
      assert.ok(workers.some((w) => w.id === rescuerInfo.id));
      assert.equal((await h.counts()).processing, 0);
    }),
  );
});
