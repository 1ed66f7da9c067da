import { flatten, type CommandSpec, type Values } from "./spec.js";

/** A word for a shell script, single-quoted. */
export const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

/** `case` branches "pattern|pattern) body ;;" with the patterns quoted; empty when there are none. */
function branches(rows: [string[], string][]): string {
  return rows
    .filter(([patterns]) => patterns.length > 0)
    .map(([patterns, body]) => `    ${patterns.map(quote).join("|")}) ${body} ;;`)
    .join("\n");
}

function valueBody(values: Values): string | null {
  switch (values.kind) {
    case "words":
      return `COMPREPLY=($(compgen -W ${quote(values.words.join(" "))} -- "$3"))`;
    case "files":
      return `_queuectl_files "$3"`;
    case "dynamic":
      return `_queuectl_dynamic ${values.source} "$3" "$4"`;
    case "none":
      return null;
  }
}

/**
 * The bash script: small lookup functions generated from the command tree, and one walker that
 * finds the command being typed (skipping options and their values) and offers what fits. zsh
 * loads the same script through bashcompinit.
 */
export function bashScript(root: CommandSpec): string {
  const all = flatten(root);
  const globalValued = root.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
  const child = all.flatMap((spec) =>
    spec.children.map((c): [string[], string] => [c.names.map((n) => `${spec.path}|${n}`), `echo ${quote(c.path)}`]),
  );
  const commands = all
    .filter((spec) => spec.children.length > 0)
    .map((spec): [string[], string] => [[spec.path], `echo ${quote(spec.children.flatMap((c) => c.names).join(" "))}`]);
  const options = all.map((spec): [string[], string] => [
    [spec.path],
    `echo ${quote(spec.options.flatMap((o) => o.flags).join(" "))}`,
  ]);
  const valued = all.flatMap((spec) =>
    spec.options.filter((o) => o.takesValue).flatMap((o) => o.flags.map((flag) => `${spec.path}|${flag}`)),
  );
  const values: [string[], string][] = [];
  for (const spec of all) {
    for (const option of spec.options) {
      const body = valueBody(option.values);
      if (body) values.push([option.flags.map((flag) => `${spec.path}|${flag}`), body]);
    }
    spec.args.forEach((arg, index) => {
      const body = valueBody(arg);
      if (body) values.push([[`${spec.path}|#${index + 1}`], body]);
    });
  }
  // Global options (--db) are understood after any command too.
  const globalPatterns = globalValued.map((flag) => `*"|${flag}"`).join("|");
  return `# bash completion for queuectl, generated from its command definitions by \`queuectl completion bash\`.
# Load it with:  source <(queuectl completion bash)

_queuectl_child() {
  case "$1|$2" in
${branches(child)}
    *) return 1 ;;
  esac
}

_queuectl_commands() {
  case "$1" in
${branches(commands)}
  esac
}

_queuectl_options() {
  case "$1" in
${branches(options)}
  esac
}

_queuectl_takes_value() {
  case "$1|$2" in
${branches([[valued, "return 0"]])}
${globalPatterns ? `    ${globalPatterns}) return 0 ;;\n` : ""}  esac
  return 1
}

# $1 the command's path, $2 an option or "#N" (the Nth argument), $3 the word typed, $4 the --db given
_queuectl_values() {
  case "$1|$2" in
${branches(values)}
  esac
}

_queuectl_files() {
  local IFS=$'\\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$1"))
}

# Values only the store knows (job ids), asked of the same queuectl and store the line names.
_queuectl_dynamic() {
  local -a db=()
  [[ -n $3 ]] && db=(--db "$3")
  local IFS=$'\\n'
  COMPREPLY=($("\${COMP_WORDS[0]}" "\${db[@]}" __complete "$1" "$2" 2>/dev/null))
}

# "command", not "path": zsh ties $path to $PATH.
_queuectl() {
  [[ -n \${ZSH_VERSION-} ]] && setopt localoptions ksharrays
  local cur="\${COMP_WORDS[COMP_CWORD]}" command="" db="" expect="" word next
  local -i i args=0
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if [[ -n $expect ]]; then
      [[ $expect == --db ]] && db="$word"
      expect=""
      continue
    fi
    case "$word" in
      --db=*) db="\${word#--db=}" ;;
      -*=* | --) ;;
      -*) _queuectl_takes_value "$command" "$word" && expect="$word" ;;
      *)
        if ((args == 0)) && next=$(_queuectl_child "$command" "$word"); then
          command="$next"
        else
          args=$((args + 1))
        fi
        ;;
    esac
  done
  if [[ -n $expect ]]; then
    _queuectl_values "$command" "$expect" "$cur" "$db"
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_queuectl_options "$command")" -- "$cur"))
  elif ((args == 0)) && [[ -n $(_queuectl_commands "$command") ]]; then
    COMPREPLY=($(compgen -W "$(_queuectl_commands "$command")" -- "$cur"))
  else
    _queuectl_values "$command" "#$((args + 1))" "$cur" "$db"
  fi
  return 0
}

complete -F _queuectl queuectl
`;
}
