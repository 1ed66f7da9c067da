import { Queue as CoreQueue } from "./core/queue.js";
import { openStore, type OpenStoreOptions } from "./store/open.js";

export type { OpenStoreOptions };

/**
 * The library's `Queue`: the core queue plus `open()`, which picks the engine a location names.
 * It lives here, above the core and the engines, because the core must not import an engine.
 */
export class Queue extends CoreQueue {
  /** Opens the store `db` / $QUEUECTL_DB / the home's SQLite file names, schema brought up to date. */
  static async open(options: OpenStoreOptions = {}): Promise<Queue> {
    return new Queue(await openStore(options));
  }
}
