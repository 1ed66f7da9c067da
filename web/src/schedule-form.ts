import { api, type Schedule } from "./api.js";
import { FieldErrors } from "./field-errors.js";
import { h } from "./dom.js";

interface Field {
  /** The schedule JSON's field. */
  name: string;
  label: string;
  hint: string;
  kind: "text" | "number" | "textarea" | "select";
  /** For a select: its choices, the first being the default. */
  choices?: string[];
  placeholder?: string;
}

const FIELDS: Field[] = [
  { name: "name", label: "Name", hint: "1 to 64 letters, digits, '.', '_' or '-'", kind: "text" },
  {
    name: "cron",
    label: "Cron",
    hint: "5 fields (minute hour day month weekday), or 6 with seconds first",
    kind: "text",
    placeholder: "30 2 * * *",
  },
  { name: "command", label: "Command", hint: "Run by /bin/sh -c at every slot", kind: "textarea" },
  { name: "tz", label: "Time zone", hint: "IANA zone the expression is read in (default UTC)", kind: "text" },
  { name: "queue", label: "Queue", hint: "The queue its jobs go to (default: default)", kind: "text" },
  { name: "priority", label: "Priority", hint: "1..10, higher runs first (default 5)", kind: "number" },
  { name: "max_retries", label: "Max retries", hint: "Default: the max-retries setting", kind: "number" },
  { name: "timeout", label: "Timeout (s)", hint: "0 = none; default: the job-timeout setting", kind: "number" },
  {
    name: "catch_up",
    label: "Catch-up",
    hint: "Slots missed while no worker ran: the last, none, or all (at most 100)",
    kind: "select",
    choices: ["last", "none", "all"],
  },
  {
    name: "overlap",
    label: "Overlap",
    hint: "Skip a slot while the previous job is unfinished, or allow it",
    kind: "select",
    choices: ["allow", "skip"],
  },
];

/**
 * The form as the schedule JSON. Values go as typed, not checked: the API (the core's one schedule
 * schema) judges them, and its `fields` are shown beside each input, so they read as the CLI's.
 */
function toInput(form: HTMLFormElement): Record<string, unknown> {
  const data = new FormData(form);
  const input: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const raw = String(data.get(field.name) ?? "");
    const required = field.name === "name" || field.name === "cron" || field.name === "command";
    if (!required && raw.trim() === "") continue;
    if (field.kind === "number") {
      const n = Number(raw.trim());
      input[field.name] = Number.isFinite(n) ? n : raw;
    } else {
      input[field.name] = field.kind === "textarea" ? raw : raw.trim();
    }
  }
  return input;
}

function control(field: Field, id: string): HTMLElement {
  const common = { id, name: field.name, "aria-describedby": `${id}-hint ${id}-error` };
  if (field.kind === "select") {
    return h(
      "select",
      common,
      (field.choices ?? []).map((choice) => h("option", { value: choice }, choice)),
    );
  }
  if (field.kind === "textarea") {
    return h("textarea", { ...common, rows: 2, spellcheck: "false", placeholder: "./backup.sh /srv", class: "mono" });
  }
  return h("input", {
    ...common,
    type: "text",
    inputmode: field.kind === "number" ? "decimal" : undefined,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: field.placeholder,
  });
}

/** The "Add schedule" form: posts the schedule JSON; shows the API's errors inline, by field. */
export function scheduleForm(added: (schedule: Schedule) => void): HTMLFormElement {
  const errors = new FieldErrors();
  const fields = FIELDS.map((field) => {
    const id = `schedule-${field.name}`;
    return h(
      "div",
      { class: `field field-${field.name}` },
      h("label", { for: id }, field.label),
      control(field, id),
      h("span", { class: "hint", id: `${id}-hint` }, field.hint),
      errors.slot(field.name, id),
    );
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Add schedule");
  // novalidate: the server's messages are the ones shown.
  const form = h(
    "form",
    { class: "job-form schedule-form panel", novalidate: true, "aria-labelledby": "schedule-form-title" },
    h("h2", { id: "schedule-form-title", class: "form-title" }, "Add a schedule"),
    fields,
    errors.notice,
    h("div", { class: "form-actions" }, submit),
  );

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear(form);
    submit.disabled = true;
    void api
      .post<Schedule>("/api/schedules", toInput(form))
      .then((schedule) => {
        form.reset();
        added(schedule);
      })
      .catch((error: unknown) => errors.show(form, error))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
