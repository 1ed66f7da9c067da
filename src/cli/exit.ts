/**
 * Ends a command with a chosen exit code (a followed job's own code, 124 for a wait that timed
 * out), after saying why on stderr: each line is printed as "queuectl: <line>". Not a failure of
 * queuectl, so it is not a QueueError.
 */
export class ExitStatus extends Error {
  constructor(
    readonly code: number,
    readonly lines: readonly string[] = [],
  ) {
    super(lines[0] ?? `exit ${code}`);
    this.name = "ExitStatus";
  }
}

/** The exit code of a wait that timed out, as timeout(1) has it. */
export const TIMED_OUT = 124;
