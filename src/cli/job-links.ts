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
    ["dependencies (it waits for)", links.dependencies, links.dependencies_total],
    ["dependents (waiting for it)", links.dependents, links.dependents_total],
  ] as const;
  for (const [title, list, total] of sides) {
    if (list.length === 0) continue;
    console.log();
    console.log(color.dim(list.length < total ? `${title}: ${list.length} of ${total}` : `${title}:`));
    console.log(table(["id", "state", "command"], list.map(linkRow)));
  }
}

function linkRow(link: JobLink): string[] {
  const state = isBlocked({ state: link.state, waiting_on: link.blocked ? 1 : 0 })
    ? color.yellow(`${link.state} (blocked)`)
    : stateLabel(link.state);
  return [text(link.id), state, truncate(link.command, 60)];
}
