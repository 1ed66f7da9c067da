/** Store contract: Wake-ups between instances on the same database. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { waitFor } from "../../helpers/env.js";
import { type MakeStore, storeCase } from "./harness.js";

export function notifyCases(engineName: string, makeStore: MakeStore): void {
  const withStore = storeCase(makeStore);

  describe(`Store contract: ${engineName}`, () => {
    describe("notify / subscribe", () => {
      it(
        "wakes subscribers of this instance and of another instance on the same database",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            let here = 0;
            let there = 0;
            const offHere = store.subscribe(() => here++);
            const offThere = other.subscribe(() => there++);
            // A subscription may take a moment to be in place: notify until it is seen.
            await waitFor(
              "a notify from this instance to reach the other",
              () => {
                store.notify();
                return there > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            await waitFor(
              "a notify to reach this instance's own subscriber",
              () => {
                store.notify();
                return here > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            const before = here;
            await waitFor(
              "a notify from the other instance to reach this one",
              () => {
                other.notify();
                return here > before;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            offHere();
            offThere();
          } finally {
            await other.close();
          }
        }),
      );

      it(
        "stops calling a listener once unsubscribed",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            let gone = 0;
            let witness = 0;
            const offGone = other.subscribe(() => gone++);
            const offWitness = other.subscribe(() => witness++);
            await waitFor(
              "both listeners subscribed",
              () => {
                store.notify();
                return gone > 0 && witness > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            offGone();
            const goneBefore = gone;
            const witnessBefore = witness;
            // The witness, still subscribed, proves notifies keep arriving.
            await waitFor(
              "more notifies to arrive",
              () => {
                store.notify();
                return witness >= witnessBefore + 3;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            assert.equal(gone, goneBefore);
            offWitness();
          } finally {
            await other.close();
          }
        }),
      );
    });
  });
}
