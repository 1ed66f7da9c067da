/** Node's longest timer: a longer delay overflows and fires after 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimer {
  clear(): void;
}

/**
 * Like setTimeout, for any delay: a delay past Node's limit (~24.8 days) is waited in steps, each
 * re-armed against the same deadline so that the steps add no drift.
 */
export function setLongTimeout(callback: () => void, delayMs: number): LongTimer {
  const deadline = performance.now() + delayMs;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = deadline - performance.now();
    if (left <= MAX_TIMER_MS) timer = setTimeout(callback, Math.max(0, left));
    else timer = setTimeout(arm, MAX_TIMER_MS);
  };
  arm();
  return { clear: () => clearTimeout(timer) };
}
