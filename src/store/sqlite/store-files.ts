import { rmSync, statSync } from "node:fs";
import { StoreLostError } from "../../core/errors.js";

/** A store's files are looked at again at most this often (a stat each; writes come much faster). */
const CHECK_MS = 1_000;

interface FileId {
  dev: number;
  ino: number;
}

function idOf(path: string): FileId | null {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats ? { dev: stats.dev, ino: stats.ino } : null;
}

const same = (a: FileId | null, b: FileId | null): boolean =>
  a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;

/**
 * The files of an open SQLite store as they were when it was opened. A process keeps using a file
 * after it was deleted or replaced (the open handle still works), unseen by every other process, so
 * the store asks here before it writes and gives up with one clear error instead.
 */
export class StoreFiles {
  private readonly db: FileId | null;
  private readonly wal: FileId | null;
  private readonly shm: FileId | null;
  private nextCheck = 0;
  private lostError: StoreLostError | null = null;

  /** Call once the connection has read the database (the -wal and -shm files exist from then on). */
  constructor(private readonly path: string) {
    this.db = idOf(path);
    this.wal = idOf(`${path}-wal`);
    this.shm = idOf(`${path}-shm`);
  }

  get lost(): StoreLostError | null {
    return this.lostError;
  }

  /** Throws StoreLostError once the path names another file than the one opened, or none. */
  verify(now: number): void {
    if (this.lostError) throw this.lostError;
    if (now < this.nextCheck) return;
    this.nextCheck = now + CHECK_MS;
    const current = idOf(this.path);
    if (same(current, this.db)) return;
    const what = current ? "replaced by another file" : "deleted";
    this.lostError = new StoreLostError(
      `the SQLite store ${this.path} was ${what} while in use; nothing more is written to it`,
    );
    throw this.lostError;
  }

  /**
   * After the connection closed: SQLite does not checkpoint or delete the -wal and -shm files of a
   * database that moved, so they would stay at their names and be read as the WAL of whatever file
   * now has the store's name (a store renamed over it would show this one's pages). Removes them
   * only while they are still the files this connection opened: a new store's own are left alone.
   */
  releaseSidecars(): void {
    if (!this.lostError) return;
    for (const [suffix, opened] of [
      ["-wal", this.wal],
      ["-shm", this.shm],
    ] as const) {
      const path = `${this.path}${suffix}`;
      if (same(idOf(path), opened)) rmSync(path, { force: true });
    }
  }
}
