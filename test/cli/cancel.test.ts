// `job cancel` end to end on the embedded SQLite store: waiting jobs, running ones, races.
import { controlScenarios } from "./control/index.js";
import { sqliteEnv } from "./sqlite-env.js";

controlScenarios("sqlite", sqliteEnv, ["cancel"]);
