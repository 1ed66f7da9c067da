import { bashScript } from "./bash.js";
import type { CommandSpec } from "./spec.js";

/**
 * The zsh script: zsh's bashcompinit runs bash completion functions, so the bash script serves
 * both shells from one definition (its walker turns on ksharrays under zsh: arrays from 0).
 */
export function zshScript(root: CommandSpec): string {
  const bash = bashScript(root).replace(/^(# .*\n)+/, "");
  return `#compdef queuectl
# zsh completion for queuectl, generated from its command definitions by \`queuectl completion zsh\`.
# Load it with:  source <(queuectl completion zsh)   (after compinit)

autoload -U +X compinit && { (( $+functions[compdef] )) || compinit; }
autoload -U +X bashcompinit && bashcompinit
${bash}`;
}
