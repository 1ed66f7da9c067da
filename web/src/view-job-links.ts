import type { Job, Link, Links } from "./api.js";
import { h, replace } from "./dom.js";
import { badge, jobLink } from "./widgets.js";

/**
 * The job page's "Dependencies" section: the jobs it waits for → this job → the jobs waiting for
 * it, each linked with its state (and "completed before" for a dependency that completed and was
 * run again: the job no longer waits for it). Hidden for a job that has neither. Text goes in as
 * text nodes.
 */
export function drawLinks(box: HTMLElement, job: Job, links: Links): void {
  box.hidden = links.dependencies_total === 0 && links.dependents_total === 0;
  if (box.hidden) return replace(box);
  const list = (side: string, items: Link[], total: number, empty: string) =>
    h(
      "div",
      { "data-side": side },
      items.length === 0
        ? h("p", { class: "muted" }, empty)
        : h(
            "ul",
            {},
            items.map((link) =>
              h(
                "li",
                { "data-link": link.id },
                jobLink(link.id),
                badge(link.state, false, link.blocked),
                // A dependency that completed and was run again since: this job no longer waits for it.
                side === "dependencies" && link.satisfied && link.state !== "completed"
                  ? h("span", { class: "muted", "data-satisfied": "" }, "completed before")
                  : [],
                h("code", { class: "command", title: link.command }, link.command),
              ),
            ),
          ),
      items.length < total ? h("p", { class: "muted" }, `${items.length} of ${total} shown`) : [],
    );
  replace(
    box,
    h("h2", {}, "Dependencies"),
    h(
      "div",
      { class: "links" },
      list("dependencies", links.dependencies, links.dependencies_total, "Waits for no job."),
      h("span", { class: "arrow", "aria-hidden": "true" }, "→"),
      h(
        "div",
        { "data-side": "self" },
        h("span", { class: "mono" }, job.id),
        " ",
        badge(job.state, job.scheduled, job.blocked),
      ),
      h("span", { class: "arrow", "aria-hidden": "true" }, "→"),
      list("dependents", links.dependents, links.dependents_total, "No job waits for it."),
    ),
  );
}
