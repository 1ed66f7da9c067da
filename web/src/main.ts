import { byId, h, replace } from "./dom.js";
import { connectLive } from "./live.js";
import { initTheme } from "./theme.js";
import { configView } from "./view-config.js";
import { dlqView } from "./view-dlq.js";
import { jobView } from "./view-job.js";
import { jobsView } from "./view-jobs.js";
import { metricsView } from "./view-metrics.js";
import { newJobView } from "./view-new.js";
import { overviewView } from "./view-overview.js";
import { queuesView } from "./view-queues.js";
import { schedulesView } from "./view-schedules.js";
import { workersView } from "./view-workers.js";

/** A view draws into `root` and returns what to undo when it is left (subscriptions, timers). */
export type View = (root: HTMLElement, params: URLSearchParams, arg: string | undefined) => () => void;

/** Hash routes: #/, #/jobs?state=…, #/jobs/ID, #/new, #/dlq, #/workers, #/queues, #/schedules, #/metrics, #/config. */
const ROUTES: Record<string, View> = {
  "": overviewView,
  jobs: jobsView,
  new: newJobView,
  dlq: dlqView,
  workers: workersView,
  queues: queuesView,
  schedules: schedulesView,
  metrics: metricsView,
  config: configView,
};

let leave: () => void = () => {};

function route(): void {
  const hash = location.hash.replace(/^#\/?/, "");
  const [path = "", search = ""] = hash.split("?", 2);
  const [section = "", ...rest] = path.split("/");
  const arg = rest.length ? decodeURIComponent(rest.join("/")) : undefined;
  const view = section === "jobs" && arg !== undefined ? jobView : ROUTES[section];

  leave();
  const root = byId("view");
  for (const link of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    link.toggleAttribute("aria-current", link.dataset.section === section);
  }
  if (!view) {
    replace(root, h("div", { class: "notice" }, "No such page. ", h("a", { href: "#/" }, "Back to the overview")));
    leave = () => {};
    return;
  }
  root.replaceChildren();
  leave = view(root, new URLSearchParams(search), arg);
  window.scrollTo(0, 0);
}

initTheme(byId("theme-toggle"));
connectLive(byId("live"));
window.addEventListener("hashchange", route);
route();
