import type { Counts, Job, Worker } from "./api.js";

/**
 * The live event stream (GET /api/events), one EventSource for the whole page. Views subscribe
 * and get an unsubscribe function they call when the view is left. On every (re)connect,
 * `open` fires so views refetch what they may have missed.
 */
export interface LiveEvents {
  jobs: Job[];
  counts: Counts;
  workers: Worker[];
  open: undefined;
}
type Name = keyof LiveEvents;
type Handler<N extends Name> = (data: LiveEvents[N]) => void;

const handlers: { [N in Name]: Set<Handler<N>> } = {
  jobs: new Set(),
  counts: new Set(),
  workers: new Set(),
  open: new Set(),
};

let source: EventSource | null = null;
let indicator: HTMLElement | null = null;

function setConnected(connected: boolean): void {
  if (!indicator) return;
  indicator.dataset.state = connected ? "live" : "offline";
  indicator.textContent = connected ? "live" : "reconnecting…";
  indicator.title = connected ? "Updates arrive as they happen" : "The live stream is down; retrying";
}

function dispatch<N extends Name>(name: N, data: LiveEvents[N]): void {
  for (const handler of handlers[name]) handler(data);
}

export function connectLive(statusElement: HTMLElement): void {
  indicator = statusElement;
  source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    setConnected(true);
    dispatch("open", undefined);
  });
  source.addEventListener("error", () => setConnected(false));
  for (const name of ["jobs", "counts", "workers"] as const) {
    source.addEventListener(name, (event) => {
      const data: unknown = JSON.parse((event as MessageEvent<string>).data);
      dispatch(name, data as LiveEvents[typeof name]);
    });
  }
}

export function on<N extends Name>(name: N, handler: Handler<N>): () => void {
  handlers[name].add(handler);
  return () => handlers[name].delete(handler);
}

/** Runs `fn` at most once per `ms`, trailing: bursts of events cause one refetch. */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: number | null = null;
  let pending = false;
  return () => {
    if (timer !== null) {
      pending = true;
      return;
    }
    fn();
    timer = window.setTimeout(function tick() {
      if (pending) {
        pending = false;
        fn();
        timer = window.setTimeout(tick, ms);
      } else {
        timer = null;
      }
    }, ms);
  };
}
