/** CLI scenarios: `list --state blocked` and what each blocked job waits for, in tables and JSON. */
import assert from "node:assert/strict";
import type { JobJson } from "../../../src/core/json.js";
import { assertError } from "../harness.js";
import { scenario, type Scenario } from "../scenarios/scenario.js";

export const blockedListScenarios: Scenario[] = [
  scenario(
    "jobs",
    "list --state blocked: only jobs waiting for dependencies, each naming the first it waits for",
    async (h) => {
      for (const id of ["root", "lint-7"]) await h.ok(["add", "--id", id, "--delay", "1h", "--", "true"]);
      await h.ok(["add", "--id", "ready", "--", "true"]);
      await h.ok(["add", "--id", "deploy", "--after", "root,lint-7", "--", "./deploy.sh"]);
      await h.ok(["add", "--id", "many", "--after", "root,lint-7,ready,deploy", "--", "true"]);

      const blocked = await h.json<JobJson[]>(["list", "--state", "blocked"]);
      assert.deepEqual(
        blocked.map((job) => [job.id, job.state, job.blocked, job.blocked_reason]),
        [
          ["many", "pending", true, "waiting for 4 jobs (deploy, lint-7, ready, …)"],
          ["deploy", "pending", true, "waiting for 2 jobs (lint-7, root)"],
        ],
      );
      const pending = await h.json<JobJson[]>(["list", "--state", "pending"]);
      assert.deepEqual(
        pending.map((job) => job.id),
        ["many", "deploy", "ready", "lint-7", "root"],
        "pending still lists every pending job, the blocked ones included",
      );

      const table = await h.ok(["list", "--state", "blocked"]);
      const [head, ...rows] = table.trimEnd().split("\n");
      assert.match(head ?? "", /^id\s+queue\s+state\s+pri\s+tries\s+updated\s+command\s+blocked$/, table);
      assert.match(
        rows[1] ?? "",
        /^deploy\s+default\s+pending \(blocked\)\s.*\.\/deploy\.sh\s+waiting for 2 jobs \(lint-7, root\)$/,
      );
      assert.equal(rows.length, 2, table);
      const unblocked = await h.ok(["list", "--search", "ready"]);
      assert.doesNotMatch(unblocked.split("\n")[0] ?? "", /blocked/, "no blocked column without a blocked job");

      const cut = await h.cli(["list", "--state", "blocked", "--limit", "1"]);
      assert.equal(cut.code, 0);
      assert.equal(cut.stderr.trim(), "showing 1; --all or --limit N for more");
      assertError(
        await h.cli(["list", "--state", "waiting"]),
        2,
        /argument 'waiting' is invalid\. Allowed choices are .*, blocked\./,
        "an unknown state",
      );
    },
    // About 10 CLI runs, each a Node start: generous for a loaded 2-core machine.
    120_000,
  ),
];
