import type { Point } from "./api.js";
import { h, svg } from "./dom.js";

const W = 640;
const H = 180;
const PAD = { top: 12, right: 8, bottom: 22, left: 36 };

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
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(points.length, 1);
  const barW = Math.max(1, slot * 0.75);
  const y = (value: number): number => PAD.top + innerH - (value / max) * innerH;

  const grid = [0, 0.5, 1].map((f) =>
    svg(
      "g",
      { class: "grid" },
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(max * f), y2: y(max * f) }),
      svg("text", { x: PAD.left - 6, y: y(max * f) + 4, "text-anchor": "end" }, String(Number((max * f).toFixed(1)))),
    ),
  );

  const bars = points.map((point, index) => {
    const x = PAD.left + index * slot + (slot - barW) / 2;
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
  const labels = [
    first ? svg("text", { x: PAD.left, y: H - 6, "text-anchor": "start" }, clock(first.at, bucketSeconds)) : null,
    last ? svg("text", { x: W - PAD.right, y: H - 6, "text-anchor": "end" }, clock(last.at, bucketSeconds)) : null,
  ];

  const total = points.reduce((sum, p) => sum + p.completed + p.failed, 0);
  return h(
    "figure",
    { class: "chart" },
    svg(
      "svg",
      { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Throughput: ${total} finished runs` },
      grid,
      bars,
      svg("g", { class: "axis" }, labels),
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
