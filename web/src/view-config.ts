import { ApiError, api, type ConfigView } from "./api.js";
import { h, replace } from "./dom.js";
import type { View } from "./main.js";
import { failure, pageHeader, toast } from "./widgets.js";

/** Settings shared by every worker of this queue (stored in the database); edit one at a time. */
export const configView: View = (root) => {
  const body = h("div", {});
  replace(
    root,
    pageHeader("Configuration"),
    h(
      "p",
      { class: "muted" },
      "Stored in the database: every worker of this queue, on any machine, uses these values.",
    ),
    body,
  );

  const draw = (config: ConfigView): void => {
    const rows = Object.entries(config.values).map(([key, value]) => {
      const input = h("input", {
        type: "text",
        name: key,
        value: String(value),
        "aria-label": key,
        size: typeof value === "string" ? 40 : 10,
        class: "mono",
        id: `config-${key}`,
      });
      const error = h("span", { class: "field-error", "data-error-for": key });
      const save = h("button", { type: "submit" }, "Save");
      const form = h(
        "form",
        { class: "config-row", "data-key": key, novalidate: true },
        h(
          "div",
          { class: "config-key" },
          h("label", { for: `config-${key}`, class: "mono" }, key),
          h("span", { class: "hint" }, config.help[key] ?? ""),
        ),
        h(
          "div",
          { class: "config-edit" },
          input,
          save,
          h(
            "span",
            { class: "hint" },
            `default ${config.defaults[key] === "" ? "none" : (config.defaults[key] ?? "—")}`,
          ),
          error,
        ),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        error.textContent = "";
        input.removeAttribute("aria-invalid");
        save.disabled = true;
        void api
          .put<{ key: string; value: number | string }>("/api/config", { key, value: input.value })
          .then((saved) => {
            input.value = String(saved.value);
            toast(`${key} = ${saved.value}`);
          })
          .catch((e: unknown) => {
            error.textContent = e instanceof ApiError ? (e.fields.value ?? e.message) : String(e);
            input.setAttribute("aria-invalid", "true");
          })
          .finally(() => {
            save.disabled = false;
          });
      });
      return form;
    });
    replace(body, h("section", { class: "panel config-list" }, rows));
  };

  void api.get<ConfigView>("/api/config").then(draw, (error: unknown) => replace(body, failure(error)));
  return () => {};
};
