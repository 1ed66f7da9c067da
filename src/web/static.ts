import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./http-errors.js";

/**
 * The dashboard's files. index.html, style.css and the icon are served from `web/` as written, the
 * scripts from `dist/web/` where `npm run build` compiles `web/src/*.ts`: one build, no copy step.
 * Only names matching a fixed pattern are served, so no path can climb out of these folders.
 */
const ROOT = new URL("../../../", import.meta.url); // dist/src/web/ → the package root
const PAGES = new URL("web/", ROOT);
const SCRIPTS = new URL("dist/web/", ROOT);
/**
 * Core modules the dashboard imports as they are, so that it formats and judges by the CLI's rules: only
 * these (no Node imports), compiled by the server's build, at /app/core/ (web/src imports `./core/`).
 */
const CORE = new URL("dist/src/core/", ROOT);
const SHARED_CORE = new Set(["format.js", "job-state.js", "types.js"].flatMap((name) => [name, `${name}.map`]));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** A file as served: its bytes, and a strong ETag (a hash of them: any change makes a new tag). */
interface Asset {
  body: Buffer;
  etag: string;
}

/** Keyed by path; each entry kept while the file's size and mtime stay the same. A fixed set of files. */
const assets = new Map<string, Asset & { version: string }>();

async function load(file: URL): Promise<Asset> {
  const path = fileURLToPath(file);
  try {
    const { size, mtimeMs, ino } = await stat(path);
    const version = `${ino}:${size}:${mtimeMs}`;
    const known = assets.get(path);
    if (known?.version === version) return known;
    const body = await readFile(path);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    assets.set(path, { body, etag, version });
    return { body, etag };
  } catch {
    throw new HttpError(404, `not found: ${file.pathname.split("/").at(-1) ?? ""}`);
  }
}

/** If-None-Match names this ETag (weak comparison, as for GET), or is "*". */
function current(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

const typeOf = (name: string): string => TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";

/**
 * Sends a file, or 304 when the browser's copy is current. `no-cache`: the browser may keep a copy
 * but asks every time, so a new version of the dashboard is picked up at once.
 */
async function send(request: FastifyRequest, reply: FastifyReply, file: URL): Promise<FastifyReply> {
  const { body, etag } = await load(file);
  void reply.header("etag", etag).header("cache-control", "no-cache");
  if (current(request.headers["if-none-match"], etag)) return reply.code(304).send();
  return reply.type(typeOf(file.pathname)).send(body);
}

export function registerStatic(app: FastifyInstance): void {
  app.get("/", (request, reply) => send(request, reply, new URL("index.html", PAGES)));
  for (const name of ["style.css", "favicon.svg"]) {
    app.get(`/${name}`, (request, reply) => send(request, reply, new URL(name, PAGES)));
  }
  app.get<{ Params: { file: string } }>("/app/:file", (request, reply) => {
    const { file } = request.params;
    if (!/^[a-z0-9-]+\.js(\.map)?$/.test(file)) throw new HttpError(404, `not found: ${file}`);
    return send(request, reply, new URL(file, SCRIPTS));
  });
  app.get<{ Params: { file: string } }>("/app/core/:file", (request, reply) => {
    const { file } = request.params;
    if (!SHARED_CORE.has(file)) throw new HttpError(404, `not found: ${file}`);
    return send(request, reply, new URL(file, CORE));
  });
}
