import { api, type Job } from "./api.js";
import { FieldErrors } from "./field-errors.js";
import { h, replace } from "./dom.js";
import type { View } from "./main.js";
import { pageHeader, toast } from "./widgets.js";

interface Field {
  name: string;
  label: string;
  hint: string;
  kind: "text" | "number" | "datetime" | "textarea" | "env";
}

const FIELDS: Field[] = [
  { name: "command", label: "Command", hint: "Run by /bin/sh -c", kind: "textarea" },
  { name: "id", label: "ID", hint: "Optional; generated when empty", kind: "text" },
  { name: "priority", label: "Priority", hint: "1..10, higher runs first (default 5)", kind: "number" },
  { name: "run_at", label: "Run at", hint: "Optional; your local time", kind: "datetime" },
  { name: "max_retries", label: "Max retries", hint: "Default: the max-retries setting", kind: "number" },
  { name: "timeout", label: "Timeout (s)", hint: "0 = none; default: the job-timeout setting", kind: "number" },
  { name: "cwd", label: "Directory", hint: "Optional absolute path; default: the worker's directory", kind: "text" },
  { name: "env", label: "Environment", hint: "Optional; one NAME=value per line, added to the worker's", kind: "env" },
];

/**
 * NAME=value lines as the enqueue JSON's object. Blank lines are skipped; a line without "=" makes
 * the whole text go as typed, so that the server's message about it is the one shown.
 */
function envInput(raw: string): Record<string, string> | string {
  const env: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const eq = line.indexOf("=");
    if (eq < 0) return raw;
    Object.defineProperty(env, line.slice(0, eq), { value: line.slice(eq + 1), enumerable: true, writable: true });
  }
  return env;
}

/**
 * Turns the form into the enqueue JSON. Values are passed on as typed, not checked: the API (the
 * core's one job schema) judges them and its `fields` are shown beside each input.
 */
function toInput(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const input: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const raw = String(data.get(field.name) ?? "");
    if (field.name !== "command" && raw.trim() === "") continue;
    if (field.kind === "number") {
      const n = Number(raw.trim());
      input[field.name] = Number.isFinite(n) ? n : raw;
    } else if (field.kind === "env") {
      input[field.name] = envInput(raw);
    } else if (field.kind === "datetime") {
      const when = new Date(raw);
      input[field.name] = Number.isNaN(when.getTime()) ? raw : when.toISOString();
    } else {
      input[field.name] = field.name === "id" || field.name === "cwd" ? raw.trim() : raw;
    }
  }
  return input;
}

export const newJobView: View = (root) => {
  const errors = new FieldErrors();
  const controls = FIELDS.map((field) => {
    const id = `field-${field.name}`;
    const common = { id, name: field.name, "aria-describedby": `${id}-hint ${id}-error` };
    const control =
      field.kind === "textarea" || field.kind === "env"
        ? h("textarea", {
            ...common,
            rows: 3,
            spellcheck: "false",
            placeholder: field.kind === "env" ? "NAME=value" : "echo hello",
            class: "mono",
          })
        : field.kind === "datetime"
          ? h("input", { ...common, type: "datetime-local", step: 1 })
          : h("input", {
              ...common,
              type: "text",
              inputmode: field.kind === "number" ? "decimal" : undefined,
              autocomplete: "off",
              spellcheck: "false",
            });
    return h(
      "div",
      { class: `field field-${field.name}` },
      h("label", { for: id }, field.label),
      control,
      h("span", { class: "hint", id: `${id}-hint` }, field.hint),
      errors.slot(field.name, id),
    );
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Enqueue");
  // novalidate: the server's messages are the ones shown, so they match the CLI's.
  const form = h(
    "form",
    { class: "job-form panel", novalidate: true },
    controls,
    errors.notice,
    h("div", { class: "form-actions" }, submit),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear(form);
    submit.disabled = true;
    void api
      .post<Job>("/api/jobs", toInput(form))
      .then((job) => {
        toast(`Enqueued ${job.id}`);
        location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
      })
      .catch((error: unknown) => errors.show(form, error))
      .finally(() => {
        submit.disabled = false;
      });
  });

  replace(root, pageHeader("New job"), form);
  (form.querySelector("textarea") as HTMLTextAreaElement).focus();
  return () => {};
};
