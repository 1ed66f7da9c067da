import { api, type Job } from "./api.js";
import { isFinished } from "./core/job-state.js";
import { act, button } from "./widgets.js";

/**
 * The job page's Cancel button, for a job that is not finished, after a confirm: a waiting job is
 * cancelled at once; a running one gets SIGTERM, then SIGKILL after the kill-grace setting.
 */
export function cancelButton(job: Job, reload: () => Promise<void>): HTMLButtonElement | null {
  if (isFinished(job.state)) return null;
  const running = job.state === "processing";
  const label = job.cancel_requested ? "Cancelling…" : "Cancel";
  const cancel = button(
    label,
    (b) => {
      const question = running
        ? `Cancel job ${job.id}? Its processes get SIGTERM, then SIGKILL after the grace period.`
        : `Cancel job ${job.id}? It will not run.`;
      if (!window.confirm(question)) return;
      void act(b, async () => {
        const done = await api.post<Job>(`/api/jobs/${encodeURIComponent(job.id)}/cancel`, {});
        await reload();
        return done.state === "cancelled" ? "Job cancelled" : "Cancelling: the job's processes were signalled";
      });
    },
    "danger",
  );
  cancel.dataset.action = "cancel";
  return cancel;
}
