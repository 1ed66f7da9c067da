/**
 * Shell completion: the bash script is loaded into a real bash, which calls its completion function
 * the way readline would (COMP_WORDS, COMP_CWORD) and reads COMPREPLY. Job ids come from the store
 * through the hidden `queuectl __complete`. zsh and fish are only syntax-checked, where installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { BIN } from "../helpers/cli.js";
import { assertError, withHarness, type Harness } from "./harness.js";
import { sqliteEnv } from "./sqlite-env.js";

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
const has = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;

/** Puts a `queuectl` on PATH (the script calls the command the user typed) and writes the script. */
async function install(h: Harness, shell: string): Promise<{ script: string; env: NodeJS.ProcessEnv }> {
  const wrapper = h.path("queuectl");
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const script = h.path(`completion.${shell}`);
  writeFileSync(script, await h.ok(["completion", shell]));
  return { script, env: { ...process.env, ...h.env, PATH: `${h.home}:${process.env.PATH ?? ""}` } };
}

/** What bash offers for the words typed so far (the last word is the one being completed). */
function complete(setup: { script: string; env: NodeJS.ProcessEnv }, words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
  const program = [
    `source '${setup.script}'`,
    `COMP_WORDS=(${quoted})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE="${words.join(" ")}"`,
    `COMP_POINT=\${#COMP_LINE}`,
    `_queuectl queuectl '${words.at(-1)!}' '${words.at(-2) ?? ""}'`,
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join("\n");
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program], {
    cwd: setup.env.QUEUECTL_HOME,
    env: setup.env,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `bash: ${r.stderr}`);
  assert.equal(r.stderr, "", `the completion wrote to the terminal: ${r.stderr}`);
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

const test = (name: string, fn: (h: Harness) => Promise<void>) =>
  it(name, { timeout: 60_000 }, () => withHarness(sqliteEnv, fn));

describe("completion: bash, in a real bash", { skip: !has("bash") && "bash is not installed" }, () => {
  test("commands, subcommands, options and option values come from the command definitions", async (h) => {
    const s = await install(h, "bash");
    const top = complete(s, ["queuectl", ""]);
    for (const name of [
      "enqueue",
      "worker",
      "status",
      "list",
      "job",
      "dlq",
      "metrics",
      "config",
      "web",
      "completion",
    ]) {
      assert.ok(top.includes(name), `top level offers ${name}: ${top.join(" ")}`);
    }
    assert.ok(!top.some((w) => w.startsWith("__")), "the hidden command is not offered");
    assert.deepEqual(complete(s, ["queuectl", "wor"]), ["worker"]);
    assert.deepEqual(complete(s, ["queuectl", "worker", ""]), ["list", "start", "stop"]);
    assert.deepEqual(complete(s, ["queuectl", "--db", "x.db", "worker", "s"]), ["start", "stop"]);
    assert.deepEqual(complete(s, ["queuectl", "config", ""]), ["get", "list", "set", "show"]);
    assert.deepEqual(complete(s, ["queuectl", "list", "--st"]), ["--state"]);
    assert.deepEqual(complete(s, ["queuectl", "list", "--state", ""]), [
      "blocked",
      "cancelled",
      "completed",
      "dead",
      "failed",
      "pending",
      "processing",
    ]);
    assert.deepEqual(complete(s, ["queuectl", "list", "--json", "-s", "p"]), ["pending", "processing"]);
    assert.ok(complete(s, ["queuectl", "job", ""]).includes("cancel"), "job cancel is offered");
    assert.deepEqual(complete(s, ["queuectl", "job", "cancel", "--g"]), ["--grace"]);
    assert.deepEqual(complete(s, ["queuectl", "list", "--limit", ""]), [], "a number is not guessed");
    assert.deepEqual(complete(s, ["queuectl", "completion", ""]), ["bash", "fish", "zsh"]);
    const keys = complete(s, ["queuectl", "config", "set", ""]);
    assert.ok(keys.includes("max-retries") && keys.includes("lease-seconds"), keys.join(" "));
    assert.deepEqual(complete(s, ["queuectl", "config", "set", "backoff-"]), [
      "backoff-base",
      "backoff-jitter",
      "backoff-max",
    ]);
    assert.deepEqual(complete(s, ["queuectl", "config", "set", "max-retries", ""]), [], "no key after the key");
    assert.deepEqual(complete(s, ["queuectl", "add", "--on-conflict", ""]), ["error", "replace", "skip"]);
    assert.ok(complete(s, ["queuectl", "add", "--no-r"]).includes("--no-retry-exit-code"));
    writeFileSync(h.path("jobs.jsonl"), "");
    assert.deepEqual(complete(s, ["queuectl", "enqueue", "--file", "jobs."]), ["jobs.jsonl"]);
  });

  test("every option in each command's --help is offered", async (h) => {
    const s = await install(h, "bash");
    for (const path of [
      [],
      ["enqueue"],
      ["list"],
      ["job", "output"],
      ["worker", "start"],
      ["worker", "stop"],
      ["web"],
    ]) {
      const help = await h.ok([...path, "--help"]);
      const inHelp = [...help.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)].flatMap((m) => [m[1], m[2]]);
      const offered = complete(s, ["queuectl", ...path, "-"]);
      for (const flag of inHelp) if (flag) assert.ok(offered.includes(flag), `${path.join(" ")}: ${flag} offered`);
    }
  });

  test("job ids by prefix, from the store the command line names", async (h) => {
    await h.ok([
      "enqueue",
      JSON.stringify(["alpha-1", "alpha-2", "beta", "a_1", "ab1"].map((id) => ({ id, command: "true" }))),
    ]);
    const s = await install(h, "bash");
    assert.deepEqual(complete(s, ["queuectl", "job", "show", "al"]), ["alpha-1", "alpha-2"]);
    assert.deepEqual(complete(s, ["queuectl", "job", "output", "--stderr", "b"]), ["beta"]);
    assert.deepEqual(complete(s, ["queuectl", "dlq", "retry", "a_"]), ["a_1"], "_ is not a wildcard");
    assert.deepEqual(complete(s, ["queuectl", "job", "show", "alpha-1", ""]), [], "one id only");

    const other = h.path("other.db");
    await h.ok(["--db", other, "enqueue", '{"id":"elsewhere","command":"true"}']);
    assert.deepEqual(complete(s, ["queuectl", "--db", other, "job", "show", "e"]), ["elsewhere"]);
    assert.deepEqual(complete(s, ["queuectl", "job", "show", "e"]), []);
  });

  test("__complete job-ids: hidden, at most 100 ids, by prefix", async (h) => {
    await h.ok([
      "enqueue",
      JSON.stringify(Array.from({ length: 150 }, (_, i) => ({ id: `bulk-${i}`, command: "true" }))),
    ]);
    await h.enqueue({ id: "bulky", command: "true" });
    const ids = (await h.ok(["__complete", "job-ids", "bulk-"])).trim().split("\n");
    assert.equal(ids.length, 100);
    assert.ok(
      ids.every((id) => id.startsWith("bulk-")),
      ids.join(" "),
    );
    assert.doesNotMatch(await h.ok(["--help"]), /__complete/);
    assertError(await h.cli(["completion", "tcsh"]), 2, /tcsh/, "queuectl completion tcsh");
  });
});

