// The `add`, `wait`, `job output --follow` and `job delete` / `job retry` scenarios, re-run against PostgreSQL.
import { describe, it } from "node:test";
import { controlScenarios } from "../cli/control/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli [postgres]: add, wait, follow, delete, retry", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  controlScenarios("postgres", () => pgEnv(), ["add", "follow", "wait", "delete-retry"]);
}
