// The CLI end-to-end scenarios of the SQLite issue (input, config, running jobs), re-run against
// PostgreSQL: same commands, same semantics.
import { describe, it } from "node:test";
import { cliScenarios } from "../cli/scenarios/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli [postgres]", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  cliScenarios("postgres", () => pgEnv(), ["input", "jobs"]);
}
