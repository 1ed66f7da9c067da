import type { z } from "zod";
import { quote } from "./printable.js";

/**
 * How every face reads a zod failure: "field: what was expected, got what was given", one line.
 * zod 4 leaves the offending value off its issues unless asked (`reportInput`), and its default
 * wording ("Invalid input: expected number, received string") does not read as a rule; the error
 * map below words the issues a schema did not word itself.
 */
export const PARSE_OPTIONS = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue): string | undefined => {
    switch (issue.code) {
      case "invalid_type":
        return `expected ${article(issue.expected)}`;
      case "too_small":
        return `must be ${issue.inclusive === false ? ">" : ">="} ${String(issue.minimum)}`;
      case "too_big":
        return `must be ${issue.inclusive === false ? "<" : "<="} ${String(issue.maximum)}`;
      case "invalid_value":
        return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
      default:
        return undefined;
    }
  },
} as const;

/** The value at `path` in what was received, if it is there (own keys only). */
function received(given: unknown, path: readonly PropertyKey[]): unknown {
  let value = given;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

export interface DescribedIssues {
  /** The first problem, "field: what is wrong, got …". */
  message: string;
  /** Every offending field and what is wrong with it. */
  fields: Record<string, string>;
}

/**
 * Names the first problem of a zod error as "field: what is wrong, got …", plus every field's
 * problem. `given` is the value as received: a coerced field (a query string's "abc" read as a
 * number) is then quoted as typed, not as the NaN it became.
 */
export function describeIssues(error: z.ZodError, whole = "(input)", given?: unknown): DescribedIssues {
  // A Map, not an object literal: a field named "__proto__" is a field like any other here.
  const found = new Map<string, string>();
  const add = (field: string, problem: string) => {
    if (!found.has(field)) found.set(field, problem);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) add(key, "unknown field");
      continue;
    }
    const field = issue.path.map(String).join(".") || whole;
    if (issue.code === "invalid_type" && issue.input === undefined) add(field, "is required");
    else if ("input" in issue) add(field, `${issue.message}, got ${quote(received(given, issue.path) ?? issue.input)}`);
    else add(field, issue.message);
  }
  const [field, problem] = found.entries().next().value ?? [whole, "invalid"];
  // fromEntries defines own properties, so "__proto__" stays a key of `fields`.
  return { message: `${field}: ${problem}`, fields: Object.fromEntries(found) };
}
