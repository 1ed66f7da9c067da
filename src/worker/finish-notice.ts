/** Least time between two notices: a wait hears of a finish within this, whatever the rate. */
const MIN_GAP_MS = 50;

/**
 * The store's "jobs finished" wake-up (for `wait`), sent after finished runs are recorded: at once
 * when none went out for MIN_GAP_MS, else once at the end of that gap however many batches
 * finished meanwhile. A busy worker so sends at most ~20 a second, never one per job.
 */
export class FinishNotice {
  private last = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: () => void) {}

  recorded(): void {
    if (this.timer) return;
    const wait = this.last + MIN_GAP_MS - performance.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fire();
    }, wait);
  }

  private fire(): void {
    this.last = performance.now();
    this.send();
  }
}
