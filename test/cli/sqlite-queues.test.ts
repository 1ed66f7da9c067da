// CLI end-to-end scenarios of named queues (limits, pause, served queues), on the embedded SQLite store.
import { cliScenarios } from "./scenarios/index.js";
import { sqliteEnv } from "./sqlite-env.js";

cliScenarios("sqlite", sqliteEnv, ["queues"]);
