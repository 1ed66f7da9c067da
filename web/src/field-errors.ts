import { ApiError } from "./api.js";
import { h } from "./dom.js";
import { errorMessage } from "./widgets.js";

/**
 * Where a form shows the API's refusal: each field's problem beside it (the API's `fields`, the
 * same words as the CLI's), anything else — or a field the form lacks — in a notice above the button.
 */
export class FieldErrors {
  /** The form-wide notice; place it in the form. */
  readonly notice = h("div", { class: "notice error", hidden: true, role: "alert" });
  private readonly slots = new Map<string, HTMLElement>();

  /** The error slot of field `name`, whose control has the id `id`; place it beside the control. */
  slot(name: string, id: string): HTMLElement {
    const slot = h("span", { class: "field-error", id: `${id}-error`, "data-error-for": name });
    this.slots.set(name, slot);
    return slot;
  }

  clear(form: HTMLFormElement): void {
    for (const el of this.slots.values()) el.textContent = "";
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    this.notice.hidden = true;
  }

  show(form: HTMLFormElement, error: unknown): void {
    let placed = false;
    if (error instanceof ApiError) {
      for (const [path, message] of Object.entries(error.fields)) {
        // A problem inside a field (env.NAME) is shown beside the field, naming the part.
        const [name = path, ...inner] = path.split(".");
        const slot = this.slots.get(name);
        if (!slot) continue;
        slot.textContent = inner.length > 0 ? `${inner.join(".")}: ${message}` : message;
        form.querySelector(`[name="${name}"]`)?.setAttribute("aria-invalid", "true");
        placed = true;
      }
    }
    if (!placed || (error instanceof ApiError && error.status !== 400)) {
      this.notice.textContent = errorMessage(error);
      this.notice.hidden = false;
    }
  }
}
