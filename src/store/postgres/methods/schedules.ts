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

/** The PostgreSQL store's cron schedules. */
export function postgresSchedules(db: Db): ScheduleStore {
  const { idempotent } = db;
  return {
    insertSchedule(schedule, replace) {
      return insertSchedule(db, schedule, replace);
    },
    getSchedule(name) {
      return getSchedule(idempotent, name);
    },
    listSchedules() {
      return listSchedules(idempotent);
    },
    dueSchedules(now) {
      return dueSchedules(idempotent, now);
    },
    nextScheduleSlot() {
      return nextScheduleSlot(idempotent);
    },
    setSchedulePaused(name, paused, now, nextSlot) {
      return setSchedulePaused(db, name, paused, now, nextSlot);
    },
    removeSchedule(name) {
      return removeSchedule(db, name);
    },
    /** Not retried after a lost connection: the caller plans again from the stored last_slot. */
    fireSchedule(firing) {
      return fireSchedule(db, firing);
    },
  };
}
