import {
  CONFIG_BOUNDS,
  CONFIG_KEYS,
  isConfigKey,
  isTextKey,
  textSettingProblem,
  type ConfigKey,
  type NumericConfigKey,
} from "./config.js";
import { parseDuration } from "./duration.js";
import { invalid } from "./errors.js";
import { quote } from "./printable.js";

/** A plain decimal, so "0x10", "1e1" or " 5 " are refused rather than silently read as numbers. */
const PLAIN_DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;
/** A duration with its unit (`7d`, `12h`, `90m`, `30s`), accepted where a key counts seconds. */
const WITH_UNIT = /^\d+(\.\d+)?(ms|s|m|h|d)$/;

/** What `key` must be, as one phrase: "an integer 0..1000", "a number of seconds 0..31536000 (a year)". */
export function describeBounds(key: NumericConfigKey): string {
  const { min, max, integer, unit, maxMeans } = CONFIG_BOUNDS[key];
  const what = `${integer ? "an integer" : "a number"}${unit ? ` of ${unit}` : ""}`;
  return `${what} from ${min} to ${max}${maxMeans ? ` (${maxMeans})` : ""}`;
}

/** The key if it is one; else throws an "invalid" QueueError that lists the known keys. */
export function checkConfigKey(key: string): ConfigKey {
  if (!isConfigKey(key)) {
    throw invalid(`unknown config key ${quote(key)} (known: ${CONFIG_KEYS.join(", ")})`, { key: "unknown key" });
  }
  return key;
}

/** Validates one value for one key; throws an "invalid" QueueError naming the key, the rule and the value. */
export function parseConfigValue(name: string, value: unknown): number | string {
  const key = checkConfigKey(name);
  const fail = (why: string) => {
    const problem = `must be ${why}, got ${quote(value)}`;
    return invalid(`config ${key}: ${problem}`, { value: problem });
  };
  if (isTextKey(key)) {
    if (typeof value !== "string") throw fail("a shell command line (a string; empty for none)");
    const problem = textSettingProblem(value);
    if (problem !== null) {
      const message = `${problem}, got ${quote(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
      throw invalid(`config ${key}: ${message}`, { value: problem });
    }
    return value.trim();
  }
  if (typeof value === "string" && value.trim() === "") throw fail(describeBounds(key));
  if (typeof value === "string" && CONFIG_BOUNDS[key].unit === "seconds" && WITH_UNIT.test(value)) {
    return checked(key, (parseDuration(value) ?? Number.NaN) / 1000, fail);
  }
  if (typeof value === "string" && !PLAIN_DECIMAL.test(value)) {
    throw fail(`a plain decimal number, ${describeBounds(key)}`);
  }
  if (typeof value !== "string" && typeof value !== "number") throw fail(describeBounds(key));
  return checked(key, Number(value), fail);
}

function checked(key: NumericConfigKey, number: number, fail: (why: string) => Error): number {
  const { min, max, integer } = CONFIG_BOUNDS[key];
  if (!Number.isFinite(number) || number < min || number > max || (integer && !Number.isInteger(number))) {
    throw fail(describeBounds(key));
  }
  return number;
}
