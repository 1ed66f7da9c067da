// The CLI scenarios of named queues (limits across worker processes, pause, served queues) on PostgreSQL.
import { describe, it } from "node:test";
import { cliScenarios } from "../cli/scenarios/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli queues [postgres]", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  cliScenarios("postgres", () => pgEnv(), ["queues"]);
}
