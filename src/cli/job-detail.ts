import { timeout } from "../core/format.js";
import type { JobLinks } from "../core/dependencies.js";
import { maxRuns } from "../core/job-state.js";
import type { Attempt, Job } from "../core/types.js";
import { linkFields, printLinks } from "./job-links.js";
import { bytes, color, duration, keyValues, jobStateLabel, table, text, truncate, when } from "./format.js";

/** `job show` for people: the job's fields, its links, and a table of its attempts. */
export function printJobDetail(found: Job, attempts: Attempt[], links: JobLinks): void {
  const now = Date.now();
  const fields: [string, string][] = [
    ["id", text(found.id)],
    // A script keeps its lines; every other control character is shown, not obeyed.
    ["command", text(found.command, { lines: true })],
    ["state", jobStateLabel(found, now)],
    ["queue", text(found.queue)],
    ["priority", String(found.priority)],
    ["attempts", `${found.attempts} of ${maxRuns(found)} (max_retries ${found.max_retries})`],
    ["timeout", timeout(found.timeout)],
    ["run at", when(found.own_run_at ?? found.run_at, now)],
    ["created", when(found.created_at, now)],
    ["started", when(found.started_at, now)],
    ["finished", when(found.finished_at, now)],
    ["exit code", found.exit_code === null ? "-" : String(found.exit_code)],
    ["duration", duration(found.duration_ms)],
    ["last error", text(found.last_error ?? "-")],
  ];
  if (found.worker_id) fields.push(["worker", text(found.worker_id)]);
  fields.push(["directory", found.cwd === null ? "the worker's" : text(found.cwd)]);
  // One variable a line; a value's own newlines are shown escaped so each line stays one variable.
  Object.entries(found.env ?? {}).forEach(([k, v], i) =>
    fields.push([i === 0 ? "environment" : "", text(`${k}=${v}`)]),
  );
  if (found.schedule) fields.push(["schedule", text(found.schedule)]);
  if (found.key !== null) fields.push(["key", text(found.key)]);
  if (found.no_retry_exit_codes.length > 0) {
    fields.push(["no retry on", `exit code ${found.no_retry_exit_codes.join(", ")}`]);
  }
  fields.push(...linkFields(found, links));
  console.log(keyValues(fields));
  printLinks(links);
  if (attempts.length === 0) return;
  console.log();
  console.log(
    table(
      ["#", "outcome", "started", "duration", "exit", "stdout", "stderr", "error"],
      attempts.map((a) => [
        a.number,
        a.outcome === "completed"
          ? color.green(a.outcome)
          : a.outcome === "running"
            ? color.yellow(a.outcome)
            : color.red(a.outcome),
        when(a.started_at, now),
        duration(a.duration_ms),
        a.exit_code ?? text(a.signal ?? "-"),
        bytes(a.stdout_bytes),
        bytes(a.stderr_bytes),
        truncate(a.error ?? "", 50),
      ]),
    ),
  );
}
