// The dashboard's files over real HTTP: a strong ETag each, revalidated on every use
// (Cache-Control: no-cache), and a 304 without a body when the browser's copy is current.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Queue } from "../../src/open.js";
import { startWebServer, type WebServer } from "../../src/web/server.js";
import { tempHome } from "../helpers/env.js";

const FILES = ["/", "/style.css", "/favicon.svg", "/app/main.js", "/app/core/format.js"];

describe("static files: ETag and 304", () => {
  let home: ReturnType<typeof tempHome>;
  let queue: Queue;
  let server: WebServer;
  const url = (path: string) => new URL(path, server.url).toString();

  before(async () => {
    home = tempHome("queuectl-static-");
    queue = await Queue.open({ db: home.db });
    server = await startWebServer({ queue, db: home.db, host: "127.0.0.1", port: 0 });
  });

  after(async () => {
    await server?.close("now");
    await queue?.close();
    home?.cleanup();
  });

  it("every file has a strong, stable ETag and must be revalidated", async () => {
    const tags = new Set<string>();
    for (const path of FILES) {
      const first = await fetch(url(path));
      assert.equal(first.status, 200, path);
      assert.ok((await first.arrayBuffer()).byteLength > 0, `${path}: a body`);
      const etag = first.headers.get("etag") ?? "";
      assert.match(etag, /^"[!#-~]+"$/, `${path}: a strong ETag, got ${etag}`);
      assert.equal(first.headers.get("cache-control"), "no-cache", path);
      const again = await fetch(url(path));
      await again.arrayBuffer();
      assert.equal(again.headers.get("etag"), etag, `${path}: the same file, the same ETag`);
      tags.add(etag);
    }
    assert.equal(tags.size, FILES.length, "each file its own ETag");
  });

  it("If-None-Match with the current ETag: 304, no body; any other: 200 with the file", async () => {
    for (const path of FILES) {
      const full = await fetch(url(path));
      const body = Buffer.from(await full.arrayBuffer());
      const etag = full.headers.get("etag") ?? "";
      for (const header of [etag, `W/${etag}`, `"elsewhere", ${etag}`, "*"]) {
        const cached = await fetch(url(path), { headers: { "if-none-match": header } });
        assert.equal(cached.status, 304, `${path} with If-None-Match: ${header}`);
        assert.equal((await cached.arrayBuffer()).byteLength, 0, `${path}: no body with a 304`);
        assert.equal(cached.headers.get("etag"), etag, `${path}: a 304 names the ETag`);
        assert.equal(cached.headers.get("cache-control"), "no-cache");
      }
      for (const header of ['"stale"', etag.slice(0, -2) + '"', ""]) {
        const fresh = await fetch(url(path), { headers: { "if-none-match": header } });
        assert.equal(fresh.status, 200, `${path} with If-None-Match: ${header}`);
        assert.deepEqual(Buffer.from(await fresh.arrayBuffer()), body);
      }
    }
  });

  it("a file that does not exist is a 404 without an ETag", async () => {
    const missing = await fetch(url("/app/nothing-here.js"), { headers: { "if-none-match": "*" } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("etag"), null);
    await missing.arrayBuffer();
  });
});
