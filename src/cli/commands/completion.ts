import { Argument, type Command } from "commander";
import { bashScript } from "../completion/bash.js";
import { fishScript } from "../completion/fish.js";
import { commandSpec, type DynamicSource } from "../completion/spec.js";
import { zshScript } from "../completion/zsh.js";
import { withQueue } from "../context.js";

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript };
const SOURCES: readonly DynamicSource[] = ["job-ids", "queue-names"];
/** Enough to choose from at a prompt; a store of a million jobs answers just as fast. */
const MAX_CANDIDATES = 100;

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print the shell completion script (commands, options, states, config keys, job ids)")
    .addArgument(new Argument("<shell>", "bash | zsh | fish").choices(Object.keys(SCRIPTS)))
    .addHelpText(
      "after",
      `
Install:
  bash  echo 'source <(queuectl completion bash)' >> ~/.bashrc
  zsh   echo 'source <(queuectl completion zsh)' >> ~/.zshrc
  fish  queuectl completion fish > ~/.config/fish/completions/queuectl.fish`,
    )
    .action((shell: keyof typeof SCRIPTS) => {
      process.stdout.write(SCRIPTS[shell](commandSpec(program)));
    });

  // What the scripts ask at completion time; hidden from --help.
  program
    .command("__complete", { hidden: true })
    .addArgument(new Argument("<source>").choices(SOURCES))
    .argument("[prefix]", "", "")
    .action(async (source: DynamicSource, prefix: string, _options: unknown, command: Command) => {
      const ids = await withQueue(command, async (queue) =>
        source === "job-ids"
          ? queue.jobIdsByPrefix(prefix, MAX_CANDIDATES)
          : (await queue.queues())
              .map((q) => q.name)
              .filter((name) => name.startsWith(prefix))
              .slice(0, MAX_CANDIDATES),
      );
      if (ids.length > 0) process.stdout.write(`${ids.join("\n")}\n`);
    });
}
