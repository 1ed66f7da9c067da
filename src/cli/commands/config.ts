import type { Command } from "commander";
import { CONFIG_DEFAULTS, CONFIG_HELP, CONFIG_KEYS } from "../../core/config.js";
import { checkConfigKey } from "../../core/config-input.js";
import { withQueue } from "../context.js";
import { color, printJson, table } from "../format.js";

export function registerConfig(program: Command): void {
  const config = program
    .command("config")
    .description("settings shared by every worker of this queue (stored in the database)")
    .addHelpText(
      "after",
      `\nKeys:\n${CONFIG_KEYS.map((k) => `  ${k.padEnd(22)}${CONFIG_HELP[k]} (default ${CONFIG_DEFAULTS[k]})`).join("\n")}`,
    );

  config
    .command("show")
    .description("every setting with its value")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      await withQueue(command, async (queue) => {
        const values = await queue.config();
        if (options.json) return printJson(values);
        console.log(
          table(
            ["key", "value", "default", "meaning"],
            CONFIG_KEYS.map((k) => [
              k,
              values[k] === CONFIG_DEFAULTS[k] ? String(values[k]) : color.bold(String(values[k])),
              CONFIG_DEFAULTS[k],
              CONFIG_HELP[k],
            ]),
          ),
        );
      });
    });

  config
    .command("get")
    .description("one setting's value")
    .argument("<key>", CONFIG_KEYS.join(" | "))
    .action(async (key: string, _options: unknown, command: Command) => {
      const known = checkConfigKey(key);
      await withQueue(command, async (queue) => console.log(String((await queue.config())[known])));
    });

  config
    .command("set")
    .description("change one setting for every worker (running workers pick it up within seconds)")
    .argument("<key>", CONFIG_KEYS.join(" | "))
    .argument("<value>", "the new value")
    .action(async (key: string, value: string, _options: unknown, command: Command) => {
      // setConfig validates the key and the value (exit 2) before anything is written.
      await withQueue(command, async (queue) => console.log(`${key} = ${await queue.setConfig(key, value)}`));
    });
}
