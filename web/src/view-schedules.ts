import { api, type Schedule } from "./api.js";
import { h, replace } from "./dom.js";
import { absolute } from "./format.js";
import { on, throttle } from "./live.js";
import type { View } from "./main.js";
import { scheduleForm } from "./schedule-form.js";
import { act, badge, button, errorMessage, failure, jobLink, pageHeader, row, table, time, toast } from "./widgets.js";

const HEADERS = ["Name", "Cron", "Next run", "Last run", "Command", ""];

const path = (schedule: Schedule, action = ""): string =>
  `/api/schedules/${encodeURIComponent(schedule.name)}${action ? `/${action}` : ""}`;

/**
 * Cron schedules: when each fires next, its last job and that job's state; pause, resume, run now,
 * remove; and a form that adds one, then lists the next runs of its expression.
 */
export const schedulesView: View = (root) => {
  const body = h("div", {});
  const upcoming = h("div", { "aria-live": "polite" });
  const form = scheduleForm((schedule) => {
    toast(`Schedule ${schedule.name} added`);
    void load();
    void showUpcoming(schedule);
  });
  replace(
    root,
    pageHeader("Schedules"),
    body,
    upcoming,
    form,
    h(
      "p",
      { class: "muted" },
      "Also ",
      h("code", {}, "queuectl schedule add NAME --cron 'EXPR' [options] -- COMMAND"),
      " or POST /api/schedules. Every worker fires due slots; each slot makes one job.",
    ),
  );

  /** The next runs of a schedule just added, as the server's croner computes them in its zone. */
  const showUpcoming = async (schedule: Schedule): Promise<void> => {
    try {
      const { next_runs } = await api.get<{ next_runs: string[] }>(`${path(schedule, "upcoming")}?count=5`);
      replace(
        upcoming,
        h(
          "div",
          { class: "notice next-runs", "data-schedule": schedule.name },
          h("strong", {}, schedule.name),
          next_runs.length === 0 ? " never runs again." : ` (${schedule.cron}, ${schedule.tz}) runs next at:`,
          h(
            "ol",
            {},
            next_runs.map((at) => h("li", {}, h("time", { datetime: at }, absolute(at)))),
          ),
        ),
      );
    } catch (error) {
      replace(upcoming, h("div", { class: "notice error" }, errorMessage(error)));
    }
  };

  const draw = (schedules: Schedule[]): void => {
    const rows = schedules.map((schedule) => {
      const last = schedule.last_run;
      const toggle = schedule.paused
        ? button("Resume", (b) => void act(b, () => change(schedule, "resume", "resumed")))
        : button("Pause", (b) => void act(b, () => change(schedule, "pause", "paused")));
      return row(
        HEADERS,
        [
          // The queue its jobs go to, under the name: a column of its own would crowd the table.
          [h("span", { class: "mono" }, schedule.name), h("div", { class: "hint" }, `queue ${schedule.queue}`)],
          h("span", {}, h("code", {}, schedule.cron), ` ${schedule.tz}`),
          schedule.paused ? badge("paused") : time(schedule.next_run),
          last
            ? h(
                "span",
                { class: "last-run" },
                time(last.at),
                " ",
                jobLink(last.job_id),
                " ",
                badge(last.state ?? "gone"),
              )
            : "never",
          h("code", { class: "command", title: schedule.command }, schedule.command),
          h(
            "span",
            { class: "actions" },
            toggle,
            button(
              "Run now",
              (b) =>
                void act(b, async () => {
                  const { job_id } = await api.post<{ job_id: string }>(path(schedule, "run"));
                  await load();
                  return `Enqueued ${job_id}`;
                }),
            ),
            button(
              "Remove",
              (b) =>
                void act(b, async () => {
                  await api.del(path(schedule));
                  await load();
                  return `Schedule ${schedule.name} removed`;
                }),
              "danger",
            ),
          ),
        ],
        { "data-schedule": schedule.name },
      );
    });
    replace(body, table(HEADERS, rows, "No schedules yet."));
  };

  const change = async (schedule: Schedule, action: "pause" | "resume", done: string): Promise<string> => {
    await api.post(path(schedule, action));
    await load();
    return `Schedule ${schedule.name} ${done}`;
  };

  const load = async (): Promise<void> => {
    try {
      draw(await api.get<Schedule[]>("/api/schedules"));
    } catch (error) {
      replace(body, failure(error));
    }
  };
  void load();
  // A fired slot or a finished job changes the last run's state: refetch, at most once a second.
  const refetch = throttle(() => void load(), 1000);
  const offs = [on("jobs", refetch), on("open", () => void load())];
  // Next and last run times age even when nothing changes.
  const ticker = window.setInterval(() => void load().catch((e: unknown) => toast(String(e), "error")), 5000);
  return () => {
    window.clearInterval(ticker);
    offs.forEach((off) => off());
  };
};
