import type { Point } from "./api.js";
import { h, svg } from "./dom.js";

/**
 * The bars are drawn in a viewBox stretched to the figure (preserveAspectRatio none): W units
 * across whatever width, and H units for H CSS pixels of height. The labels are HTML beside and
 * below it, so their text keeps its size at any width (text inside a scaled SVG would not).
 */
const W = 640;
const H = 160;
const TOP = 8;

function clock(iso: string, bucketSeconds: number): string {
  const date = new Date(iso);
  return bucketSeconds >= 3600
    ? date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit" })
    : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A nice round upper bound for the y axis. */
function ceiling(max: number): number {
  if (max <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/**
 * Finished runs per time bucket as stacked bars (completed below, failed on top), drawn as
 * inline SVG: no library, no inline script or style, scales with its container.
 */
export function throughputChart(points: Point[], bucketSeconds: number): HTMLElement {
  const max = ceiling(Math.max(0, ...points.map((p) => p.completed + p.failed)));
  const innerH = H - TOP - 1;
  const slot = W / Math.max(points.length, 1);
  const barW = Math.max(1, slot * 0.75);
  const y = (value: number): number => TOP + innerH - (value / max) * innerH;

  const levels = [0, 0.5, 1].map((f) => max * f);
  const grid = svg(
    "g",
    { class: "grid" },
    levels.map((v) => svg("line", { x1: 0, x2: W, y1: y(v), y2: y(v), "vector-effect": "non-scaling-stroke" })),
  );
  const yLabels = levels.map((v) => {
    const label = h("span", { class: "axis-label" }, String(Number(v.toFixed(1))));
    label.style.top = `${y(v)}px`; // through the CSSOM: the CSP forbids style attributes
    return label;
  });

  const bars = points.map((point, index) => {
    const x = index * slot + (slot - barW) / 2;
    const title = `${new Date(point.at).toLocaleString()}: ${point.completed} completed, ${point.failed} failed`;
    return svg(
      "g",
      { class: "bar" },
      svg("title", {}, title),
      svg("rect", {
        class: "ok",
        x,
        width: barW,
        y: y(point.completed),
        height: Math.max(0, y(0) - y(point.completed)),
      }),
      svg("rect", {
        class: "bad",
        x,
        width: barW,
        y: y(point.completed + point.failed),
        height: Math.max(0, y(point.completed) - y(point.completed + point.failed)),
      }),
    );
  });

  const first = points[0];
  const last = points.at(-1);
  const xLabels = [first, last].map((point) =>
    h("span", { class: "axis-label" }, point ? clock(point.at, bucketSeconds) : ""),
  );

  const total = points.reduce((sum, p) => sum + p.completed + p.failed, 0);
  return h(
    "figure",
    { class: "chart" },
    h(
      "div",
      { class: "chart-body" },
      h("div", { class: "chart-y", "aria-hidden": "true" }, yLabels),
      svg(
        "svg",
        {
          viewBox: `0 0 ${W} ${H}`,
          preserveAspectRatio: "none",
          role: "img",
          "aria-label": `Throughput: ${total} finished runs`,
        },
        grid,
        bars,
      ),
      h("div", { class: "chart-x", "aria-hidden": "true" }, xLabels),
    ),
    h(
      "figcaption",
      {},
      h("span", { class: "key ok" }, "completed"),
      h("span", { class: "key bad" }, "failed"),
      h(
        "span",
        { class: "muted" },
        `per ${bucketSeconds >= 3600 ? `${bucketSeconds / 3600} h` : bucketSeconds >= 60 ? `${bucketSeconds / 60} min` : `${bucketSeconds} s`}`,
      ),
    ),
  );
}
