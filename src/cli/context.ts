import { InvalidArgumentError, type Command } from "commander";
import { Queue } from "../open.js";

/** Opens the queue the global --db (or $QUEUECTL_DB) names, runs `fn`, and always closes it. */
export async function withQueue<T>(command: Command, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const { db } = command.optsWithGlobals<{ db?: string }>();
  const queue = await Queue.open({ db });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

/** Commander option parser for whole numbers in a range. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Commander argument parser for ids: an empty one is a usage error (exit 2), not an unknown job. */
export function idArgument(value: string): string {
  if (value === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

/** Commander option parser for a positive number of seconds, at most `max`. */
export function secondsOption(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`must be a number of seconds above 0, at most ${max}`);
    }
    return n;
  };
}
