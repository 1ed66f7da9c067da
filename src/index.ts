/** The library API: `import { Queue } from "queuectl"`. */
export { Queue } from "./open.js";
export type { CancelJobsResult, CancelOptions, EnqueuedJob, QueueStatus } from "./core/queue.js";
export type { PruneRequest, PruneResult } from "./core/prune.js";
export { QueueError, type ErrorKind } from "./core/errors.js";
export { CONFIG_DEFAULTS, CONFIG_KEYS, type Config, type ConfigKey } from "./core/config.js";
export { jobJson, attemptJson, workerJson, type JobJson } from "./core/json.js";
export type { JobInput } from "./core/job-input.js";
export type * from "./core/types.js";
export type { Store } from "./core/store.js";
export type { JobsActed, Refusal } from "./core/job-actions.js";
export { openStore } from "./store/open.js";
export { WorkerPool, type WorkerPoolOptions } from "./worker/pool.js";
export type { Log, LogFields } from "./worker/log.js";
export type { Schedule, CatchUp, Overlap } from "./core/schedule.js";
export type { ScheduleInput } from "./core/schedule-input.js";
export { scheduleJson, type ScheduleJson } from "./core/schedule-json.js";