for (const shell of ["zsh", "fish"]) {
  describe(`completion: ${shell}`, () => {
    it(
      `the script is accepted by ${shell} -n`,
      { skip: !has(shell) && `${shell} is not installed: its script is not checked` },
      () =>
        withHarness(sqliteEnv, async (h) => {
          const s = await install(h, shell);
          const r = spawnSync(shell, ["-n", s.script], { encoding: "utf8" });
          assert.equal(r.status, 0, `${shell} -n: ${r.stderr}`);
        }),
    );
  });
}

/** Runs `program` in a shell that has loaded the script; returns its output lines. */
function inShell(shell: string, setup: { script: string; env: NodeJS.ProcessEnv }, program: string): string[] {
  const args = shell === "fish" ? ["--no-config", "-c", program] : ["-f", "-c", program];
  const r = spawnSync(shell, args, { cwd: setup.env.QUEUECTL_HOME, env: setup.env, encoding: "utf8" });
  assert.equal(r.status, 0, `${shell}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

describe("completion: fish, in a real fish (complete -C)", { skip: !has("fish") && "fish is not installed" }, () => {
  test("commands, options, states and job ids", async (h) => {
    await h.ok(["enqueue", JSON.stringify(["alpha-1", "beta"].map((id) => ({ id, command: "true" })))]);
    const s = await install(h, "fish");
    const words = (line: string) =>
      inShell("fish", s, `source '${s.script}'; complete -C ${quote(line)}`)
        .map((l) => l.split("\t")[0]!)
        .sort();
    assert.deepEqual(words("queuectl worker "), ["list", "start", "stop"]);
    assert.deepEqual(words("queuectl config "), ["get", "list", "set", "show"]);
    assert.deepEqual(words("queuectl list --state p"), ["pending", "processing"]);
    assert.deepEqual(words("queuectl config set backoff-"), ["backoff-base", "backoff-jitter", "backoff-max"]);
    assert.deepEqual(words("queuectl job show al"), ["alpha-1"]);
    assert.deepEqual(words("queuectl dlq retry b"), ["beta"]);
    assert.ok(words("queuectl list --").includes("--all"));
  });
});

describe("completion: zsh runs the bash functions", { skip: !has("zsh") && "zsh is not installed" }, () => {
  test("the script registers itself and its function answers under zsh's rules", async (h) => {
    await h.enqueue({ id: "alpha-1", command: "true" });
    const s = await install(h, "zsh");
    const ask = (words: string[]) =>
      `COMP_WORDS=(${words.map(quote).join(" ")}); COMP_CWORD=${words.length - 1}; _queuectl; print -l -- "\${COMPREPLY[@]}"`;
    const [registered] = inShell("zsh", s, `source '${s.script}'; print -r -- "$_comps[queuectl]"`);
    assert.match(registered ?? "", /_bash_complete -F _queuectl/);
    // zsh filters the candidates by what was typed itself: the function offers them all.
    assert.deepEqual(inShell("zsh", s, `source '${s.script}'; ${ask(["queuectl", "worker", ""])}`).sort(), [
      "list",
      "start",
      "stop",
    ]);
    assert.deepEqual(inShell("zsh", s, `source '${s.script}'; ${ask(["queuectl", "job", "show", "al"])}`), ["alpha-1"]);
  });
});
