import { flatten, type CommandSpec, type OptionSpec, type Values } from "./spec.js";

/** A word for fish, single-quoted (fish escapes only \\ and ' inside single quotes). */
const quote = (word: string): string => `'${word.replace(/[\\']/g, (c) => `\\${c}`)}'`;

function optionLine(path: string, option: OptionSpec): string {
  const parts = ["complete -c queuectl", `-n ${quote(`__queuectl_in ${quote(path)}`)}`];
  for (const flag of option.flags) parts.push(flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`);
  if (option.takesValue) parts.push(valueArgs(option.values, true));
  parts.push(`-d ${quote(option.description)}`);
  return parts.filter((p) => p !== "").join(" ");
}

/** Flags and candidates for a value: files where files fit, else exactly the listed ones. */
function valueArgs(values: Values, isOption: boolean): string {
  const exclusive = isOption ? "-x" : "-f";
  switch (values.kind) {
    case "words":
      return `${exclusive} -a ${quote(values.words.join(" "))}`;
    case "files":
      return isOption ? "-r -F" : "-F";
    case "dynamic":
      return `${exclusive} -a ${quote(`(__queuectl_dynamic ${values.source})`)}`;
    case "none":
      return exclusive;
  }
}

/**
 * The fish script: a function that finds the command being typed (as the bash walker does), and
 * one `complete` line per command, option and argument of the tree.
 */
export function fishScript(root: CommandSpec): string {
  const all = flatten(root);
  const valued = all.flatMap((spec) =>
    spec.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((flag) => `${spec.path}|${flag}`)),
  );
  const globalValued = root.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
  const children = all.flatMap((spec) =>
    spec.children.flatMap((c) => c.names.map((name) => `${spec.path}|${name}|${c.path}`)),
  );
  const lines: string[] = [];
  for (const spec of all) {
    for (const c of spec.children) {
      lines.push(
        `complete -c queuectl -f -n ${quote(`__queuectl_arg ${quote(spec.path)} 1`)} -a ${quote(c.names.join(" "))} -d ${quote(c.description)}`,
      );
    }
    for (const option of spec.options) lines.push(optionLine(spec.path, option));
    spec.args.forEach((arg, index) => {
      if (arg.kind === "none") return;
      lines.push(
        `complete -c queuectl -n ${quote(`__queuectl_arg ${quote(spec.path)} ${index + 1}`)} ${valueArgs(arg, false)}`,
      );
    });
  }
  return `# fish completion for queuectl, generated from its command definitions by \`queuectl completion fish\`.
# Install it with:  queuectl completion fish > ~/.config/fish/completions/queuectl.fish

set -g __queuectl_valued ${valued.map(quote).join(" ")}
set -g __queuectl_global_valued ${globalValued.map(quote).join(" ")}
set -g __queuectl_children ${children.map(quote).join(" ")}

# Prints "path|number of arguments|--db value" for the words before the cursor.
function __queuectl_state
    set -l path ''
    set -l args 0
    set -l db ''
    set -l expect ''
    for word in (commandline -opc)[2..-1]
        if test -n "$expect"
            test "$expect" = --db; and set db $word
            set expect ''
            continue
        end
        switch $word
            case '--db=*'
                set db (string replace -- --db= '' $word)
            case '-*=*' '--'
            case '-*'
                if contains -- "$path|$word" $__queuectl_valued; or contains -- $word $__queuectl_global_valued
                    set expect $word
                end
            case '*'
                set -l next
                if test $args -eq 0
                    for entry in $__queuectl_children
                        set -l parts (string split '|' -- $entry)
                        if test "$parts[1]" = "$path" -a "$parts[2]" = "$word"
                            set next $parts[3]
                        end
                    end
                end
                if test -n "$next"
                    set path $next
                else
                    set args (math $args + 1)
                end
        end
    end
    echo "$path|$args|$db"
end

function __queuectl_in
    test (string split '|' -- (__queuectl_state))[1] = "$argv[1]"
end

# True when the word being typed is argument number $argv[2] of command $argv[1].
function __queuectl_arg
    set -l state (string split '|' -- (__queuectl_state))
    test "$state[1]" = "$argv[1]" -a (math $state[2] + 1) -eq $argv[2]
end

function __queuectl_dynamic
    set -l db (string split '|' -- (__queuectl_state))[3]
    set -l cmd (commandline -opc)[1]
    if test -n "$db"
        $cmd --db $db __complete $argv[1] (commandline -ct) 2>/dev/null
    else
        $cmd __complete $argv[1] (commandline -ct) 2>/dev/null
    end
end

complete -c queuectl -f
${lines.join("\n")}
`;
}
