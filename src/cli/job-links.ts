import { blockedReason, type JobLink, type JobLinks } from "../core/dependencies.js";
import { isBlocked } from "../core/job-state.js";
import type { Job } from "../core/types.js";
import { color, stateLabel, table, text, truncate } from "./format.js";

/** `job show`'s lines about dependencies: what the job waits for, and why it is blocked. */
export function linkFields(job: Job, links: JobLinks): [string, string][] {
  const fields: [string, string][] = [];
  if (job.after.length > 0) fields.push(["after", text(job.after.join(", "))]);
  const reason = blockedReason(job, links.dependencies);
  if (reason !== null) fields.push(["blocked", text(reason)]);
  return fields;
}

/** The job's dependencies and dependents, each with its state (bounded lists, with the total). */
export function printLinks(links: JobLinks): void {
  const sides = [
    ["dependencies (it waits for)", links.dependencies, links.dependencies_total, true],
    ["dependents (waiting for it)", links.dependents, links.dependents_total, false],
  ] as const;
  for (const [title, list, total, isDependency] of sides) {
    if (list.length === 0) continue;
    console.log();
    console.log(color.dim(list.length < total ? `${title}: ${list.length} of ${total}` : `${title}:`));
    console.log(
      table(
        ["id", "state", "command"],
        list.map((link) => linkRow(link, isDependency)),
      ),
    );
  }
}

/** A dependency that completed once and was run again since is marked: the job no longer waits for it. */
function linkRow(link: JobLink, isDependency: boolean): string[] {
  const state = isBlocked({ state: link.state, waiting_on: link.blocked ? 1 : 0 })
    ? color.yellow(`${link.state} (blocked)`)
    : isDependency && link.satisfied && link.state !== "completed"
      ? `${stateLabel(link.state)} ${color.dim("(completed before)")}`
      : stateLabel(link.state);
  return [text(link.id), state, truncate(link.command, 60)];
}
