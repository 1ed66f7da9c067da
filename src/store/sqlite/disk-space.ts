import type Database from "better-sqlite3";
import { statfsSync } from "node:fs";

/**
 * Checkpoint every ~120 MB of WAL rather than every 4 MB: the pages a queue rewrites all the time
 * (index roots, the newest leaves) are then copied back and synced once per checkpoint, not 30
 * times. Checkpoints were 60 % of commit time; measured on a million-job store, claim+complete ran
 * 13-30 % faster at 30,000 pages than at 10,000 (60,000 was no better). The file is cut back to
 * 64 MB after each checkpoint.
 */
const PREFERRED_PAGES = 30_000;
const PREFERRED_WAL_LIMIT = 64 * 1024 * 1024;
/**
 * But the WAL never holds more than this share of the free space. Data still in the WAL must be
 * copied into the main file before the WAL can be reused, so that much room is what a store needs
 * to resume after its disk filled: with all data in a 120 MB WAL, freeing 1.5 MB resumed nothing.
 * The preferred interval holds while ~4 GB are free.
 */
const FREE_SPACE_SHARE = 32;
/** Below this a checkpoint would come every few commits. */
const MIN_PAGES = 64;
/** The free space is looked at again at most this often (one statfs). */
const CHECK_MS = 1_000;

/** SQLite result codes that mean the disk refused a write: full, or an I/O error. */
export function isDiskError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code === "SQLITE_FULL" || code.startsWith("SQLITE_IOERR"));
}

/**
 * Keeps a SQLite store writable on a small or full disk: the checkpoint interval shrinks with the
 * free space, and after a write was refused for lack of space, the store checkpoints (and empties
 * the WAL) before it writes again, so that freed space goes to the data waiting in the WAL rather
 * than to more WAL.
 */
export class DiskSpace {
  private full = false;
  private nextCheck = 0;
  private pages = 0;
  private readonly pageSize: number;

  constructor(
    private readonly db: Database.Database,
    private readonly dir: string,
  ) {
    this.pageSize = db.pragma("page_size", { simple: true }) as number;
    this.fit(Date.now());
  }

  /** Before each write transaction. Throws the disk's error if the space has not come back yet. */
  beforeWrite(now: number): void {
    if (this.full) this.recover();
    if (now >= this.nextCheck) this.fit(now);
  }

  /** After a write failed: a refusal by the disk puts the store in recovery. */
  failed(error: unknown): void {
    if (isDiskError(error)) this.full = true;
  }

  /**
   * Copies the WAL into the main file and truncates it. This needs room only for the pages not yet
   * in the main file; once done, the WAL's space is free again. Readers of older snapshots (other
   * processes) are waited for briefly, not for the store's full busy timeout: a checkpoint that
   * could not finish still copied what it could, and the write goes ahead.
   */
  private recover(): void {
    const timeout = this.db.pragma("busy_timeout", { simple: true }) as number;
    this.db.pragma("busy_timeout = 250");
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
    this.full = false;
    this.nextCheck = 0;
  }

  /** Sets the checkpoint interval (and the size the WAL is cut back to) for the free space now. */
  private fit(now: number): void {
    this.nextCheck = now + CHECK_MS;
    let free: number;
    try {
      const stats = statfsSync(this.dir);
      free = stats.bavail * stats.bsize;
    } catch {
      return;
    }
    // A power of two: the setting changes when the free space halves, not at every check.
    const share = free / FREE_SPACE_SHARE / this.pageSize;
    const pages = Math.max(MIN_PAGES, Math.min(PREFERRED_PAGES, 2 ** Math.floor(Math.log2(Math.max(share, 1)))));
    if (pages === this.pages) return;
    this.pages = pages;
    this.db.pragma(`wal_autocheckpoint = ${pages}`);
    const limit = pages === PREFERRED_PAGES ? PREFERRED_WAL_LIMIT : pages * this.pageSize;
    this.db.pragma(`journal_size_limit = ${limit}`);
  }
}
