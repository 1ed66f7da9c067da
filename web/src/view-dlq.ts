import { api, query, type Job, type JobPage } from "./api.js";
import { h, replace } from "./dom.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { act, button, commandCell, failure, jobLink, pageHeader, row, table, time } from "./widgets.js";

const HEADERS = ["ID", "Command", "Attempts", "Last error", "Died", ""];
const PAGE_SIZE = 100;

/** The dead letter queue: jobs that used up their retries; retry one or all. */
export const dlqView: View = (root, params) => {
  const cursor = params.get("cursor") ?? "";
  const body = h("div", {});
  const pager = h("div", { class: "pager" });
  const retryAll = button(
    "Retry all",
    (b) =>
      void act(b, async () => {
        const { retried } = await api.post<{ retried: number }>("/api/dlq/retry-all");
        await load();
        return `${retried} job${retried === 1 ? "" : "s"} back to pending`;
      }),
    "primary",
  );
  replace(
    root,
    pageHeader("Dead letter queue", retryAll),
    h(
      "p",
      { class: "muted" },
      "Jobs that failed on every attempt. A retry puts a job back to pending with its attempt count reset; its history is kept.",
    ),
    body,
    pager,
  );

  const deadRow = (job: Job): HTMLTableRowElement =>
    row(
      HEADERS,
      [
        jobLink(job.id),
        commandCell(job),
        String(job.attempts),
        job.last_error ? h("span", { class: "error-text" }, job.last_error) : "—",
        time(job.finished_at ?? job.updated_at),
        button(
          "Retry",
          (b) =>
            void act(b, async () => {
              await api.post(`/api/dlq/${encodeURIComponent(job.id)}/retry`);
              await load();
              return `${job.id} back to pending`;
            }),
        ),
      ],
      { "data-job": job.id },
    );

  let shown = new Set<string>();
  const load = async (): Promise<void> => {
    try {
      const page = await api.get<JobPage>(`/api/dlq${query({ cursor, limit: PAGE_SIZE })}`);
      shown = new Set(page.jobs.map((job) => job.id));
      replace(body, table(HEADERS, page.jobs.map(deadRow), "The dead letter queue is empty."));
      retryAll.disabled = page.jobs.length === 0;
      replace(
        pager,
        cursor ? h("a", { class: "button", href: "#/dlq" }, "← First page") : null,
        page.next_cursor
          ? h("a", { class: "button", href: `#/dlq${query({ cursor: page.next_cursor })}` }, "Older →")
          : null,
      );
    } catch (error) {
      replace(body, failure(error));
    }
  };
  const reload = throttle(() => void load(), 1000);
  void load();
  const offs = [
    on("jobs", (jobs) => {
      if (jobs.some((job) => job.state === "dead" || shown.has(job.id))) reload();
    }),
    on("open", () => reload()),
  ];
  return () => offs.forEach((off) => off());
};
