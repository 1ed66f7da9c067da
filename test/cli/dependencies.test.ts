// Job dependencies end to end on the embedded SQLite store.
import { controlScenarios } from "./control/index.js";
import { sqliteEnv } from "./sqlite-env.js";

controlScenarios("sqlite", sqliteEnv, ["dependencies", "blocked-list"]);
