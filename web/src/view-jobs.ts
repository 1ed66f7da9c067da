import { api, query, type Job, type JobPage } from "./api.js";
import { selection, type Selection } from "./bulk.js";
import { maxRuns } from "./core/job-state.js";
import { LIST_STATES } from "./core/types.js";
import { h, replace } from "./dom.js";
import { duration } from "./format.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { badge, commandCell, failure, jobLink, pageHeader, row, table, time } from "./widgets.js";

const HEADERS = ["Select", "State", "ID", "Queue", "Command", "Priority", "Attempts", "Updated", "Duration"];
const PAGE_SIZE = 50;

function jobRow(job: Job, selected: Selection): HTMLTableRowElement {
  return row(
    HEADERS,
    [
      selected.checkbox(job.id),
      // A blocked job says what holds it (the first few ids, or the dead or cancelled dependency).
      [
        badge(job.state, job.scheduled, job.blocked),
        job.blocked_reason && h("div", { class: "hint" }, job.blocked_reason),
      ],
      jobLink(job.id),
      job.queue,
      commandCell(job),
      String(job.priority),
      `${job.attempts} / ${maxRuns(job)}`,
      time(job.updated_at),
      duration(job.duration_ms),
    ],
    { "data-job": job.id },
  );
}

/**
 * Jobs table: state filter, search by id or command, cursor pagination done by the server (the
 * store pages by seq, so page N costs the same as page 1 with a million jobs). Rows on screen
 * update live; the first page also picks up new jobs.
 */
export const jobsView: View = (root, params) => {
  const state = params.get("state") ?? "";
  const q = params.get("q") ?? "";
  const inQueue = params.get("queue") ?? "";
  const cursor = params.get("cursor") ?? "";
  // Cursors of the pages before this one, so "Newer" can step back.
  const trail = (params.get("trail") ?? "").split(",").filter(Boolean);

  const go = (next: Record<string, string>): void => {
    const search = new URLSearchParams({ state, q, queue: inQueue, ...next });
    for (const [key, value] of [...search]) if (value === "") search.delete(key);
    location.hash = `#/jobs${search.toString() ? `?${search}` : ""}`;
  };

  const stateSelect = h(
    "select",
    { name: "state", "aria-label": "State" },
    h("option", { value: "" }, "all states"),
    LIST_STATES.map((s) => h("option", { value: s, selected: s === state }, s)),
  );
  const search = h("input", {
    type: "search",
    name: "q",
    placeholder: "Search id or command",
    value: q,
    "aria-label": "Search",
  });
  const queueInput = h("input", {
    type: "search",
    name: "queue",
    placeholder: "Queue",
    value: inQueue,
    size: 10,
    "aria-label": "Queue",
  });
  const form = h(
    "form",
    { class: "filters", role: "search" },
    stateSelect,
    queueInput,
    search,
    h("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go({ state: stateSelect.value, q: search.value.trim(), queue: queueInput.value.trim() });
  });
  stateSelect.addEventListener("change", () =>
    go({ state: stateSelect.value, q: search.value.trim(), queue: queueInput.value.trim() }),
  );

  const body = h("div", {});
  const pager = h("div", { class: "pager" });
  // Rows can be selected (a checkbox each, select-all in the header) for the actions of the bar.
  const selected = selection(() => void load());
  replace(
    root,
    pageHeader("Jobs", h("a", { class: "button primary", href: "#/new" }, "New job")),
    form,
    selected.bar,
    body,
    pager,
  );

  let shown = new Map<string, HTMLTableRowElement>();

  const load = async (): Promise<void> => {
    try {
      const page = await api.get<JobPage>(`/api/jobs${query({ state, q, queue: inQueue, cursor, limit: PAGE_SIZE })}`);
      shown = new Map(page.jobs.map((job) => [job.id, jobRow(job, selected)]));
      selected.show([...shown.keys()]);
      const jobs = table(HEADERS, [...shown.values()], q || state || inQueue ? "No job matches." : "No jobs yet.");
      jobs.querySelector("th")?.replaceChildren(selected.all);
      replace(body, jobs);
      const newer =
        cursor !== ""
          ? h(
              "a",
              {
                class: "button",
                href: `#/jobs${query({ state, q, queue: inQueue, cursor: trail.at(-1) ?? "", trail: trail.slice(0, -1).join(",") })}`,
              },
              "← Newer",
            )
          : null;
      const older = page.next_cursor
        ? h(
            "a",
            {
              class: "button",
              href: `#/jobs${query({ state, q, queue: inQueue, cursor: page.next_cursor, trail: [...trail, cursor].join(",") })}`,
            },
            "Older →",
          )
        : null;
      replace(pager, newer, older);
    } catch (error) {
      replace(body, failure(error));
    }
  };
  const reload = throttle(() => void load(), 1000);
  void load();

  const offs = [
    on("jobs", (jobs) => {
      let unseen = false;
      for (const job of jobs) {
        const current = shown.get(job.id);
        if (current) {
          const fresh = jobRow(job, selected);
          current.replaceWith(fresh);
          shown.set(job.id, fresh);
        } else {
          unseen = true;
        }
      }
      // New jobs appear at the top of the first page; a filtered view may also gain or lose rows.
      if (cursor === "" && (unseen || state !== "" || inQueue !== "")) reload();
    }),
    on("open", () => reload()),
  ];
  return () => offs.forEach((off) => off());
};
