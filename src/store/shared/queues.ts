import type { QueueInfo, QueueSettings } from "../../core/queues.js";
import { stateCounts } from "./metrics.js";

/** Joins settings and counts into one entry per queue, sorted by name (shared by both engines). */
export function queueInfos(
  settings: readonly QueueSettings[],
  counts: readonly { queue: string; state: string; n: number | string }[],
): QueueInfo[] {
  const byName = new Map<string, QueueSettings>(settings.map((q) => [q.name, q]));
  const perQueue = new Map<string, { state: string; n: number }[]>();
  for (const row of counts) {
    if (!byName.has(row.queue)) byName.set(row.queue, { name: row.queue, paused: false, concurrency: null });
    const list = perQueue.get(row.queue) ?? [];
    list.push({ state: row.state, n: Number(row.n) });
    perQueue.set(row.queue, list);
  }
  return [...byName.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((q) => {
      const c = stateCounts(perQueue.get(q.name) ?? []);
      return { ...q, counts: c, running: c.processing };
    });
}
