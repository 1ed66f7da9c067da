/** Real HTTP clients of the live feed (GET /api/events): one that reads, one that stops reading. */
import { get, type IncomingMessage } from "node:http";
import { connect, type Socket } from "node:net";

export interface FeedEvent {
  type: string;
  data: unknown;
}

export interface FeedReader {
  events: FeedEvent[];
  /** Ids of every job seen in `jobs` events, with the last state seen. */
  jobs: Map<string, string>;
  /** Connections made (1 + reconnects) and whether the current one is open. */
  connections: () => number;
  close: () => void;
}

/** Reads the SSE stream like a browser would, reconnecting if the server closes it. */
export function readFeed(base: string): FeedReader {
  const events: FeedEvent[] = [];
  const jobs = new Map<string, string>();
  let connections = 0;
  let closed = false;
  let response: IncomingMessage | null = null;
  const open = (): void => {
    if (closed) return;
    connections++;
    const request = get(`${base}/api/events`, (res) => {
      response = res;
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (type === undefined || data === undefined) continue;
          const parsed: unknown = JSON.parse(data);
          events.push({ type, data: parsed });
          if (type === "jobs") for (const job of parsed as { id: string; state: string }[]) jobs.set(job.id, job.state);
        }
      });
      res.on("close", () => setTimeout(open, 100));
    });
    request.on("error", () => setTimeout(open, 100));
  };
  open();
  return {
    events,
    jobs,
    connections: () => connections,
    close: () => {
      closed = true;
      response?.destroy();
    },
  };
}

/**
 * A client that sends the request and then stops reading: once its socket buffer is full, the
 * kernel window closes and everything the server still sends waits in the server.
 */
export async function stalledClient(base: string): Promise<Socket> {
  const url = new URL(base);
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
  // The response head arrives; from then on nothing is read.
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  socket.pause();
  return socket;
}
