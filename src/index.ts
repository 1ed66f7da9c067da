/** The library API: `import { Queue } from "queuectl"`. */
export { Queue } from "./open.js";
export type { CancelJobsResult, CancelOptions, QueueStatus } from "./core/queue.js";
export { QueueError, type ErrorKind } from "./core/errors.js";
export { CONFIG_DEFAULTS, CONFIG_KEYS, type Config, type ConfigKey } from "./core/config.js";
export { jobJson, attemptJson, workerJson, type JobJson } from "./core/json.js";
export type { JobInput } from "./core/job-input.js";
export type * from "./core/types.js";
export type { Store } from "./core/store.js";
export { openStore } from "./store/open.js";
export { WorkerPool, type WorkerPoolOptions } from "./worker/pool.js";
export type { Log, LogFields } from "./worker/log.js";
