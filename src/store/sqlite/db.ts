import Database from "better-sqlite3";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { QueueError } from "../../core/errors.js";
import { LONG_HOLD_MS, type StoreHold } from "../../core/lease.js";
import { BackgroundCheckpoints, THREAD_AFTER_COMMITS } from "./background-checkpoints.js";
import { DiskSpace } from "./disk-space.js";
import { StoreFiles } from "./store-files.js";

type Stmt = Database.Statement<unknown[], unknown>;

/**
 * SQLite errors that come from what a statement was given (a constraint, a trigger's RAISE, a value
 * too big or of the wrong type): the same write fails again. Any other result code is the store's
 * condition (locked past the busy timeout, a full disk, an I/O error, read-only): later may do.
 */
function cannotWriteNow(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" && code.startsWith("SQLITE_") && !/^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code)
  );
}

/**
 * The one door to the SQLite file for every SQL operation: the connection with its pragmas,
 * prepared statements cached by text, and write transactions that watch the disk and the files
 * and record a long hold of the write lock.
 */
export class Db {
  readonly raw: Database.Database;
  private readonly statements = new Map<string, Stmt>();
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Room on the disk: checkpoint interval, recovery after a full disk (null in memory). */
  private readonly disk: DiskSpace | null;
  /** Which files were opened: a store deleted or replaced under this process is noticed. */
  readonly files: StoreFiles | null;
  /** The checkpoint thread, started once this connection has committed often (null before, and in memory). */
  private checkpoints: BackgroundCheckpoints | null = null;
  private commits = 0;
  /** Jobs made due by finishes (dependencies completed) since the store last woke workers for them. */
  unblocked = 0;

  constructor(private readonly path: string) {
    const inMemory = path === ":memory:";
    try {
      if (!inMemory) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.raw = new Database(path, { timeout: 10_000 });
      if (!inMemory) chmodSync(path, 0o600);
    } catch (error) {
      throw new QueueError("unavailable", `cannot open the SQLite store at ${path}: ${(error as Error).message}`);
    }
    // Pages freed by pruning can be handed back to the file system (sql/prune.ts). This takes
    // effect only in a new, empty file; an older store needs one VACUUM (`prune --vacuum`). Set
    // only then: on an existing file the pragma is a write (page 1), which would make every
    // read-only command wait for the write lock and fail on a full disk.
    if (this.raw.pragma("page_count", { simple: true }) === 0) this.raw.pragma("auto_vacuum = INCREMENTAL");
    this.raw.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives a crash of the process, not always a power loss.
    this.raw.pragma("synchronous = NORMAL");
    this.raw.pragma("foreign_keys = ON");
    // Statement journals (any statement that fires a trigger or changes many rows inside a
    // transaction) in memory, not in a temp file created per statement: that file cost ~40 µs a
    // row when enqueuing, 5x the insert itself. Temp tables of a sort are in memory too.
    this.raw.pragma("temp_store = MEMORY");
    // The checkpoint interval (long, for throughput) is set by DiskSpace, shorter on a disk short of space.
    this.disk = inMemory ? null : new DiskSpace(this.raw, dirname(path));
    // Read once so that the -wal and -shm files exist: StoreFiles notes which files these are.
    this.raw.prepare("SELECT count(*) FROM sqlite_master").get();
    this.files = inMemory ? null : new StoreFiles(path);
    this.inTransaction = this.raw.transaction((fn: () => unknown) => fn());
  }

  /** One write transaction, BEGIN IMMEDIATE: it takes the write lock first, so it never deadlocks
   * on a lock upgrade and waits (busy timeout) for another process's write instead. */
  write<T>(fn: () => T): T {
    const now = Date.now();
    this.files?.verify(now);
    try {
      this.disk?.beforeWrite(now);
      const result = this.inTransaction.immediate(() => this.holding(fn)) as T;
      this.committed();
      return result;
    } catch (error) {
      // better-sqlite3 has rolled the transaction back; a full disk is remembered for the next write.
      this.disk?.failed(error);
      // As "unavailable", which callers wait out and retry; any other error is the statement's own.
      if (cannotWriteNow(error)) {
        throw new QueueError(
          "unavailable",
          `cannot write the SQLite store at ${this.path}: ${(error as Error).message}`,
        );
      }
      throw error;
    }
  }

  /**
   * Runs a transaction's work; if it held the lock long, the transaction itself records when
   * (core/lease.ts): the processes that waited behind it may have missed a heartbeat.
   */
  private holding<T>(fn: () => T): T {
    const from = Date.now();
    const result = fn();
    const until = Date.now();
    if (until - from >= LONG_HOLD_MS) {
      this.sql(
        `INSERT INTO store_hold (id, held_from, held_until) VALUES (1, ?, ?)
          ON CONFLICT (id) DO UPDATE SET held_from = excluded.held_from, held_until = excluded.held_until`,
      ).run(from, until);
    }
    return result;
  }

  /** Counts commits: the one that shows the store is busy starts its checkpoint thread. */
  private committed(): void {
    if (++this.commits !== THREAD_AFTER_COMMITS || !this.files) return;
    try {
      this.checkpoints = new BackgroundCheckpoints(this.path);
    } catch {
      // No thread: the store checkpoints at its commits, as it always could.
    }
  }

  /** The last long hold of the write lock, or null if none was recorded. */
  lastHold(): StoreHold | null {
    const row = this.sql(`SELECT held_from AS "from", held_until AS "until" FROM store_hold WHERE id = 1`).get();
    return (row as StoreHold | undefined) ?? null;
  }

  /** Prepared once per SQL text, then reused. */
  sql(text: string): Stmt {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.raw.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  close(): void {
    this.checkpoints?.stop();
    this.checkpoints = null;
    if (this.raw.open) this.raw.close();
    this.files?.releaseSidecars();
  }
}
