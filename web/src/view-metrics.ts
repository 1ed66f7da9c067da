import { api, query, type Metrics, type QueueView } from "./api.js";
import { throughputChart } from "./chart.js";
import { h, replace, type Child } from "./dom.js";
import { count, duration, percent } from "./format.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { failure, jobLink, pageHeader } from "./widgets.js";

const RANGES = [
  { label: "10 min", bucket: 10, buckets: 60 },
  { label: "1 hour", bucket: 60, buckets: 60 },
  { label: "24 hours", bucket: 1800, buckets: 48 },
] as const;

const unit = (text: string): HTMLElement => h("span", { class: "card-unit" }, ` ${text}`);

/** A rate, to two decimals while small (0.08), whole when large (1,234). */
const rate = (n: number): string => (n < 10 ? n.toFixed(2) : count(Math.round(n)));

/**
 * The queue picker: every queue, or one (`#/metrics?queue=NAME`, so a queue's figures can be linked
 * to). Its options fill in once the queues are read; the one in the address is offered meanwhile.
 */
function queuePicker(current: string): HTMLSelectElement {
  const option = (name: string) => h("option", { value: name, selected: name === current }, name);
  const select = h(
    "select",
    { name: "queue", "aria-label": "Queue" },
    h("option", { value: "" }, "all queues"),
    current ? option(current) : null,
  );
  select.addEventListener("change", () => {
    location.hash = `#/metrics${query({ queue: select.value })}`;
  });
  api
    .get<QueueView[]>("/api/queues")
    .then((queues) => {
      const names = queues.map((q) => q.name);
      if (current && !names.includes(current)) names.push(current);
      replace(select, h("option", { value: "" }, "all queues"), names.sort().map(option));
    })
    .catch(() => {}); // the picker keeps what it has; the figures say what failed
  return select;
}

/** Success rate, durations (avg, p50, p95, fastest, slowest), throughput over a chosen range; of all queues or one. */
export const metricsView: View = (root, params) => {
  const queue = params.get("queue") ?? "";
  let range: (typeof RANGES)[number] = RANGES[1];
  const cards = h("section", { class: "cards" });
  const chart = h("section", { class: "panel" });
  const extremes = h("section", { class: "panel" });
  const picker = h(
    "div",
    { class: "segmented", role: "group", "aria-label": "Range" },
    RANGES.map((r) => {
      const b = h("button", { type: "button", "aria-pressed": String(r === range) }, r.label);
      b.addEventListener("click", () => {
        range = r;
        for (const other of picker.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === b));
        void load();
      });
      return b;
    }),
  );
  replace(
    root,
    pageHeader(queue ? `Metrics of ${queue}` : "Metrics", queuePicker(queue), picker),
    cards,
    chart,
    extremes,
  );

  const card = (label: string, value: Child, note?: string) =>
    h(
      "div",
      { class: "card" },
      h("span", { class: "card-label" }, label),
      h("span", { class: "card-value" }, value),
      note ? h("span", { class: "card-note" }, note) : null,
    );

  const load = async (): Promise<void> => {
    try {
      const m = await api.get<Metrics>(`/api/metrics${query({ bucket: range.bucket, buckets: range.buckets, queue })}`);
      replace(
        cards,
        card(
          "success rate",
          percent(m.success_rate),
          `${count(m.counts.completed)} completed · ${count(m.counts.dead)} dead`,
        ),
        card("avg duration", duration(m.duration_ms.avg)),
        card("p50", duration(m.duration_ms.p50)),
        card("p95", duration(m.duration_ms.p95)),
        card(
          "last minute",
          [count(m.throughput.last_minute), unit("jobs")],
          `completed · ${m.throughput.per_second_last_minute.toFixed(1)} / s`,
        ),
        card(
          "last hour",
          [rate(m.throughput.last_hour), unit("jobs/min")],
          `completed, avg over the last hour · ${count(Math.round(m.throughput.last_hour * 60))} in all`,
        ),
        card("runs", count(m.attempts_total), `${count(m.attempts_failed)} failed`),
      );
      replace(
        chart,
        h("h2", {}, `Throughput, last ${range.label}`),
        throughputChart(m.series.points, m.series.bucket_seconds),
      );
      replace(
        extremes,
        h("h2", {}, "Fastest and slowest"),
        h(
          "dl",
          { class: "facts" },
          h("dt", {}, "Fastest"),
          h("dd", {}, m.fastest ? [jobLink(m.fastest.job_id), ` · ${duration(m.fastest.duration_ms)}`] : "—"),
          h("dt", {}, "Slowest"),
          h("dd", {}, m.slowest ? [jobLink(m.slowest.job_id), ` · ${duration(m.slowest.duration_ms)}`] : "—"),
        ),
      );
    } catch (error) {
      replace(cards, failure(error));
    }
  };
  const reload = throttle(() => void load(), 3000);
  void load();
  const offs = [on("counts", () => reload()), on("open", () => reload())];
  return () => offs.forEach((off) => off());
};
