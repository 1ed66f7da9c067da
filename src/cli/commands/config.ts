import { Argument, type Command } from "commander";
import { CONFIG_DEFAULTS, CONFIG_HELP, CONFIG_KEYS } from "../../core/config.js";
import { checkConfigKey } from "../../core/config-input.js";
import { completes } from "../completion/spec.js";
import { withQueue } from "../context.js";
import { color, printJson, table } from "../format.js";
import { tell } from "../tell.js";

/** The key argument: checked by the core (one message for every face), completed from the keys. */
const keyArgument = () =>
  completes(new Argument("<key>", CONFIG_KEYS.join(" | ")), { kind: "words", words: CONFIG_KEYS });

export function registerConfig(program: Command): void {
  const config = program
    .command("config")
    .description("settings shared by every worker of this queue (stored in the database)")
    .addHelpText(
      "after",
      `\nKeys:\n${CONFIG_KEYS.map((k) => `  ${k.padEnd(22)}${CONFIG_HELP[k]} (default ${shown(CONFIG_DEFAULTS[k])})`).join("\n")}`,
    );

  config
    .command("show")
    .alias("list")
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
              values[k] === CONFIG_DEFAULTS[k] ? shown(values[k]) : color.bold(shown(values[k])),
              shown(CONFIG_DEFAULTS[k]),
              CONFIG_HELP[k],
            ]),
          ),
        );
      });
    });

  config
    .command("get")
    .description("one setting's value")
    .addArgument(keyArgument())
    .option("--json", "print JSON: {key, value}")
    .action(async (key: string, options: { json?: boolean }, command: Command) => {
      const known = checkConfigKey(key);
      const value = await withQueue(command, async (queue) => (await queue.config())[known]);
      if (options.json) printJson({ key: known, value });
      else console.log(String(value));
    });

  config
    .command("set")
    .description("change one setting for every worker (running workers pick it up within seconds)")
    .addArgument(keyArgument())
    .argument("<value>", "the new value")
    .option("--json", "print JSON: {key, value} as stored")
    .action(async (key: string, value: string, options: { json?: boolean }, command: Command) => {
      // setConfig validates the key and the value (exit 2) before anything is written.
      const stored = await withQueue(command, (queue) => queue.setConfig(key, value));
      if (options.json) printJson({ key, value: stored });
      else tell(`${key} = ${stored}`);
    });
}

/** A value for people: an empty text setting is "(none)". */
function shown(value: number | string): string {
  return value === "" ? "(none)" : String(value);
}
