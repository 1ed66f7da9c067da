import { z } from "zod";
import { invalid } from "./errors.js";

/**
 * Settings live in the store so every worker of one queue, on any machine, shares them.
 * Each key has one schema here; `config set`, the HTTP API and the library all go through it.
 */
const seconds = (min: number) => z.coerce.number().finite().min(min);

export const CONFIG_SCHEMA = {
  "max-retries": z.coerce.number().int().min(0).max(1000),
  "backoff-base": z.coerce.number().finite().min(1).max(100),
  "backoff-max": seconds(0),
  "worker-poll-interval": z.coerce.number().finite().min(0.05).max(3600),
  "job-timeout": seconds(0),
  "output-limit": z.coerce.number().int().min(1024).max(256 * 1024 * 1024),
  "lease-seconds": z.coerce.number().finite().min(1).max(86400),
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA;
export type Config = { [K in ConfigKey]: number };

export const CONFIG_DEFAULTS: Config = {
  "max-retries": 3,
  "backoff-base": 2,
  "backoff-max": 3600,
  "worker-poll-interval": 1,
  "job-timeout": 3600,
  "output-limit": 1024 * 1024,
  "lease-seconds": 6,
};

export const CONFIG_HELP: Record<ConfigKey, string> = {
  "max-retries": "retries after the first run before a job goes to the DLQ (integer >= 0)",
  "backoff-base": "retry k waits backoff-base^k seconds (number >= 1)",
  "backoff-max": "upper bound of one retry delay, in seconds",
  "worker-poll-interval": "fallback poll of idle workers, in seconds (wake-ups are immediate)",
  "job-timeout": "default timeout of a job, in seconds; 0 = no timeout",
  "output-limit": "bytes kept per stream per attempt (head and tail kept, the middle cut)",
  "lease-seconds": "a killed worker's job is recovered after this many seconds",
};

export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_SCHEMA, key);
}

/** Validates one value for one key; throws an "invalid" QueueError naming the key. */
export function parseConfigValue(key: string, value: unknown): number {
  if (!isConfigKey(key)) {
    throw invalid(`unknown config key "${key}" (known: ${CONFIG_KEYS.join(", ")})`, { key: "unknown key" });
  }
  if (typeof value === "string" && value.trim() === "") {
    throw invalid(`config ${key}: a value is required`, { value: "required" });
  }
  const parsed = CONFIG_SCHEMA[key].safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues[0]?.message ?? "invalid value";
    throw invalid(`config ${key}: ${JSON.stringify(value)} is not valid: ${why}`, { value: why });
  }
  return parsed.data;
}

/** Stored raw strings → a full Config; unknown or broken stored values fall back to defaults. */
export function configFromStored(stored: Record<string, string>): Config {
  const config: Config = { ...CONFIG_DEFAULTS };
  for (const key of CONFIG_KEYS) {
    const raw = stored[key];
    if (raw === undefined) continue;
    const parsed = CONFIG_SCHEMA[key].safeParse(raw);
    if (parsed.success) config[key] = parsed.data;
  }
  return config;
}
