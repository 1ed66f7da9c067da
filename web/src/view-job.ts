import { ApiError, api, query, type Attempt, type Job, type Links, type Output } from "./api.js";
import { jobFacts } from "./view-job-facts.js";
import { drawLinks } from "./view-job-links.js";
import { isFinished } from "./core/job-state.js";
import { h, replace } from "./dom.js";
import { bytes, duration } from "./format.js";
import { on } from "./live.js";
import type { View } from "./main.js";
import { act, badge, button, failure, pageHeader, row, table, time } from "./widgets.js";
import { cancelButton } from "./cancel-button.js";

const ATTEMPT_HEADERS = ["#", "Outcome", "Exit", "Started", "Duration", "Worker", "Error", "Output"];
/** How often the output of a running attempt is re-read. */
const TAIL_MS = 700;

/**
 * One job: its fields, every attempt, and the output of one attempt. While the job runs, the
 * output is re-read so it tails live; state changes arrive on the event stream.
 */
export const jobView: View = (root, _params, id) => {
  const jobId = id ?? "";
  const head = h("div", {});
  const facts = h("section", { class: "panel" });
  const attemptsBox = h("section", { class: "panel" });
  const linksBox = h("section", { class: "panel", "data-section": "dependencies" });
  const outputBox = h("section", { class: "panel output-panel" });
  replace(root, head, facts, linksBox, attemptsBox, outputBox);

  let job: Job | null = null;
  let attempts: Attempt[] = [];
  let stream: "stdout" | "stderr" = "stdout";
  let chosen: number | null = null; // null: follow the latest attempt
  let tail: number | null = null;
  let follow = true; // keep the output scrolled to its end while new lines arrive
  let left = false;

  const pre = h("pre", { class: "output", tabindex: "0", "aria-label": "Output" });
  pre.addEventListener("scroll", () => {
    follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
  });
  const outputMeta = h("p", { class: "muted output-meta" });

  const drawHead = (current: Job): void => {
    const path = `/api/jobs/${encodeURIComponent(current.id)}`;
    // Offered only when the server would allow it: retry a finished job, delete one not running.
    const retry = isFinished(current.state)
      ? button(
          "Retry",
          (b) =>
            void act(b, async () => {
              await api.post(`${path}/retry`);
              await load();
              return "Job back to pending";
            }),
          "primary",
        )
      : null;
    const remove =
      current.state !== "processing"
        ? button(
            "Delete",
            (b) =>
              void act(b, async () => {
                if (!confirm(`Delete job ${current.id} with its attempts and output?`)) return;
                await api.del(path);
                location.hash = "#/jobs";
                return `Deleted job ${current.id}`;
              }),
            "danger",
          )
        : null;
    replace(
      head,
      h("nav", { class: "crumbs" }, h("a", { href: "#/jobs" }, "Jobs"), " / "),
      pageHeader(
        current.id,
        badge(current.state, current.scheduled, current.blocked),
        retry,
        cancelButton(current, load),
        remove,
      ),
    );
  };

  const drawAttempts = (): void => {
    const rows = attempts.map((attempt) =>
      row(
        ATTEMPT_HEADERS,
        [
          String(attempt.number),
          badge(attempt.outcome),
          attempt.exit_code === null ? (attempt.signal ?? "—") : String(attempt.exit_code),
          time(attempt.started_at),
          duration(attempt.duration_ms),
          attempt.worker_id ?? "—",
          attempt.error ? h("span", { class: "error-text" }, attempt.error) : "—",
          button(
            `${bytes(attempt.stdout_bytes)} / ${bytes(attempt.stderr_bytes)}`,
            () => {
              chosen = attempt.number;
              void loadOutput();
            },
            "link",
          ),
        ],
        { "data-attempt": String(attempt.number) },
      ),
    );
    replace(attemptsBox, h("h2", {}, "Attempts"), table(ATTEMPT_HEADERS, rows, "Not run yet."));
  };

  const tabs = (["stdout", "stderr"] as const).map((name) => {
    const tab = h("button", { type: "button", role: "tab", class: "tab", "data-stream": name }, name);
    tab.addEventListener("click", () => {
      stream = name;
      void loadOutput();
    });
    return tab;
  });

  const attemptShown = (): number | undefined => chosen ?? attempts.at(-1)?.number;

  const loadOutput = async (): Promise<void> => {
    for (const tab of tabs) tab.setAttribute("aria-selected", String(tab.dataset.stream === stream));
    const number = attemptShown();
    if (number === undefined) {
      replace(outputMeta, "No output yet: the job has not run.");
      pre.textContent = "";
      return;
    }
    try {
      const output = await api.get<Output>(
        `/api/jobs/${encodeURIComponent(jobId)}/output${query({ stream, attempt: number })}`,
      );
      if (left) return;
      // textContent: output is shown as text, whatever it contains.
      if (pre.textContent !== output.text) {
        pre.textContent = output.text;
        if (follow) pre.scrollTop = pre.scrollHeight;
      }
      const running = job?.state === "processing" && number === attempts.at(-1)?.number;
      replace(
        outputMeta,
        `Attempt ${output.attempt} · ${output.stream} · ${bytes(output.total_bytes)}`,
        output.truncated ? " · cut to the head and tail" : "",
        output.pruned ? h("span", { class: "pruned" }, " · output pruned (retention-output)") : "",
        running ? h("span", { class: "tailing" }, " · tailing live") : "",
        " · ",
        h(
          "a",
          {
            href: `/api/jobs/${encodeURIComponent(jobId)}/output${query({ stream, attempt: number, format: "text" })}`,
            target: "_blank",
            rel: "noopener",
          },
          "raw",
        ),
      );
      if (output.text === "") pre.textContent = "";
      pre.dataset.empty = output.pruned ? "pruned" : String(output.text === "");
    } catch (error) {
      replace(outputMeta, failure(error));
    }
  };

  replace(
    outputBox,
    h("div", { class: "output-head" }, h("h2", {}, "Output"), h("div", { class: "tabs", role: "tablist" }, tabs)),
    outputMeta,
    pre,
  );

  const schedule = (): void => {
    if (tail !== null) window.clearTimeout(tail);
    tail = null;
    if (!left && job?.state === "processing") {
      tail = window.setTimeout(() => {
        void loadOutput().then(schedule);
      }, TAIL_MS);
    }
  };

  const load = async (): Promise<void> => {
    try {
      const { history, dependencies, dependencies_total, dependents, dependents_total, ...detail } = await api.get<
        Job & { history: Attempt[] } & Links
      >(`/api/jobs/${encodeURIComponent(jobId)}`);
      if (left) return;
      job = detail;
      attempts = history;
      drawHead(job);
      replace(facts, jobFacts(job, attempts));
      drawLinks(linksBox, job, { dependencies, dependencies_total, dependents, dependents_total });
      drawAttempts();
      await loadOutput();
      schedule();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        replace(
          root,
          h("nav", { class: "crumbs" }, h("a", { href: "#/jobs" }, "Jobs")),
          h("div", { class: "notice error" }, `No job with id ${jobId}.`),
        );
      } else {
        replace(facts, failure(error));
      }
    }
  };
  void load();

  const offs = [
    on("jobs", (jobs) => {
      if (jobs.some((changed) => changed.id === jobId)) void load();
    }),
    on("open", () => void load()),
  ];
  return () => {
    left = true;
    if (tail !== null) window.clearTimeout(tail);
    offs.forEach((off) => off());
  };
};
