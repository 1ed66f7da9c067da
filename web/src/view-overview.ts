import { api, type Counts, type Metrics, type Status } from "./api.js";
import { throughputChart } from "./chart.js";
import { JOB_STATES } from "./core/types.js";
import { h, replace } from "./dom.js";
import { count, duration, percent } from "./format.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { failure, pageHeader, time } from "./widgets.js";

/** Overview: counts per state, success rate, throughput over the last hour, worker health. */
export const overviewView: View = (root) => {
  const cards = h("section", { class: "cards", "aria-label": "Jobs per state" });
  const healthPanel = h("section", { class: "panel" });
  const chart = h("section", { class: "panel" });
  const summary = h("section", { class: "cards small" });
  replace(root, pageHeader("Overview"), cards, summary, h("div", { class: "split" }, chart, healthPanel));

  const drawCounts = (counts: Counts): void => {
    replace(
      cards,
      JOB_STATES.map((state) =>
        h(
          "a",
          { class: `card state-${state}`, href: `#/jobs?state=${state}`, "data-count": state },
          h("span", { class: "card-label" }, state),
          h("span", { class: "card-value" }, count(counts[state])),
        ),
      ),
    );
  };

  const drawHealth = ({ health }: Status): void => {
    replace(
      healthPanel,
      h("h2", {}, "Worker health"),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Workers"),
        h(
          "dd",
          {},
          `${health.live_workers} alive`,
          health.lost_workers > 0 ? h("span", { class: "warn" }, ` · ${health.lost_workers} lost`) : null,
        ),
        h("dt", {}, "Slots busy"),
        h("dd", {}, `${health.busy_slots} of ${health.slots}`),
        h("dt", {}, "Oldest ready job waits"),
        h("dd", {}, health.oldest_ready_ms === null ? "none waiting" : duration(health.oldest_ready_ms)),
        h("dt", {}, "Next scheduled run"),
        h("dd", {}, health.next_run_at === null ? "—" : time(health.next_run_at)),
      ),
      health.live_workers === 0
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
      drawHealth(status);
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
