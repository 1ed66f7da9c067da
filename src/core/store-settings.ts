import type { QueueChange, QueueInfo, QueueSettings } from "./queues.js";

/** The Store's settings: of each queue, and the global ones. */
export interface SettingsStore {
  // ---- queues

  /** Every queue a job or a setting names, by name, with its settings and jobs per state. */
  listQueues(): Promise<QueueInfo[]>;
  /** Applies a validated change to a queue's settings (creating its row); returns the settings. */
  setQueue(name: string, change: QueueChange): Promise<QueueSettings>;

  // ---- settings (raw strings; the core validates)

  getSettings(): Promise<Record<string, string>>;
  setSetting(key: string, value: string): Promise<void>;
}
