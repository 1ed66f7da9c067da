// CLI end-to-end scenarios with worker processes, on the embedded SQLite store.
import { cliScenarios } from "./scenarios/index.js";
import { sqliteEnv } from "./sqlite-env.js";

cliScenarios("sqlite", sqliteEnv, ["workers"]);
