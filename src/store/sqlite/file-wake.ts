import { closeSync, openSync, utimesSync, watch, type FSWatcher } from "node:fs";

/**
 * Cross-process wake-ups for the SQLite store: a notifier touches a small file next to the
 * database, and every subscriber watches it with inotify (fs.watch). An idle worker then sleeps
 * in the kernel instead of polling, and a new job starts within milliseconds.
 */
export class FileWake {
  private readonly listeners = new Set<() => void>();
  private watcher: FSWatcher | null = null;

  constructor(private readonly path: string | null) {}

  notify(): void {
    // Listeners in this process hear it at once, and through the file in every other one.
    for (const listener of this.listeners) listener();
    if (this.path === null) return;
    try {
      const now = new Date();
      utimesSync(this.path, now, now);
    } catch {
      this.ensureFile();
    }
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.startWatching();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  close(): void {
    this.listeners.clear();
    this.stopWatching();
  }

  private startWatching(): void {
    if (this.watcher || this.path === null) return;
    this.ensureFile();
    try {
      this.watcher = watch(this.path, { persistent: false }, () => {
        for (const listener of this.listeners) listener();
      });
      this.watcher.on("error", () => this.stopWatching());
    } catch {
      // No inotify (or the file vanished): workers fall back to their poll interval.
      this.watcher = null;
    }
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  private ensureFile(): void {
    if (this.path === null) return;
    try {
      closeSync(openSync(this.path, "a", 0o600));
    } catch {
      // The directory is not writable: wake-ups degrade to polling.
    }
  }
}
