import type { FastifyInstance } from "fastify";
import type { ChangeFeed } from "../change-feed.js";
import { SECURITY_HEADERS } from "../security.js";

/** Keeps proxies and idle-connection reapers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/**
 * How far a client may fall behind: bytes written to it but not yet taken by its socket. A browser
 * that stops reading (a frozen tab, a dead link) would otherwise hold every later event in this
 * process; past the bound it is disconnected, and on reconnecting it reloads what it shows.
 */
export const MAX_BEHIND_BYTES = 4 * 1024 * 1024;

/**
 * GET /api/events — Server-Sent Events: `jobs` (changed jobs), `counts` (per state, after a change)
 * and `workers` (the list, when it changes). Browsers reconnect on their own; the client refetches
 * on `open`, so nothing missed while disconnected stays stale.
 */
export function registerEvents(app: FastifyInstance, feed: ChangeFeed, streams: Set<() => void>): void {
  app.get("/api/events", (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const send = (text: string): void => {
      if (res.destroyed) return;
      // Checked before writing, so a client holds at most the bound plus one event (≤ 256 KiB).
      if (res.writableLength > MAX_BEHIND_BYTES) {
        // destroy, not end: end would wait behind everything still queued.
        res.destroy();
        return;
      }
      res.write(text);
    };
    const unsubscribe = feed.subscribe(send);
    const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
    const end = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(end);
      if (!res.writableEnded && !res.destroyed) res.end();
    };
    streams.add(end);
    request.raw.on("close", end);
    res.on("close", end);
  });
}
