import { invalid } from "./errors.js";

/** One argument for /bin/sh, read back exactly: single quotes keep everything but `'` literal. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command line `add -- ARGS...` stores. One argument is already a command line (like pueue:
 * `add -- 'make && make test'`). Several are a program and its arguments, each quoted, so that a
 * file name with spaces, quotes or `$` stays one argument — and a first word such as `FOO=bar`
 * names a program, as it would for exec, instead of becoming an assignment.
 */
export function shellCommand(args: readonly string[]): string {
  if (args.length === 0) throw invalid("command: give the command after --, e.g. add -- make test");
  if (args.length === 1) return args[0]!;
  return args.map(shellQuote).join(" ");
}
