import { api, type Counts, type Metrics, type Status, type Worker } from "./api.js";
import { throughputChart } from "./chart.js";
import { h, replace } from "./dom.js";
import { count, duration, percent } from "./format.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { failure, pageHeader, STATE_ORDER, time } from "./widgets.js";

/** Overview: counts per state, success rate, throughput over the last hour, worker health. */
export const overviewView: View = (root) => {
  const cards = h("section", { class: "cards", "aria-label": "Jobs per state" });
  const health = h("section", { class: "panel" });
  const chart = h("section", { class: "panel" });
  const summary = h("section", { class: "cards small" });
  replace(root, pageHeader("Overview"), cards, summary, h("div", { class: "split" }, chart, health));

  const drawCounts = (counts: Counts): void => {
    replace(
      cards,
      STATE_ORDER.map((state) =>
        h(
          "a",
          { class: `card state-${state}`, href: `#/jobs?state=${state}`, "data-count": state },
          h("span", { class: "card-label" }, state),
          h("span", { class: "card-value" }, count(counts[state])),
        ),
      ),
    );
  };

  const drawWorkers = (workers: Worker[], status?: Status): void => {
    const alive = workers.filter((w) => w.status !== "lost");
    const slots = alive.reduce((sum, w) => sum + w.slots, 0);
    const busy = alive.reduce((sum, w) => sum + w.running.length, 0);
    replace(
      health,
      h("h2", {}, "Worker health"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Workers"),
        h(
          "dd",
          {},
          `${alive.length} alive`,
          workers.length > alive.length
            ? h("span", { class: "warn" }, ` · ${workers.length - alive.length} lost`)
            : null,
        ),
        h("dt", {}, "Slots busy"),
        h("dd", {}, `${busy} of ${slots}`),
        status
          ? [
              h("dt", {}, "Oldest ready job waits"),
              h(
                "dd",
                {},
                status.health.oldest_ready_ms === null ? "none waiting" : duration(status.health.oldest_ready_ms),
              ),
            ]
          : null,
        status
          ? [
              h("dt", {}, "Next scheduled run"),
              h("dd", {}, status.health.next_run_at === null ? "—" : time(status.health.next_run_at)),
            ]
          : null,
      ),
      alive.length === 0
        ? h("p", { class: "notice" }, "No worker is running: jobs wait. ", h("a", { href: "#/workers" }, "Start one"))
        : null,
    );
  };

  const drawMetrics = (metrics: Metrics): void => {
    replace(
      summary,
      h(
        "div",
        { class: "card" },
        h("span", { class: "card-label" }, "success rate"),
        h("span", { class: "card-value" }, percent(metrics.success_rate)),
      ),
      h(
        "div",
        { class: "card" },
        h("span", { class: "card-label" }, "completed / min"),
        h("span", { class: "card-value" }, count(metrics.throughput.last_minute)),
      ),
      h(
        "div",
        { class: "card" },
        h("span", { class: "card-label" }, "p95 duration"),
        h("span", { class: "card-value" }, duration(metrics.duration_ms.p95)),
      ),
      h(
        "div",
        { class: "card" },
        h("span", { class: "card-label" }, "total jobs"),
        h("span", { class: "card-value" }, count(metrics.total_jobs)),
      ),
    );
    replace(
      chart,
      h("h2", {}, "Throughput, last hour"),
      throughputChart(metrics.series.points, metrics.series.bucket_seconds),
    );
  };

  const load = async (): Promise<void> => {
    try {
      const [status, metrics] = await Promise.all([api.get<Status>("/api/status"), api.get<Metrics>("/api/metrics")]);
      drawCounts(status.counts);
      drawWorkers(status.workers, status);
      drawMetrics(metrics);
    } catch (error) {
      replace(cards, failure(error));
    }
  };
  const reload = throttle(() => void load(), 2000);
  void load();
  const offs = [
    on("counts", (counts) => {
      drawCounts(counts);
      reload();
    }),
    on("workers", () => reload()),
    on("open", () => reload()),
  ];
  return () => offs.forEach((off) => off());
};
