// Job dependencies end to end, re-run against PostgreSQL.
import { describe, it } from "node:test";
import { controlScenarios } from "../cli/control/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli [postgres]: dependencies", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  controlScenarios("postgres", () => pgEnv(), ["dependencies", "blocked-list"]);
}
