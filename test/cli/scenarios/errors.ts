/** CLI scenarios: Bad input and usage errors: one line on stderr, exit 2 (or 1), nothing written. */
import assert from "node:assert/strict";
import { assertError } from "../harness.js";
import { configObject } from "./config.js";
import { scenario, type Scenario } from "./scenario.js";

export const errorScenarios: Scenario[] = [
  scenario(
    "input",
    "bad input: one-line message naming the problem, exit 2/1, nothing written",
    async (h) => {
      await h.enqueue({ id: "dup", command: "true" });
      const before = await h.total();
      assert.equal(before, 1);

      const bad = (args: string[], code: number, pattern: RegExp) => ({ args, code, pattern });
      const job = (o: unknown) => ["enqueue", JSON.stringify(o)];
      const cases = [
        bad(["enqueue", "{bad json"], 2, /json/i),
        bad(["enqueue", '{"command": "true"'], 2, /json/i),
        bad(job({}), 2, /command/),
        bad(job({ command: "" }), 2, /command/),
        bad(job({ command: "   " }), 2, /command/),
        bad(job({ command: 5 }), 2, /command/),
        bad(job({ command: null }), 2, /command/),
        bad(job({ command: "echo a\u0000b" }), 2, /command.*NUL/),
        bad(job([]), 2, /job/i),
        bad(job([{ command: "true" }, { command: "" }]), 2, /command/),
        bad(job([{ command: "true" }, 7]), 2, /object|job/i),
        bad(job("true"), 2, /object|job/i),
        bad(job({ command: "true", priority: "high" }), 2, /priority/),
        bad(job({ command: "true", priority: 0 }), 2, /priority/),
        bad(job({ command: "true", priority: 11 }), 2, /priority/),
        bad(job({ command: "true", priority: 5.5 }), 2, /priority/),
        bad(job({ command: "true", run_at: "tomorrow" }), 2, /run_at/),
        bad(job({ command: "true", run_at: "2030-01-01T00:00:00" }), 2, /run_at/),
        bad(job({ command: "true", run_at: 1767225600000 }), 2, /run_at/),
        bad(job({ command: "true", max_retries: -1 }), 2, /max_retries/),
        bad(job({ command: "true", max_retries: "3" }), 2, /max_retries/),
        bad(job({ command: "true", max_retries: 1.5 }), 2, /max_retries/),
        bad(job({ command: "true", timeout: -1 }), 2, /timeout/),
        bad(job({ command: "true", timeout: -5 }), 2, /timeout/),
        bad(job({ command: "true", timeout: "10" }), 2, /timeout/),
        bad(job({ command: "true", bogus_field: 1 }), 2, /bogus_field/),
        bad(job({ command: "true", id: 42 }), 2, /\bid\b/),
        bad(job({ command: "true", id: "" }), 2, /\bid\b/),
        bad(["enqueue"], 2, /./),
        // duplicate id and unknown ids: exit 1
        bad(job({ id: "dup", command: "echo again" }), 1, /dup/),
        bad(["job", "show", "no-such-job"], 1, /no-such-job/),
        bad(["job", "show", "no-such-job", "--json"], 1, /no-such-job/),
        bad(["job", "output", "no-such-job"], 1, /no-such-job/),
        bad(["job", "output", "no-such-job", "--stderr"], 1, /no-such-job/),
        bad(["dlq", "retry", "no-such-job"], 1, /no-such-job/),
        // wrong state / nothing to show: exit 1
        bad(["dlq", "retry", "dup"], 1, /dup|dead|state/i),
        bad(["job", "output", "dup"], 1, /./),
        // config
        bad(["config", "set", "no-such-key", "3"], 2, /no-such-key/),
        bad(["config", "get", "no-such-key"], 2, /no-such-key/),
        bad(["config", "set", "max-retries", "-1"], 2, /max-retries/),
        bad(["config", "set", "max-retries", "abc"], 2, /max-retries/),
        bad(["config", "set", "max-retries", "1.5"], 2, /max-retries/),
        bad(["config", "set", "backoff-base", "0.5"], 2, /backoff-base/),
        bad(["config", "set", "output-limit", "100"], 2, /output-limit/),
        bad(["config", "set", "lease-seconds", "0"], 2, /lease-seconds/),
        bad(["config", "set", "max-retries"], 2, /./),
        // usage
        bad(["list", "--bogus-option"], 2, /bogus-option/),
        bad(["enqueue", '{"command":"true"}', "--bogus-option"], 2, /bogus-option/),
        bad(["frobnicate"], 2, /frobnicate/),
        bad(["list", "--state", "sleeping"], 2, /state|sleeping/),
        bad(["list", "--limit", "0"], 2, /limit/),
        bad(["list", "--limit", "abc"], 2, /limit/),
        bad(["worker", "start", "--count", "0"], 2, /count/),
        bad(["worker", "start", "--count", "abc"], 2, /count/),
        bad(["job", "output", "dup", "--attempt", "x"], 2, /attempt/),
      ];
      // A few at a time: each is a fresh process.
      for (let i = 0; i < cases.length; i += 4) {
        await Promise.all(
          cases.slice(i, i + 4).map(async (c) => {
            const r = await h.cli(c.args);
            assertError(r, c.code, c.pattern, `queuectl ${c.args.join(" ")}`);
          }),
        );
      }
      assert.equal(await h.total(), before, "a rejected command must not change the number of jobs");
      const dup = await h.show("dup");
      assert.equal(dup.job.command, "true", "a duplicate id must not overwrite the existing job");
      assert.equal(
        configObject(await h.json(["config", "show"]))["max-retries"],
        3,
        "a rejected config set must not change the setting",
      );
    },
    180_000,
  ), // some sixty CLI runs: about 30 s on a quiet machine, 60 s and more under load
];
