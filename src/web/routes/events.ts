import type { FastifyInstance } from "fastify";
import type { ChangeFeed, FeedEvent } from "../change-feed.js";
import { SECURITY_HEADERS } from "../security.js";

/** Keeps proxies and idle-connection reapers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

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
    const send = (event: FeedEvent): void => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    };
    const unsubscribe = feed.subscribe(send);
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
    const end = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    streams.add(end);
    request.raw.on("close", end);
  });
}
