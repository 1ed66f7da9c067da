import { ApiError, api, query, type QueueView } from "./api.js";
import { h, replace } from "./dom.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { act, badge, button, failure, pageHeader, row, table, toast } from "./widgets.js";

const HEADERS = ["Queue", "Status", "Running", "Pending", "Failed", "Completed", "Dead", "Concurrency", ""];

/** The concurrency cell: the limit, editable; empty means none. */
function concurrencyForm(q: QueueView, reload: () => void): HTMLElement {
  const input = h("input", {
    type: "text",
    inputmode: "numeric",
    name: "concurrency",
    size: 5,
    value: q.concurrency === null ? "" : String(q.concurrency),
    placeholder: "none",
    "aria-label": `Concurrency of ${q.name}`,
  });
  const error = h("span", { class: "field-error", "data-error-for": "concurrency" });
  const save = h("button", { type: "submit" }, "Set");
  const form = h("form", { class: "inline-form", novalidate: true }, input, save, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const text = input.value.trim();
    // Sent as typed (a number when it reads as one): the server validates and names the field.
    const concurrency = text === "" || text === "none" ? null : /^-?\d+$/.test(text) ? Number(text) : text;
    void act(save, async () => {
      try {
        await api.put(`/api/queues/${encodeURIComponent(q.name)}`, { concurrency });
        reload();
        return `Queue ${q.name}: concurrency ${concurrency ?? "none"}`;
      } catch (failed) {
        if (failed instanceof ApiError && failed.fields.concurrency) error.textContent = failed.fields.concurrency;
        throw failed;
      }
    });
  });
  return form;
}

/** Named queues: jobs per state, running jobs, pause/resume and the concurrency limit of each. */
export const queuesView: View = (root) => {
  const body = h("div", {});
  replace(
    root,
    pageHeader("Queues"),
    body,
    h(
      "p",
      { class: "muted" },
      "Paused: workers start no new job of the queue; running ones finish. Concurrency: the most jobs of the queue running at once on all workers.",
    ),
  );

  const load = async (): Promise<void> => {
    try {
      draw(await api.get<QueueView[]>("/api/queues"));
    } catch (error) {
      replace(body, failure(error));
    }
  };
  const reload = throttle(() => void load(), 1000);

  const draw = (queues: QueueView[]): void => {
    const rows = queues.map((q) =>
      row(
        HEADERS,
        [
          [
            h("a", { href: `#/jobs${query({ queue: q.name })}` }, q.name),
            " ",
            h("a", { href: `#/metrics${query({ queue: q.name })}`, class: "muted", "data-metrics": q.name }, "metrics"),
          ],
          badge(q.paused ? "paused" : "active"),
          String(q.running),
          String(q.counts.pending),
          String(q.counts.failed),
          String(q.counts.completed),
          String(q.counts.dead),
          concurrencyForm(q, reload),
          button(
            q.paused ? "Resume" : "Pause",
            (b) =>
              void act(b, async () => {
                await api.post(`/api/queues/${encodeURIComponent(q.name)}/${q.paused ? "resume" : "pause"}`);
                reload();
                return `Queue ${q.name} ${q.paused ? "resumed" : "paused"}`;
              }),
          ),
        ],
        { "data-queue": q.name },
      ),
    );
    replace(body, table(HEADERS, rows, "No queue yet: a queue exists once a job names it."));
  };

  void load();
  const offs = [on("jobs", () => reload()), on("open", () => reload())];
  // Running counts change without a job event reaching this page in every case; a slow refresh.
  const ticker = window.setInterval(() => void load().catch((e: unknown) => toast(String(e), "error")), 5000);
  return () => {
    window.clearInterval(ticker);
    offs.forEach((off) => off());
  };
};
