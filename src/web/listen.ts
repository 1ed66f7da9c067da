import type { FastifyInstance } from "fastify";

/** Starts listening and returns the base URL (with the port chosen when `port` is 0), ending in "/". */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return `http://${host.includes(":") ? `[${host}]` : host}:${bound}/`;
}
