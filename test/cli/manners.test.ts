/**
 * CLI manners, run against the built binary: colour only where it belongs, data on stdout and
 * messages on stderr, --json on every command (writes too), lists that say when they were cut,
 * `worker stop --wait`, and usage errors in one line.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { BIN, type CliResult } from "../helpers/cli.js";
import { alive } from "../helpers/env.js";
import { assertError, withHarness, type Harness, type JobJson } from "./harness.js";
import { sqliteEnv } from "./sqlite-env.js";

const ESC = "\x1b[";
const COLOUR_VARS = ["NO_COLOR", "FORCE_COLOR", "CI", "TERM"];

/** The environment of a user's shell: the test's store, no colour variables unless given. */
function userEnv(h: Harness, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...h.env };
  for (const name of COLOUR_VARS) delete env[name];
  return { ...env, ...extra };
}

/** Runs queuectl with stdout and stderr piped, in `userEnv`. */
function piped(h: Harness, args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: userEnv(h, extra),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs queuectl on a pseudo-terminal (util-linux `script`); returns what the terminal showed. */
function onTerminal(h: Harness, args: string[], extra: Record<string, string> = {}): string {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const r = spawnSync("script", ["-qec", command, "/dev/null"], {
    env: userEnv(h, { TERM: "xterm", ...extra }),
    encoding: "utf8",
    // script copies its stdin to the terminal: without an end of input it would wait for one.
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 30_000,
  });
  assert.equal(r.status, 0, `script ${command}: ${r.stderr}`);
  return r.stdout;
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

const test = (name: string, fn: (h: Harness) => Promise<void>, timeout = 180_000) =>
  it(name, { timeout }, () => withHarness(sqliteEnv, fn));

/** Enqueues `n` jobs that fail at once with no retry, runs them with one worker, stops it. */
async function deadJobs(h: Harness, ids: string[]): Promise<void> {
  await h.ok(["enqueue", JSON.stringify(ids.map((id) => ({ id, command: "exit 3", max_retries: 0 })))]);
  const w = h.worker(2);
  await h.waitCounts(`${ids.length} dead jobs`, (c) => c.dead === ids.length);
  await h.ok(["worker", "stop"]);
  await h.waitExit(w);
}

describe("cli manners: colour", () => {
  test("a pipe gets no colour, even under CI=true; FORCE_COLOR forces it; --no-color beats FORCE_COLOR", async (h) => {
    await h.enqueue({ command: "true" });
    const ci = await piped(h, ["status"], { CI: "true" });
    assert.equal(ci.code, 0, ci.stderr);
    assert.ok(!ci.stdout.includes(ESC), `colour codes in a pipe under CI=true: ${JSON.stringify(ci.stdout)}`);
    const forced = await piped(h, ["status"], { FORCE_COLOR: "1" });
    assert.ok(forced.stdout.includes(ESC), "FORCE_COLOR=1 colours a pipe");
    const off = await piped(h, ["--no-color", "status"], { FORCE_COLOR: "1" });
    assert.equal(off.code, 0, off.stderr);
    assert.ok(!off.stdout.includes(ESC), "--no-color wins over FORCE_COLOR");
    const offAfter = await piped(h, ["status", "--no-color"], { FORCE_COLOR: "1" });
    assert.ok(!offAfter.stdout.includes(ESC), "--no-color after the command too");
    const zero = await piped(h, ["status"], { FORCE_COLOR: "0" });
    assert.ok(!zero.stdout.includes(ESC), "FORCE_COLOR=0 is no colour");
  });

  it(
    "a terminal gets colour unless NO_COLOR or --no-color",
    { skip: !hasScript && "util-linux script is not installed" },
    () =>
      withHarness(sqliteEnv, async (h) => {
        await h.enqueue({ command: "true" });
        assert.ok(onTerminal(h, ["status"]).includes(ESC), "a terminal gets colour");
        assert.ok(!onTerminal(h, ["status"], { NO_COLOR: "1" }).includes(ESC), "NO_COLOR=1 turns it off");
        assert.ok(!onTerminal(h, ["--no-color", "status"]).includes(ESC), "--no-color turns it off");
        assert.ok(!onTerminal(h, ["status"], { TERM: "dumb" }).includes(ESC), "TERM=dumb gets none");
        assert.ok(onTerminal(h, ["status"], { NO_COLOR: "" }).includes(ESC), "an empty NO_COLOR is unset");
      }),
  );
});

describe("cli manners: data on stdout, messages on stderr", () => {
  test("empty lists, confirmations and hints go to stderr; stdout stays empty", async (h) => {
    for (const [args, says] of [
      [["list"], /no jobs/],
      [["dlq", "list"], /empty/],
      [["worker", "list"], /no workers/],
      [["worker", "stop"], /no workers are running/],
      [["config", "set", "max-retries", "4"], /max-retries.*4/],
    ] as const) {
      const r = await h.cli([...args]);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "", `${args.join(" ")} printed on stdout: ${r.stdout}`);
      assert.match(r.stderr, says, `${args.join(" ")}: stderr ${r.stderr}`);
    }
    // Data stays on stdout.
    assert.equal((await h.cli(["config", "get", "max-retries"])).stdout, "4\n");
  });
});

describe("cli manners: --json on every command", () => {
  test("every command in the --help tree takes --json, except the servers and the completion script", async (h) => {
    const leaves = await commandTree(h);
    assert.ok(leaves.size >= 14, `found only ${leaves.size} commands: ${[...leaves.keys()].join(", ")}`);
    const without = [];
    for (const [path, help] of leaves) {
      if (["web", "completion"].includes(path)) continue;
      if (!/^\s+--json\b/m.test(help)) without.push(path);
    }
    assert.deepEqual(without, [], "commands without --json");
  });

  test("writes answer in JSON: enqueue, config set/get, worker stop, dlq retry, worker start --detach", async (h) => {
    const job = JSON.parse(await h.ok(["enqueue", '{"id":"w1","command":"echo hi"}', "--json"])) as JobJson;
    assert.equal(job.id, "w1");
    assert.equal(job.state, "pending");

    assert.deepEqual(await h.json(["config", "set", "max-retries", "6"]), { key: "max-retries", value: 6 });
    assert.deepEqual(await h.json(["config", "get", "max-retries"]), { key: "max-retries", value: 6 });
    assert.deepEqual(await h.json(["worker", "stop"]), { asked: 0, mode: "drain" });

    await deadJobs(h, ["d1", "d2"]);
    const retried = await h.json<JobJson>(["dlq", "retry", "d1"]);
    assert.equal(retried.id, "d1");
    assert.equal(retried.state, "pending");
    assert.equal(retried.attempts, 0);
    assert.deepEqual(await h.json(["dlq", "retry", "--all"]), { retried: 1 });

    const started = await h.json<{ pid: number; log: string }>(["worker", "start", "--detach"]);
    h.detachedPids.push(started.pid);
    assert.ok(Number.isInteger(started.pid) && alive(started.pid), `a live pid: ${JSON.stringify(started)}`);
    assert.match(started.log, /\.log$/);
    await h.waitRegistered(started.pid);
    const stopped = await h.json<{ asked: number; mode: string }>(["worker", "stop", "--now"]);
    assert.deepEqual(stopped, { asked: 1, mode: "now" });

    const output = await h.json<Record<string, unknown>>(["job", "output", "w1"]);
    assert.deepEqual(output, {
      job_id: "w1",
      attempt: 1,
      stream: "stdout",
      text: "hi\n",
      total_bytes: 3,
      truncated: false,
      pruned: false,
    });
  });
});

describe("cli manners: list says when it was cut; --all streams every job", () => {
  test("list: 'showing 50 of 60' on stderr, --all prints every job, --limit and --all exclude each other", async (h) => {
    await h.ok(["enqueue", JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ id: `j${i}`, command: "true" })))]);
    const cut = await h.cli(["list"]);
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal(cut.stdout.trim().split("\n").length, 51, "a header and 50 rows");
    assert.match(cut.stderr, /showing 50 of 60.*--all.*--limit/);
    const json = await h.cli(["list", "--limit", "10", "--json"]);
    assert.equal((JSON.parse(json.stdout) as unknown[]).length, 10);
    assert.match(json.stderr, /showing 10 of 60/, "the JSON list says it on stderr too");
    const search = await h.cli(["list", "--search", "j", "--limit", "5"]);
    assert.match(search.stderr, /showing 5\b.*--all/, `a search cut: ${search.stderr}`);

    const all = await h.cli(["list", "--all", "--json"]);
    assert.equal(all.code, 0, all.stderr);
    const ids = (JSON.parse(all.stdout) as JobJson[]).map((j) => j.id);
    assert.equal(ids.length, 60);
    assert.equal(new Set(ids).size, 60, "no job twice");
    assert.equal(all.stderr, "", "nothing was cut");
    const table = await h.cli(["list", "--all"]);
    assert.equal(table.stdout.trim().split("\n").length, 61);
    const whole = await h.cli(["list", "--limit", "60"]);
    assert.equal(whole.stderr, "", "a list that fits says nothing");

    assertError(await h.cli(["list", "--all", "--limit", "5"]), 2, /--all|--limit/, "list --all --limit");
  });

  test("dlq list: the same cut message and --all", async (h) => {
    await deadJobs(h, ["x1", "x2", "x3"]);
    const cut = await h.cli(["dlq", "list", "--limit", "2"]);
    assert.equal(cut.stdout.trim().split("\n").length, 3);
    assert.match(cut.stderr, /showing 2 of 3/);
    assert.equal((await h.json<unknown[]>(["dlq", "list", "--all"])).length, 3);
  });
});

