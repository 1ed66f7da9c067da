/**
 * A message for people — "no jobs", a hint, a confirmation — on stderr, so that stdout carries
 * only data (tables, ids, JSON, output bytes) and `queuectl list | wc -l` counts jobs.
 */
export function tell(line: string): void {
  process.stderr.write(`${line}\n`);
}
