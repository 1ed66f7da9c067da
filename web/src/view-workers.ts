import { ApiError, api, type Worker } from "./api.js";
import { h, replace } from "./dom.js";
import { on } from "./live.js";
import type { View } from "./main.js";
import { act, badge, button, failure, jobLink, pageHeader, row, table, time, toast } from "./widgets.js";

const HEADERS = ["Status", "Host", "PID", "Slots", "Queues", "Running", "Last heartbeat", "Started", ""];

/** Workers on every machine: health, what each runs; start a pool, drain or stop. */
export const workersView: View = (root) => {
  const body = h("div", {});
  const slots = h("input", {
    type: "text",
    inputmode: "numeric",
    name: "count",
    value: "4",
    size: 3,
    "aria-label": "Slots",
    id: "start-count",
  });
  const slotsError = h("span", { class: "field-error", "data-error-for": "count" });
  const startButton = h("button", { type: "submit", class: "primary" }, "Start pool");
  const startForm = h(
    "form",
    { class: "inline-form", novalidate: true },
    h("label", { for: "start-count" }, "Slots"),
    slots,
    startButton,
    slotsError,
  );
  startForm.addEventListener("submit", (event) => {
    event.preventDefault();
    slotsError.textContent = "";
    void act(startButton, async () => {
      try {
        const started = await api.post<{ pid: number; slots: number }>("/api/workers/start", {
          count: Number(slots.value) || slots.value,
        });
        return `Started a worker (pid ${started.pid}) with ${started.slots} slots`;
      } catch (error) {
        if (error instanceof ApiError && error.fields.count) slotsError.textContent = error.fields.count;
        throw error;
      }
    });
  });

  const stopAll = (now: boolean) => (b: HTMLButtonElement) =>
    void act(b, async () => {
      const { asked } = await api.post<{ asked: number }>("/api/workers/stop", { now });
      return asked === 0
        ? "No worker to stop"
        : `${asked} worker${asked === 1 ? "" : "s"} asked to ${now ? "stop now" : "drain"}`;
    });

  replace(
    root,
    pageHeader("Workers", button("Drain all", stopAll(false)), button("Stop all now", stopAll(true), "danger")),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Start a worker pool"),
      h(
        "p",
        { class: "muted" },
        "Runs ",
        h("code", {}, "queuectl worker start --count N"),
        " in the background on this machine (its log in $QUEUECTL_HOME/logs).",
      ),
      startForm,
    ),
    body,
    h(
      "p",
      { class: "muted" },
      "Drain: finish running jobs, take no new ones, exit. Stop now: running jobs go back to pending without using up a retry.",
    ),
  );

  const draw = (workers: Worker[]): void => {
    const rows = workers.map((worker) =>
      row(
        HEADERS,
        [
          badge(worker.status),
          worker.host,
          String(worker.pid),
          String(worker.slots),
          worker.queues ? worker.queues.join(", ") : "all",
          worker.running.length
            ? h(
                "span",
                { class: "running-list" },
                worker.running.map((id) => jobLink(id)),
              )
            : "idle",
          time(worker.heartbeat_at),
          time(worker.started_at),
          worker.status === "alive"
            ? button(
                "Drain",
                (b) =>
                  void act(b, async () => {
                    await api.post("/api/workers/stop", { id: worker.id });
                    return `Worker ${worker.pid} asked to drain`;
                  }),
              )
            : "",
        ],
        { "data-worker": worker.id },
      ),
    );
    replace(body, table(HEADERS, rows, "No worker is running."));
  };

  const load = async (): Promise<void> => {
    try {
      draw(await api.get<Worker[]>("/api/workers"));
    } catch (error) {
      replace(body, failure(error));
    }
  };
  void load();
  const offs = [on("workers", draw), on("open", () => void load())];
  // Relative heartbeat times age even when nothing changes.
  const ticker = window.setInterval(() => void load().catch((e: unknown) => toast(String(e), "error")), 5000);
  return () => {
    window.clearInterval(ticker);
    offs.forEach((off) => off());
  };
};
