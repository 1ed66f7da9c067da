// `job cancel` against PostgreSQL: the worker runs under another host name, so the cancel reaches
// it through the store (NOTIFY, the heartbeat as the fallback), never through a local signal.
import { describe, it } from "node:test";
import { controlScenarios } from "../cli/control/index.js";
import { pgSkipReason } from "../helpers/pg.js";
import { pgEnv } from "./pg-env.js";

const skip = await pgSkipReason();
if (skip) {
  describe("cli [postgres]: cancel", () => it("needs PostgreSQL", { skip }, () => {}));
} else {
  controlScenarios("postgres", () => pgEnv(), ["cancel"]);
}
