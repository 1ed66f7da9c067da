/**
 * The Store contract suite: every method and semantic documented in src/core/store.ts, run
 * against each engine (sqlite.contract.test.ts, postgres.contract.test.ts). An engine passes by
 * behaving as documented; the suite never looks at SQL or files. One file per area; `exercise`
 * registers them all.
 */
import { blockedListCases } from "./blocked-list.js";
import { cancelCases } from "./cancel.js";
import { claimCases } from "./claim.js";
import { configCases } from "./config.js";
import { deleteRetryCases } from "./delete-retry.js";
import { dependenciesCases } from "./dependencies.js";
import { dlqCases } from "./dlq.js";
import { finishCases } from "./finish.js";
import type { MakeStore } from "./harness.js";
import { heartbeatCases } from "./heartbeat.js";
import { insertCases } from "./insert.js";
import { listingCases } from "./listing.js";
import { metricsCases } from "./metrics.js";
import { migrateCases } from "./migrate.js";
import { notifyCases } from "./notify.js";
import { outputCases } from "./output.js";
import { outputFromCases } from "./output-from.js";
import { queuesCases } from "./queues.js";
import { queueMetricsCases } from "./queue-metrics.js";
import { pruneCases } from "./prune.js";
import { reapCases } from "./reap.js";
import { schedulesCases } from "./schedules.js";
import { shapeCases } from "./shape.js";
import { uniqueKeyCases } from "./unique-keys.js";
import { workersCases } from "./workers.js";

/** Registers every contract case against one engine; `makeStore` gives each case a fresh store. */
export function exercise(engineName: string, makeStore: MakeStore): void {
  migrateCases(engineName, makeStore);
  insertCases(engineName, makeStore);
  listingCases(engineName, makeStore);
  claimCases(engineName, makeStore);
  finishCases(engineName, makeStore);
  outputCases(engineName, makeStore);
  outputFromCases(engineName, makeStore);
  heartbeatCases(engineName, makeStore);
  reapCases(engineName, makeStore);
  dlqCases(engineName, makeStore);
  cancelCases(engineName, makeStore);
  deleteRetryCases(engineName, makeStore);
  workersCases(engineName, makeStore);
  configCases(engineName, makeStore);
  metricsCases(engineName, makeStore);
  notifyCases(engineName, makeStore);
  shapeCases(engineName, makeStore);
  queuesCases(engineName, makeStore);
  queueMetricsCases(engineName, makeStore);
  schedulesCases(engineName, makeStore);
  pruneCases(engineName, makeStore);
  uniqueKeyCases(engineName, makeStore);
  dependenciesCases(engineName, makeStore);
  blockedListCases(engineName, makeStore);
}
