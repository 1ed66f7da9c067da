import type { ScheduleStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import {
  dueSchedules,
  fireSchedule,
  getSchedule,
  insertSchedule,
  listSchedules,
  nextScheduleSlot,
  removeSchedule,
  setSchedulePaused,
} from "../sql/schedules.js";

/** The SQLite store's cron schedules. */
export function sqliteSchedules(db: Db): ScheduleStore {
  return {
    async insertSchedule(schedule, replace) {
      insertSchedule(db, schedule, replace);
    },
    async getSchedule(name) {
      return getSchedule(db, name);
    },
    async listSchedules() {
      return listSchedules(db);
    },
    async dueSchedules(now) {
      return dueSchedules(db, now);
    },
    async nextScheduleSlot() {
      return nextScheduleSlot(db);
    },
    async setSchedulePaused(name, paused, now, nextSlot) {
      return setSchedulePaused(db, name, paused, now, nextSlot);
    },
    async removeSchedule(name) {
      return removeSchedule(db, name);
    },
    async fireSchedule(firing) {
      return fireSchedule(db, firing);
    },
  };
}
