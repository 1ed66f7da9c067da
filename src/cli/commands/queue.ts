import { Argument, Option, type Command } from "commander";
import { queueJson } from "../../core/json.js";
import type { QueueSettings } from "../../core/queues.js";
import { JOB_STATES } from "../../core/types.js";
import { completes } from "../completion/spec.js";
import { withQueue } from "../context.js";
import { printJson, table } from "../format.js";
import { tell } from "../tell.js";

/** A queue name argument, completed from the queues the store knows. */
export const queueNameArgument = () =>
  completes(new Argument("<name>", "queue name"), { kind: "dynamic", source: "queue-names" });

/** `--queue NAME`, completed from the store. */
export const queueOption = (description: string) =>
  completes(new Option("--queue <name>", description), { kind: "dynamic", source: "queue-names" });

function describe(q: QueueSettings): string {
  return `queue ${q.name}: ${q.paused ? "paused" : "active"}, concurrency ${q.concurrency ?? "none"}`;
}

export function registerQueue(program: Command): void {
  const queue = program
    .command("queue")
    .description("named queues: pause, resume, and limit how many of their jobs run at once (all hosts)");

  queue
    .command("list")
    .description("every queue: paused, concurrency, running jobs and jobs per state")
    .option("--json", "print a JSON array: {name, paused, concurrency, running, counts}")
    .action(async (options: { json?: boolean }, command: Command) => {
      const queues = await withQueue(command, (q) => q.queues());
      if (options.json) return printJson(queues.map(queueJson));
      if (queues.length === 0) return tell("no queues");
      console.log(
        table(
          ["queue", "paused", "concurrency", "running", ...JOB_STATES.filter((s) => s !== "processing")],
          queues.map((q) => [
            q.name,
            q.paused ? "yes" : "no",
            q.concurrency ?? "none",
            q.running,
            ...JOB_STATES.filter((s) => s !== "processing").map((s) => q.counts[s]),
          ]),
        ),
      );
    });

  const pauses = [
    ["pause", "workers start no new job of this queue (running ones finish)", true],
    ["resume", "workers take this queue's jobs again", false],
  ] as const;
  for (const [verb, what, paused] of pauses) {
    queue
      .command(verb)
      .description(what)
      .addArgument(queueNameArgument())
      .option("--json", "print JSON: {name, paused, concurrency}")
      .action(async (name: string, options: { json?: boolean }, command: Command) => {
        const settings = await withQueue(command, (q) => q.changeQueue(name, { paused }));
        if (options.json) printJson(settings);
        else tell(describe(settings));
      });
  }

  queue
    .command("set")
    .description("set a queue's concurrency: the most of its jobs running at once across every worker")
    .addArgument(queueNameArgument())
    .addArgument(new Argument("<setting>", "concurrency").choices(["concurrency"]))
    .argument("<value>", "an integer >= 1, or none for no limit")
    .option("--json", "print JSON: {name, paused, concurrency}")
    .action(async (name: string, _setting: string, value: string, options: { json?: boolean }, command: Command) => {
      // Validated before the store is opened: bad input writes nothing (exit 2).
      const { concurrencyFromText } = await import("../../core/queue-input.js");
      const wanted = concurrencyFromText(value);
      const settings = await withQueue(command, (q) => q.changeQueue(name, wanted));
      if (options.json) printJson(settings);
      else tell(describe(settings));
    });
}
