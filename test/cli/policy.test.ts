// Unique keys, the exit-code policy and the on-dead hook end to end on the embedded SQLite store.
import { controlScenarios } from "./control/index.js";
import { sqliteEnv } from "./sqlite-env.js";

controlScenarios("sqlite", sqliteEnv, ["keys", "policy"]);
