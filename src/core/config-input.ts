import { z } from "zod";
import { CONFIG_KEYS, isConfigKey, type ConfigKey } from "./config.js";
import { invalid } from "./errors.js";

/** A plain decimal, so "0x10", "1e1" or " 5 " are refused rather than silently read as numbers. */
const decimal = z
  .union([z.number(), z.string().regex(/^-?(\d+(\.\d+)?|\.\d+)$/, "must be a plain decimal number")])
  .transform(Number)
  .pipe(z.number().finite());

const seconds = (min: number) => decimal.pipe(z.number().min(min));

const CONFIG_SCHEMA: Record<ConfigKey, z.ZodType<number, string | number>> = {
  "max-retries": decimal.pipe(z.number().int().min(0).max(1000)),
  "backoff-base": decimal.pipe(z.number().min(1).max(100)),
  "backoff-max": seconds(0),
  "worker-poll-interval": decimal.pipe(z.number().min(0.05).max(3600)),
  "job-timeout": seconds(0),
  "output-limit": decimal.pipe(z.number().int().min(1024).max(256 * 1024 * 1024)),
  "lease-seconds": decimal.pipe(z.number().min(1).max(86400)),
};

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
