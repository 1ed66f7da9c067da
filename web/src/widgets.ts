import { ApiError, type Job } from "./api.js";
import { h, type Child } from "./dom.js";
import { absolute, ago } from "./format.js";

/** Small shared pieces of the views. */

/** A state as a badge; "scheduled" and "blocked" are display states of a waiting job. */
export function badge(state: string, scheduled = false, blocked = false): HTMLElement {
  const label = blocked ? "blocked" : scheduled ? "scheduled" : state;
  return h("span", { class: `badge badge-${label}`, "data-state": label }, label);
}

export function jobLink(id: string): HTMLElement {
  return h("a", { href: `#/jobs/${encodeURIComponent(id)}`, class: "mono" }, id);
}

/** A command in a list: lists carry long commands cut (command_truncated); the job's page has it whole. */
export function commandCell(job: Job): HTMLElement {
  const text = job.command_truncated ? `${job.command}…` : job.command;
  const title = job.command_truncated ? `${text}\n(cut here: open the job for the whole command)` : text;
  return h("code", { class: "command", title, "data-truncated": job.command_truncated ? "true" : undefined }, text);
}

export function time(iso: string | null): HTMLElement {
  return h("time", { datetime: iso ?? undefined, title: absolute(iso) }, ago(iso));
}

export function table(headers: string[], rows: Node[], empty: string): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      h("tbody", {}, rows.length ? rows : h("tr", { class: "empty" }, h("td", { colspan: headers.length }, empty))),
    ),
  );
}

/** A row whose cells carry data-label, so the table can collapse into cards at phone width. */
export function row(headers: string[], cells: Child[], props: Record<string, string> = {}): HTMLTableRowElement {
  return h(
    "tr",
    props,
    cells.map((cell, index) => h("td", { "data-label": headers[index] ?? "" }, cell)),
  );
}

export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h("div", { class: "page-head" }, h("h1", {}, title), h("div", { class: "actions" }, actions));
}

let toastTimer: number | null = null;

/** A short message at the bottom of the screen (success or failure of an action). */
export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  let el = document.getElementById("toast");
  if (!el) {
    el = h("div", { id: "toast", role: "status", "aria-live": "polite" });
    document.body.appendChild(el);
  }
  el.textContent = message;
  el.dataset.kind = kind;
  el.classList.add("shown");
  if (toastTimer !== null) window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el?.classList.remove("shown"), 4000);
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Runs an action from a button: disables it meanwhile and reports the outcome. */
export async function act(button: HTMLButtonElement, run: () => Promise<string | void>): Promise<void> {
  button.disabled = true;
  try {
    const message = await run();
    if (message) toast(message);
  } catch (error) {
    toast(errorMessage(error), "error");
  } finally {
    button.disabled = false;
  }
}

export function button(label: string, onClick: (button: HTMLButtonElement) => void, className = ""): HTMLButtonElement {
  const el = h("button", { type: "button", class: className || undefined }, label);
  el.addEventListener("click", () => onClick(el));
  return el;
}

/** The "couldn't load" box a view shows instead of its content. */
export function failure(error: unknown): HTMLElement {
  return h("div", { class: "notice error" }, errorMessage(error));
}
