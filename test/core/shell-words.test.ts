import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { shellCommand, shellQuote } from "../../src/core/shell-words.js";

/** What /bin/sh really hands a program for this command line: each argument NUL-terminated. */
function argvOf(command: string): string[] {
  const r = spawnSync("/bin/sh", ["-c", `${command}`], { encoding: "buffer" });
  assert.equal(r.status, 0, `sh -c ${command} failed: ${r.stderr.toString()}`);
  const out = r.stdout.toString("utf8");
  return out === "" ? [] : out.slice(0, -1).split("\0");
}

const TRICKY = [
  "a b",
  "c'd",
  "'",
  "''",
  '"double"',
  "$HOME",
  "${x:-y}",
  "$(echo no)",
  "`echo no`",
  "back\\slash",
  "trailing\\",
  "line one\nline two",
  "",
  " ",
  "tab\there",
  "*",
  "?",
  "~",
  "a;b",
  "a|b",
  "a&&b",
  "#comment",
  "-n",
  "naïve 日本語 😀",
  "!",
  "FOO=bar",
];

describe("shellQuote", () => {
  test("wraps in single quotes and writes a quote as '\\''", () => {
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote("c'd"), `'c'\\''d'`);
    assert.equal(shellQuote(""), "''");
    assert.equal(shellQuote("$HOME"), "'$HOME'");
  });

  test("/bin/sh reads every tricky argument back exactly", () => {
    for (const arg of TRICKY) {
      assert.deepEqual(argvOf(`printf '%s\\0' ${shellQuote(arg)}`), [arg], `argument ${JSON.stringify(arg)}`);
    }
  });
});

describe("shellCommand", () => {
  test("one argument is a command line, taken as it is", () => {
    assert.equal(shellCommand(["make && make test"]), "make && make test");
  });

  test("several arguments are each quoted, so sh runs that program with exactly those arguments", () => {
    assert.deepEqual(argvOf(shellCommand(["printf", "%s\\0", ...TRICKY])), TRICKY);
    assert.equal(shellCommand(["printf", "%s\\n", "a b", "c'd"]), `'printf' '%s\\n' 'a b' 'c'\\''d'`);
  });

  test("a first word like FOO=bar is a program name, not an assignment", () => {
    const r = spawnSync("/bin/sh", ["-c", shellCommand(["FOO=bar", "true"])], { encoding: "utf8" });
    assert.equal(r.status, 127, "sh must look for a program called FOO=bar");
  });

  test("no arguments is no command", () => {
    assert.throws(() => shellCommand([]), /command/);
  });
});
