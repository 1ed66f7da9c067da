import type { ClaimedJob } from "../core/types.js";
import { backoff, type WorkerContext } from "./context.js";
import type { RunTable } from "./runs.js";

/**
 * Claims jobs for free slots until the worker stops. Between claims it sleeps on the worker's
 * wake-up: until a slot frees, a job is enqueued, the next scheduled job is due, or the poll
 * interval passes. A claim that fails is retried with back-off. (Most claims in a busy worker are
 * made by the completer, together with the finishes that freed the slots.)
 */
export async function claimLoop(
  ctx: WorkerContext,
  table: RunTable,
  start: (claim: ClaimedJob) => void,
): Promise<void> {
  let failures = 0;
  while (!ctx.stopping) {
    const free = table.free();
    let claimed = 0;
    try {
      if (free > 0) {
        table.reserve(free);
        try {
          const claims = await ctx.writing(() =>
            ctx.store.claimJobs(ctx.id, free, Date.now(), ctx.leaseMs, ctx.queues),
          );
          claimed = claims.length;
          for (const claim of claims) start(claim);
        } finally {
          table.release(free);
        }
      }
      failures = 0;
    } catch (error) {
      failures++;
      const reason = (error as Error).message;
      ctx.log.warn({ event: "claim.failed", worker_id: ctx.id, reason }, `cannot claim jobs: ${reason}; retrying`);
      await ctx.wakeup.wait(backoff(failures));
      continue;
    }
    if (ctx.stopping) break;
    // Full: sleep until a slot frees (finished runs also claim for their slots, see Completer).
    // Nothing ready: sleep until a wake-up, the next due job or the poll interval.
    if (free <= 0 || claimed === free) await ctx.wakeup.wait(ctx.config["worker-poll-interval"] * 1000);
    else if (claimed === 0) await ctx.wakeup.wait(await idleMs(ctx, table));
  }
}

/** How long to sleep when idle: until the next scheduled job, at most the poll interval. */
async function idleMs(ctx: WorkerContext, table: RunTable): Promise<number> {
  const poll = ctx.config["worker-poll-interval"] * 1000;
  if (table.free() <= 0) return poll;
  try {
    const next = await ctx.store.nextRunAt();
    if (next === null) return poll;
    return Math.max(0, Math.min(poll, next - Date.now()));
  } catch {
    return poll;
  }
}
