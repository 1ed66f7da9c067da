// The CLI end-to-end scenarios with worker processes, re-run against PostgreSQL.
import { describe, it } from "node:test";
import { cliScenarios } from "../cli/scenarios/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli workers [postgres]", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  cliScenarios("postgres", () => pgEnv(), ["workers"]);
}
