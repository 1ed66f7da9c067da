import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
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

async function serve(file: URL): Promise<Buffer> {
  try {
    return await readFile(fileURLToPath(file));
  } catch {
    throw new HttpError(404, `not found: ${file.pathname.split("/").at(-1) ?? ""}`);
  }
}

const typeOf = (name: string): string => TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";

export function registerStatic(app: FastifyInstance): void {
  const page = async (name: string) => ({ body: await serve(new URL(name, PAGES)), type: typeOf(name) });

  app.get("/", async (_request, reply) => {
    const { body, type } = await page("index.html");
    return reply.type(type).header("cache-control", "no-cache").send(body);
  });
  for (const name of ["style.css", "favicon.svg"]) {
    app.get(`/${name}`, async (_request, reply) => {
      const { body, type } = await page(name);
      return reply.type(type).header("cache-control", "no-cache").send(body);
    });
  }
  app.get<{ Params: { file: string } }>("/app/:file", async (request, reply) => {
    const { file } = request.params;
    if (!/^[a-z0-9-]+\.js(\.map)?$/.test(file)) throw new HttpError(404, `not found: ${file}`);
    return reply
      .type(typeOf(file))
      .header("cache-control", "no-cache")
      .send(await serve(new URL(file, SCRIPTS)));
  });
  app.get<{ Params: { file: string } }>("/app/core/:file", async (request, reply) => {
    const { file } = request.params;
    if (!SHARED_CORE.has(file)) throw new HttpError(404, `not found: ${file}`);
    return reply
      .type(typeOf(file))
      .header("cache-control", "no-cache")
      .send(await serve(new URL(file, CORE)));
  });
}
