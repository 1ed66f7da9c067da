import type { SettingsStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { listQueues, setQueue } from "../sql/queues.js";
import { getSettings, setSetting } from "../sql/settings.js";

/** The SQLite store's settings: of each queue, and the global ones. */
export function sqliteSettings(db: Db): SettingsStore {
  return {
    async listQueues() {
      return listQueues(db);
    },
    async setQueue(name, change) {
      return setQueue(db, name, change);
    },
    async getSettings() {
      return getSettings(db);
    },
    async setSetting(key, value) {
      setSetting(db, key, value);
    },
  };
}
