/**
 * Light and dark themes. Without a choice the page follows prefers-color-scheme (pure CSS); the
 * toggle stores an explicit choice in localStorage and sets data-theme on <html>.
 */
const KEY = "queuectl-theme";

function current(): "light" | "dark" {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

function label(toggle: HTMLElement): void {
  const next = current() === "dark" ? "light" : "dark";
  toggle.textContent = next === "dark" ? "☾" : "☀";
  toggle.title = `Switch to the ${next} theme`;
  toggle.setAttribute("aria-label", toggle.title);
}

export function initTheme(toggle: HTMLElement): void {
  const stored = localStorage.getItem(KEY);
  if (stored === "light" || stored === "dark") document.documentElement.dataset.theme = stored;
  label(toggle);
  toggle.addEventListener("click", () => {
    const next = current() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem(KEY, next);
    label(toggle);
  });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => label(toggle));
}
