/**
 * Settings live in the store so every worker of one queue, on any machine, shares them. This file
 * is the list of keys and their ranges; parsing a value a user gives is config-input.ts.
 */
export const CONFIG_DEFAULTS = {
  "max-retries": 3,
  "backoff-base": 2,
  "backoff-max": 3600,
  "worker-poll-interval": 1,
  "job-timeout": 3600,
  "output-limit": 1024 * 1024,
  "lease-seconds": 6,
  "kill-grace": 5,
  "retention-completed": 7 * 86_400,
  "retention-dead": 30 * 86_400,
  "retention-cancelled": 7 * 86_400,
  "retention-output": 7 * 86_400,
  "backoff-jitter": 0,
  /** A shell command run as a job of its own when a job goes dead (core/on-dead.ts); "" = none. */
  "on-dead": "",
} as const satisfies Record<string, number | string>;

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;
/** Settings whose value is a command line rather than a number. */
export type TextConfigKey = { [K in ConfigKey]: (typeof CONFIG_DEFAULTS)[K] extends string ? K : never }[ConfigKey];
export type NumericConfigKey = Exclude<ConfigKey, TextConfigKey>;
export type Config = { [K in NumericConfigKey]: number } & { [K in TextConfigKey]: string };

export const CONFIG_HELP: Record<ConfigKey, string> = {
  "max-retries":
    "retries after the first run before a job goes to the DLQ (integer >= 0); for jobs enqueued afterwards",
  "backoff-base": "retry k waits backoff-base^k seconds (number >= 1)",
  "backoff-max": "upper bound of one retry delay, in seconds (at most a year)",
  "worker-poll-interval": "fallback poll of idle workers, in seconds (wake-ups are immediate)",
  "job-timeout": "timeout of jobs enqueued afterwards without one, in seconds (at most a year); 0 = none",
  "output-limit": "bytes kept per stream per attempt (head and tail kept, the middle cut)",
  "lease-seconds": "a killed worker's job is recovered after this many seconds",
  "kill-grace": "seconds a cancelled job's processes get between its signal and SIGKILL (job cancel --grace)",
  "retention-completed": "completed jobs are deleted this long after they finished (seconds, or 7d, 12h); 0 = never",
  "retention-dead": "dead jobs (the DLQ) are deleted this long after they died (seconds, or 30d); 0 = never",
  "retention-cancelled": "cancelled jobs are deleted this long after they ended (seconds, or 7d); 0 = never",
  "retention-output": "output of finished runs is dropped this long after they ended (seconds, or 7d); 0 = never",
  "backoff-jitter":
    "0..1: 0 waits backoff-base^k exactly, 1 a random delay from 0 to that (full jitter), between: in proportion",
  "on-dead":
    "shell command run as a job of its own when a job goes dead, with QUEUECTL_DEAD_JOB_ID, _COMMAND, _EXIT_CODE, _ERROR set; empty = none",
};

/** A year: the longest any duration may be (a job's timeout, a retry delay), so timers stay sane. */
export const MAX_JOB_TIMEOUT_SECONDS = 365 * 86_400;

/** The longest retention: ten years. */
const MAX_RETENTION_SECONDS = 3650 * 86_400;
const RETENTION_BOUNDS: ConfigBounds = {
  min: 0,
  max: MAX_RETENTION_SECONDS,
  integer: true,
  unit: "seconds",
  maxMeans: "ten years",
};

export interface ConfigBounds {
  min: number;
  max: number;
  integer?: boolean;
  unit?: "seconds" | "bytes";
  /** Why the upper bound, in a few words, for the error message. */
  maxMeans?: string;
}

/** Every numeric key's range: one place, read by the validation (config-input.ts) and by configFromStored. */
export const CONFIG_BOUNDS: Record<NumericConfigKey, ConfigBounds> = {
  "max-retries": { min: 0, max: 1000, integer: true },
  "backoff-base": { min: 1, max: 100 },
  "backoff-max": { min: 0, max: MAX_JOB_TIMEOUT_SECONDS, unit: "seconds", maxMeans: "a year" },
  "worker-poll-interval": { min: 0.05, max: 3600, unit: "seconds", maxMeans: "an hour" },
  "job-timeout": { min: 0, max: MAX_JOB_TIMEOUT_SECONDS, unit: "seconds", maxMeans: "a year" },
  "output-limit": { min: 1024, max: 256 * 1024 * 1024, integer: true, unit: "bytes", maxMeans: "256 MiB" },
  "lease-seconds": { min: 1, max: 86_400, unit: "seconds", maxMeans: "a day" },
  "kill-grace": { min: 0, max: 3600, unit: "seconds", maxMeans: "an hour" },
  "retention-completed": RETENTION_BOUNDS,
  "retention-dead": RETENTION_BOUNDS,
  "retention-cancelled": RETENTION_BOUNDS,
  "retention-output": RETENTION_BOUNDS,
  "backoff-jitter": { min: 0, max: 1 },
};

export function isTextKey(key: ConfigKey): key is TextConfigKey {
  return typeof CONFIG_DEFAULTS[key] === "string";
}

/**
 * A text setting is a command line for /bin/sh: well-formed, no NUL, short enough to pass as one
 * argument with room for the variables the hook gets. Returns what is wrong, or null.
 */
export const MAX_TEXT_SETTING_BYTES = 16 * 1024;
export function textSettingProblem(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain NUL bytes";
  if (/\p{Cs}/u.test(value)) return "must be well-formed Unicode";
  if (Buffer.byteLength(value) > MAX_TEXT_SETTING_BYTES) return `must be at most ${MAX_TEXT_SETTING_BYTES} bytes`;
  return null;
}

export function inBounds(key: NumericConfigKey, value: number): boolean {
  const { min, max, integer } = CONFIG_BOUNDS[key];
  return Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
}

export const CONFIG_KEYS = Object.keys(CONFIG_DEFAULTS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_DEFAULTS, key);
}

/**
 * Stored strings → a full Config. Values were validated when they were set; one that is not a
 * number or out of its range (edited by hand, or set before the range existed, e.g. a job-timeout
 * of 1e23) falls back to its default rather than stopping every worker.
 */
export function configFromStored(stored: Record<string, string>): Config {
  const config: Config = { ...CONFIG_DEFAULTS };
  for (const key of CONFIG_KEYS) {
    const text = stored[key];
    if (text === undefined) continue;
    if (isTextKey(key)) {
      if (textSettingProblem(text) === null) config[key] = text.trim();
    } else if (text.trim() !== "" && inBounds(key, Number(text))) config[key] = Number(text);
  }
  return config;
}
