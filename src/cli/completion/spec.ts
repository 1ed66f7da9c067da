import type { Argument, Command, Option } from "commander";

/** Where the values of an option or an argument come from, for completion. */
export type Values =
  | { kind: "none" }
  | { kind: "words"; words: readonly string[] }
  | { kind: "files" }
  /** Asked of the store at completion time: `queuectl __complete <source> PREFIX`. */
  | { kind: "dynamic"; source: DynamicSource };

export type DynamicSource = "job-ids" | "queue-names";

export interface OptionSpec {
  /** "-s", "--state" … */
  flags: string[];
  takesValue: boolean;
  values: Values;
  description: string;
}

export interface CommandSpec {
  /** Space-separated path from the root: "" for the program, "job show" … */
  path: string;
  /** Names a user may type for it (its name and aliases); empty for the root. */
  names: string[];
  description: string;
  options: OptionSpec[];
  /** Values of the positional arguments, in order. */
  args: Values[];
  children: CommandSpec[];
}

const NONE: Values = { kind: "none" };
const hints = new WeakMap<Option | Argument, Values>();

/** Marks where an option's or argument's values come from; choices need no mark. */
export function completes<T extends Option | Argument>(target: T, values: Values): T {
  hints.set(target, values);
  return target;
}

function valuesOf(target: Option | Argument): Values {
  const hint = hints.get(target);
  if (hint) return hint;
  return target.argChoices ? { kind: "words", words: target.argChoices } : NONE;
}

/**
 * The command tree as users see it in --help (hidden commands and commander's own `help` command
 * left out), read from the live definitions so that completions never drift from the CLI.
 */
export function commandSpec(command: Command, parent = ""): CommandSpec {
  const help = command.createHelp();
  const path = command.parent ? `${parent} ${command.name()}`.trim() : "";
  return {
    path,
    names: command.parent ? [command.name(), ...command.aliases()] : [],
    description: command.description(),
    options: help.visibleOptions(command).map((option) => ({
      flags: [option.short, option.long].filter((flag): flag is string => flag !== undefined),
      takesValue: option.required || option.optional,
      values: valuesOf(option),
      description: option.description,
    })),
    args: command.registeredArguments.map(valuesOf),
    children: help
      .visibleCommands(command)
      .filter((child) => child.name() !== "help")
      .map((child) => commandSpec(child, path)),
  };
}

/** Every command of the tree, the root first. */
export function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.children.flatMap(flatten)];
}
