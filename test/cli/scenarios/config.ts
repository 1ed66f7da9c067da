/** CLI scenarios: config show/get/set. */
import assert from "node:assert/strict";
import { scenario, type Scenario } from "./scenario.js";

const CONFIG_DEFAULTS: Record<string, number> = {
  "max-retries": 3,
  "backoff-base": 2,
  "backoff-max": 3600,
  "worker-poll-interval": 1,
  "job-timeout": 3600,
  "output-limit": 1024 * 1024,
  "lease-seconds": 6,
};

/** `config show --json` as {key: number}, whether printed as an object or as [{key, value}]. */
export function configObject(raw: unknown): Record<string, number> {
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((e: any) => [e.key ?? e.name, Number(e.value)]));
  }
  assert.ok(raw && typeof raw === "object", "config show --json must print an object or an array");
  return Object.fromEntries(
    Object.entries(raw as Record<string, any>).map(([k, v]) => [
      k,
      typeof v === "object" && v ? Number(v.value) : Number(v),
    ]),
  );
}

export const configScenarios: Scenario[] = [
  scenario("input", "config show/get/set: defaults, validation, effect on new jobs, persistence", async (h) => {
    const shown = configObject(await h.json(["config", "show"]));
    for (const [key, value] of Object.entries(CONFIG_DEFAULTS)) {
      assert.equal(shown[key], value, `default of ${key}`);
    }
    assert.equal((await h.ok(["config", "get", "max-retries"])).trim(), "3");
    await h.ok(["config", "set", "max-retries", "5"]);
    await h.ok(["config", "set", "backoff-base", "1.5"]);
    await h.ok(["config", "set", "job-timeout", "0"]);
    await h.ok(["config", "set", "output-limit", "4096"]);
    assert.equal((await h.ok(["config", "get", "max-retries"])).trim(), "5");
    assert.equal((await h.ok(["config", "get", "backoff-base"])).trim(), "1.5");
    const after = configObject(await h.json(["config", "show"]));
    assert.equal(after["max-retries"], 5);
    assert.equal(after["backoff-base"], 1.5);
    assert.equal(after["job-timeout"], 0);
    assert.equal(after["output-limit"], 4096);
    assert.equal(after["lease-seconds"], 6, "untouched keys keep their defaults");
    const id = await h.enqueue({ command: "true" });
    assert.equal((await h.row(id)).max_retries, 5, "a new job's max_retries defaults to the setting");
    const human = await h.ok(["config", "show"]);
    for (const key of Object.keys(CONFIG_DEFAULTS)) assert.match(human, new RegExp(key), `config show lists ${key}`);
  }),
];
