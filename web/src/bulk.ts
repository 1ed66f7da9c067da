import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { act, button, toast } from "./widgets.js";

/** The bulk API's answer (POST /api/jobs/bulk). */
interface Acted {
  done: string[];
  refused: { id: string; error: string }[];
}

/** The bulk actions offered on selected rows: the API's action, the button, what the toast says. */
const ACTIONS = [
  { action: "retry", label: "Retry", did: "Retried" },
  { action: "delete", label: "Delete", did: "Deleted" },
  { action: "cancel", label: "Cancel", did: "Cancelled" },
] as const;

const jobs = (n: number): string => `${n} job${n === 1 ? "" : "s"}`;

/** One line for the toast: what was done, and the first refusal (with how many more). */
function summary(did: string, result: Acted): string {
  const [first] = result.refused;
  if (!first) return `${did} ${jobs(result.done.length)}`;
  const more = result.refused.length > 1 ? ` (and ${result.refused.length - 1} more)` : "";
  return `${did} ${jobs(result.done.length)}; ${result.refused.length} refused: ${first.error}${more}`;
}

export interface Selection {
  /** The checkbox of one row (made anew whenever the row is redrawn; it keeps the selection). */
  checkbox(id: string): HTMLInputElement;
  /** The select-all checkbox for the table's header. */
  readonly all: HTMLInputElement;
  /** The bar with the count and the action buttons. */
  readonly bar: HTMLElement;
  /** The ids of the rows now on screen: a selection never reaches rows that are not shown. */
  show(ids: string[]): void;
}

/**
 * The selection of rows in a job list and the bar acting on it. `after` runs once an action is
 * done (the list reloads): deleted rows go, retried ones show their new state.
 */
export function selection(after: () => void): Selection {
  const selected = new Set<string>();
  let shown: string[] = [];
  const boxes = new Map<string, HTMLInputElement>();

  const all = h("input", { type: "checkbox", "aria-label": "Select all jobs on this page", "data-select-all": "" });
  const count = h("span", { class: "bulk-count muted" });
  const buttons = ACTIONS.map(({ action, label, did }) =>
    button(
      label,
      (b) =>
        void act(b, async () => {
          const ids = shown.filter((id) => selected.has(id));
          if (action === "delete" && !confirm(`Delete ${jobs(ids.length)} with their attempts and output?`)) return;
          const result = await api.post<Acted>("/api/jobs/bulk", { action, ids });
          selected.clear();
          refresh();
          after();
          if (result.refused.length > 0) toast(summary(did, result), "error");
          else return summary(did, result);
        }),
      action === "delete" ? "danger" : "",
    ),
  );
  buttons.forEach((b, i) => b.setAttribute("data-bulk", ACTIONS[i]?.action ?? ""));
  const bar = h("div", { class: "bulk-bar", role: "toolbar", "aria-label": "Actions on the selected jobs" });
  replace(bar, count, buttons);

  const refresh = (): void => {
    const n = shown.filter((id) => selected.has(id)).length;
    count.textContent = n === 0 ? "Select jobs to act on them" : `${jobs(n)} selected`;
    for (const b of buttons) b.disabled = n === 0;
    all.checked = n > 0 && n === shown.length;
    all.indeterminate = n > 0 && n < shown.length;
    for (const [id, box] of boxes) box.checked = selected.has(id);
  };

  all.addEventListener("change", () => {
    for (const id of shown) {
      if (all.checked) selected.add(id);
      else selected.delete(id);
    }
    refresh();
  });

  refresh();
  return {
    all,
    bar,
    checkbox(id) {
      const box = h("input", { type: "checkbox", "aria-label": `Select job ${id}`, "data-select": id });
      box.checked = selected.has(id);
      box.addEventListener("change", () => {
        if (box.checked) selected.add(id);
        else selected.delete(id);
        refresh();
      });
      boxes.set(id, box);
      return box;
    },
    show(ids) {
      shown = ids;
      for (const id of [...selected]) if (!ids.includes(id)) selected.delete(id);
      for (const id of [...boxes.keys()]) if (!ids.includes(id)) boxes.delete(id);
      refresh();
    },
  };
}
