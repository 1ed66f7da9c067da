import type { Attempt, Job } from "./api.js";
import { maxRuns } from "./core/job-state.js";
import { h } from "./dom.js";
import { duration, timeout } from "./format.js";
import { badge, time } from "./widgets.js";

/** A job's fields as a list of facts; `attempts` name the worker of a finished job. */
export function jobFacts(current: Job, attempts: Attempt[]): HTMLElement {
  const fact = (label: string, value: Node | string) => [h("dt", {}, label), h("dd", {}, value)];
  return h(
    "dl",
    { class: "facts wide" },
    fact("Command", h("code", { class: "command-full" }, current.command)),
    fact("State", badge(current.state, current.scheduled, current.blocked)),
    current.blocked_reason ? fact("Blocked", current.blocked_reason) : [],
    fact("Queue", current.queue),
    current.cancel_requested
      ? fact(
          "Cancelling",
          `${current.cancel_requested.signal}, then SIGKILL after ${duration(current.cancel_requested.grace_ms)}`,
        )
      : [],
    fact("Priority", String(current.priority)),
    fact("Attempts", `${current.attempts} of ${maxRuns(current)}`),
    fact("Timeout", timeout(current.timeout)),
    fact("Directory", current.cwd === null ? "the worker's" : h("code", {}, current.cwd)),
    current.env === null
      ? []
      : fact(
          "Environment",
          h(
            "code",
            { class: "command-full" },
            Object.entries(current.env)
              .map(([k, v]) => `${k}=${v}`)
              .join("\n"),
          ),
        ),
    fact("Run at", time(current.run_at)),
    fact("Created", time(current.created_at)),
    fact("Started", time(current.started_at)),
    fact("Finished", time(current.finished_at)),
    fact("Exit code", current.exit_code === null ? "—" : String(current.exit_code)),
    fact("Duration", duration(current.duration_ms)),
    // A finished job holds no worker any more; its latest attempt names the one that ran it.
    fact("Worker", current.worker_id ?? attempts.at(-1)?.worker_id ?? "—"),
    current.schedule
      ? fact("Schedule", h("a", { href: "#/schedules", "data-schedule": current.schedule }, current.schedule))
      : [],
    current.last_error ? fact("Last error", h("span", { class: "error-text" }, current.last_error)) : [],
    current.key !== null ? fact("Key", h("code", {}, current.key)) : [],
    current.no_retry_exit_codes.length > 0
      ? fact("No retry on", `exit code ${current.no_retry_exit_codes.join(", ")}`)
      : [],
  );
}