describe("cli manners: worker stop --wait", () => {
  test("returns once the workers are gone; 124 with the names of those still running on timeout", async (h) => {
    const none = await h.cli(["worker", "stop", "--wait"]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stderr, /no workers are running/);

    await h.enqueue({ id: "long", command: h.sleep(60) });
    const w = h.worker(1);
    const registered = await h.waitRegistered(w.pid!);
    await h.waitState("long", "processing");
    const late = await h.cli(["worker", "stop", "--wait", "--timeout", "1"]);
    assertError(late, 124, new RegExp(`timed out.*${registered.id as string}`), "worker stop --wait --timeout 1");
    assert.ok(w.exitCode === null, "the draining worker is still running its job");

    const now = await h.cli(["worker", "stop", "--now", "--wait", "--timeout", "30", "--json"]);
    assert.equal(now.code, 0, now.stderr);
    assert.deepEqual(JSON.parse(now.stdout), { asked: 1, mode: "now" });
    assert.deepEqual(await h.json(["worker", "list"]), [], "no worker is registered when --wait returns");
    await h.waitExit(w);
    assertError(await h.cli(["worker", "stop", "--wait", "--timeout", "soon"]), 2, /timeout/, "a bad --timeout");
  });
});

describe("cli manners: aliases and usage errors", () => {
  test("config list is config show", async (h) => {
    assert.deepEqual(await h.json(["config", "list"]), await h.json(["config", "show"]));
  });

  test("every command missing a required argument or subcommand: exit 2, one line", async (h) => {
    const required = [];
    for (const [path, help] of await commandTree(h)) if (/<\w+/.test(help.split("\n")[0]!)) required.push(path);
    assert.ok(required.includes("job show") && required.includes("config set"), required.join(", "));
    for (const path of [...required, "job", "worker", "dlq", "config", "config set max-retries", "dlq retry"]) {
      const r = await h.cli(path.split(" "));
      assertError(r, 2, /missing|give/, `queuectl ${path}`);
    }
    assertError(await h.cli(["job", "nope"]), 2, /unknown command 'nope'/, "queuectl job nope");
  });
});

/** Every leaf command ("list", "job show", …) with its --help, found by walking `--help` as a user would. */
async function commandTree(
  h: Harness,
  path: string[] = [],
  found = new Map<string, string>(),
): Promise<Map<string, string>> {
  const help = await h.ok([...path, "--help"]);
  // The section runs to the first blank line (other sections, e.g. the config keys, follow).
  const section = help.split(/^Commands:$/m)[1]?.split(/\n\s*\n/)[0];
  if (!section) return found.set(path.join(" "), help);
  const names = [...section.matchAll(/^ {2}([a-z][\w-]*)(?:\|[\w-]+)?/gm)].map((m) => m[1]!);
  for (const name of names.filter((n) => n !== "help")) await commandTree(h, [...path, name], found);
  return found;
}
