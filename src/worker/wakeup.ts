/**
 * A resettable wake-up: `wait(ms)` sleeps until `wake()` or the timeout, whichever comes first.
 * A wake() that arrives while nobody waits is remembered, so none is lost between two waits.
 */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  wake(): void {
    if (this.resolve) {
      const resolve = this.resolve;
      this.resolve = null;
      resolve();
    } else {
      this.pending = true;
    }
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = null;
        resolve();
      }, ms);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
