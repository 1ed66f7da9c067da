import type { SettingsStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { listQueues, setQueue } from "../sql/queues.js";
import { getSettings, setSetting } from "../sql/settings.js";

/** The PostgreSQL store's settings: of each queue, and the global ones. */
export function postgresSettings(db: Db): SettingsStore {
  return {
    listQueues() {
      return listQueues(db);
    },
    setQueue(name, change) {
      return setQueue(db, name, change);
    },
    getSettings() {
      return getSettings(db.idempotent);
    },
    setSetting(key, value) {
      return setSetting(db.idempotent, key, value);
    },
  };
}
