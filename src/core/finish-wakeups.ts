import type { Store } from "./store.js";

/**
 * How often a wait looks at the store when no wake-up came: wake-ups are fire-and-forget (a lost
 * NOTIFY, a reconnect), so this only bounds how late a missed one is seen.
 */
export const SAFETY_POLL_MS = 5_000;
/** setTimeout's longest delay (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A wait's sleep: until the store says jobs finished (Store.subscribeFinished, sent by workers
 * after they record finishes), the safety poll, or the given time. A wake-up that arrives while
 * the waiter is busy reading is remembered, so none is lost between two sleeps.
 */
export class FinishWakeups {
  private pending = false;
  private resolve: (() => void) | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    store: Store,
    private readonly safetyPollMs = SAFETY_POLL_MS,
  ) {
    this.unsubscribe = store.subscribeFinished(() => this.wake());
  }

  /** Resolves on a wake-up, after the safety poll or after `maxMs`, whichever is first. */
  sleep(maxMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.resolve = null;
          resolve();
        },
        Math.min(this.safetyPollMs, maxMs, MAX_TIMER_MS),
      );
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    this.unsubscribe();
    this.resolve?.();
    this.resolve = null;
  }

  private wake(): void {
    const resolve = this.resolve;
    this.resolve = null;
    if (resolve) resolve();
    else this.pending = true;
  }
}
