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
        "notifyFinished wakes finish subscribers of every instance, and not the workers' subscribers",
        withStore(async (store, handle) => {
          const other = await handle.reopen();
          try {
            let finished = 0;
            let work = 0;
            const offFinished = other.subscribeFinished(() => finished++);
            const offWork = other.subscribe(() => work++);
            await waitFor(
              "a finish notice from this instance to reach the other",
              () => {
                store.notifyFinished();
                return finished > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            // The work subscription in place: one notice at a time, each given a second to arrive,
            // so that none is still on its way when counting starts.
            for (let tries = 0; work === 0; tries++) {
              assert.ok(tries < 10, "a work notice reaches the other instance");
              store.notify();
              await waitFor("a work notice", () => work > 0, { timeoutMs: 1_000 }).catch(() => {});
            }
            const seenWork = work;
            const seenFinished = finished;
            store.notifyFinished();
            store.notifyFinished();
            await waitFor("the finish notices", () => finished > seenFinished, { timeoutMs: 10_000 });
            assert.equal(work, seenWork, "workers are not woken by finishes");
            let mine = 0;
            const offMine = store.subscribeFinished(() => mine++);
            await waitFor(
              "a finish notice to reach this instance's own subscriber",
              () => {
                store.notifyFinished();
                return mine > 0;
              },
              { timeoutMs: 10_000, intervalMs: 50 },
            );
            offMine();
            offFinished();
            offWork();
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
