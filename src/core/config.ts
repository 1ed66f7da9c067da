/**
 * Settings live in the store so every worker of one queue, on any machine, shares them. This file
 * is the list of keys; their validation (zod, loaded only when a value is set) is config-input.ts.
 */
export const CONFIG_DEFAULTS = {
  "max-retries": 3,
  "backoff-base": 2,
  "backoff-max": 3600,
  "worker-poll-interval": 1,
  "job-timeout": 3600,
  "output-limit": 1024 * 1024,
  "lease-seconds": 6,
} as const satisfies Record<string, number>;

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;
export type Config = { [K in ConfigKey]: number };

export const CONFIG_HELP: Record<ConfigKey, string> = {
  "max-retries": "retries after the first run before a job goes to the DLQ (integer >= 0)",
  "backoff-base": "retry k waits backoff-base^k seconds (number >= 1)",
  "backoff-max": "upper bound of one retry delay, in seconds",
  "worker-poll-interval": "fallback poll of idle workers, in seconds (wake-ups are immediate)",
  "job-timeout": "default timeout of a job, in seconds; 0 = no timeout",
  "output-limit": "bytes kept per stream per attempt (head and tail kept, the middle cut)",
  "lease-seconds": "a killed worker's job is recovered after this many seconds",
};

export const CONFIG_KEYS = Object.keys(CONFIG_DEFAULTS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_DEFAULTS, key);
}

/**
 * Stored strings → a full Config. Values were validated when they were set; one that is not a
 * number (edited by hand) falls back to its default rather than stopping every worker.
 */
export function configFromStored(stored: Record<string, string>): Config {
  const config: Config = { ...CONFIG_DEFAULTS };
  for (const key of CONFIG_KEYS) {
    const value = Number(stored[key]);
    if (stored[key] !== undefined && Number.isFinite(value)) config[key] = value;
  }
  return config;
}
