// `add -- COMMAND ARGS...` and `job output --follow` end to end on the embedded SQLite store.
import { controlScenarios } from "./control/index.js";
import { sqliteEnv } from "./sqlite-env.js";

controlScenarios("sqlite", sqliteEnv, ["add", "follow"]);
