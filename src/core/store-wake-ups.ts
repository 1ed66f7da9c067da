/** The Store's wake-ups between processes: work may be ready, jobs may have finished. */
export interface WakeUpStore {
  /** Tells idle workers (in any process) that work may be ready. Cheap; fire-and-forget. */
  notify(): void;
  /** Calls `listener` on every notify from any process; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Tells waiters (in any process) that jobs may have finished: a channel of its own, so that
   * idle workers are not woken by finishes. Cheap; fire-and-forget.
   */
  notifyFinished(): void;
  /**
   * Calls `listener` on every notifyFinished from any process, and once more when the
   * subscription is in place if that takes a while (a finish meanwhile would go unseen);
   * returns the unsubscribe function.
   */
  subscribeFinished(listener: () => void): () => void;
}
