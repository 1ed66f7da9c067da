import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess, type SpawnOptions, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { stopProcess } from "../helpers/cli.js";
import { tempHome, waitFor } from "../helpers/env.js";

/*
 * The package as a user gets it: `npm pack` of a clean copy of the source (so `prepack` builds from
 * nothing and the running suite's dist/ is not rewritten under it), `npm install` of the tarball into
 * an empty folder, then the installed `queuectl` binary: enqueue, a worker, status, the dashboard.
 *
 * better-sqlite3's install script normally downloads a prebuilt binary from GitHub, or compiles
 * SQLite (minutes) when it cannot. The test serves it the binary this checkout already has, from a
 * local mirror (the `binary_host` setting its installer reads), so the install script still runs and
 * its result must load. QUEUECTL_PACK_FROM_SOURCE=1 skips the mirror: the real compile, ~2–4 minutes.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const work = tempHome("queuectl-pack-");
const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  work.cleanup();
});

function run(command: string, args: string[], options: SpawnSyncOptions): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 600_000, ...options });
  const out = `${String(r.stdout ?? "")}${String(r.stderr ?? "")}`;
  assert.equal(r.status, 0, `${command} ${args.join(" ")} exited ${r.status} (${r.error?.message ?? ""}):\n${out}`);
  return String(r.stdout ?? "");
}

async function runAsync(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const output = collect(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  assert.equal(code, 0, `${command} ${args.join(" ")} exited ${code}:\n${output()}`);
}

/** Tracked and untracked-but-not-ignored files: what a clean clone of this checkout holds. */
function copySource(to: string): void {
  const listed = run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  for (const file of listed.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
    cpSync(join(ROOT, file), join(to, file), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(to, "node_modules")); // the dev dependencies prepack needs
}

/** Serves this checkout's better-sqlite3 binary as a prebuild for any version asked for. */
async function prebuildMirror(dir: string): Promise<{ url: string; server: Server }> {
  const tarball = join(dir, "prebuild.tar.gz");
  const addon = "build/Release/better_sqlite3.node";
  run("tar", ["czf", tarball, "-C", join(ROOT, "node_modules/better-sqlite3"), addon], {});
  const server = createServer((request, response) => {
    if (!request.url?.endsWith(".tar.gz")) return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/gzip" }).end(readFileSync(tarball));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** prebuild-install caches a download under ~/.npm/_prebuilds keyed by its URL: remove ours. */
function forgetCachedPrebuild(mirror: string): void {
  const version = (
    JSON.parse(readFileSync(join(ROOT, "node_modules/better-sqlite3/package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const { platform, arch, versions } = process;
  const name = `better-sqlite3-v${version}-node-v${versions.modules}-${platform}-${arch}.tar.gz`;
  const url = `${mirror}/v${version}/${name}`;
  const digest = createHash("sha512").update(url).digest("hex").slice(0, 6);
  const cache = process.env.npm_config_cache ?? join(homedir(), ".npm");
  rmSync(join(cache, "_prebuilds", `${digest}-${name.replace(/[^a-zA-Z0-9.]+/g, "-")}`), { force: true });
}

function collect(child: ChildProcess): () => string {
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (out += d));
  return () => out;
}

test("the packed tarball installs into an empty folder and its queuectl works", { timeout: 900_000 }, async () => {
  // --- pack a clean copy; prepack must build dist/ from nothing
  const source = join(work.home, "source");
  mkdirSync(source);
  copySource(source);
  assert.equal(existsSync(join(source, "dist")), false, "the copy starts without dist/");
  run("npm", ["pack", "--pack-destination", work.home], { cwd: source });
  const tarball = join(
    work.home,
    `queuectl-${
      (
        JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
          version: string;
        }
      ).version
    }.tgz`,
  );
  const files = run("tar", ["tzf", tarball], {})
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""));
  for (const needed of [
    "bin/queuectl.js",
    "dist/src/cli/main.js",
    "dist/src/index.js",
    "dist/src/index.d.ts",
    "dist/src/worker/runner-process.js",
    "native/spawner.c",
    "scripts/build-native.js",
    "dist/web/main.js",
    "web/index.html",
    "web/style.css",
    "web/favicon.svg",
    "README.md",
    "LICENSE",
    "package.json",
  ]) {
    assert.ok(files.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = files.filter((f) => /^(test|bench|docs|src|web\/src|dist\/test|dist\/bench)\/|\.(map|png)$/.test(f));
  assert.deepEqual(unwanted, [], "the tarball carries tests, benches, sources, maps or screenshots");

  // --- install it where nothing else is: no TypeScript, no dev dependencies, no build
  const app = join(work.home, "app");
  mkdirSync(app);
  // What the README tells a project to do: approve better-sqlite3's install script.
  const manifest = { name: "app", private: true, allowScripts: { "better-sqlite3": true } };
  writeFileSync(join(app, "package.json"), JSON.stringify(manifest));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("npm_")) delete env[key]; // not the suite's npm run
  if (process.env.QUEUECTL_PACK_FROM_SOURCE !== "1") {
    const mirror = await prebuildMirror(work.home);
    cleanups.push(() => {
      mirror.server.close();
      forgetCachedPrebuild(mirror.url);
    });
    env.npm_config_better_sqlite3_binary_host = mirror.url;
  }
  const started = Date.now();
  // Not spawnSync: the prebuild mirror above answers from this process's event loop.
  await runAsync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: app, env });
  console.log(`# npm install of the tarball: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(existsSync(join(app, "node_modules/typescript")), false, "dev dependencies must not be installed");
  const installed = join(app, "node_modules/queuectl");
  assert.equal(existsSync(join(installed, "dist/test")), false);
  // The native module was installed by its script and loads in this folder.
  run(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], { cwd: app });

  // --- the installed binary, as a user runs it
  const bin = join(app, "node_modules/.bin/queuectl");
  const home = join(work.home, "home");
  const cliEnv = { ...env, QUEUECTL_HOME: home, NO_COLOR: "1" };
  const cli = (args: string[]) => run(bin, args, { cwd: app, env: cliEnv });
  assert.match(cli(["--version"]), /\d+\.\d+\.\d+/);
  const id = cli(["enqueue", JSON.stringify({ command: "echo packed" })]).trim();
  assert.match(id, /^\S+$/);

  const spawnOptions: SpawnOptions = { cwd: app, env: cliEnv, stdio: ["ignore", "pipe", "pipe"] };
  const worker = spawn(bin, ["worker", "start", "--count", "1"], spawnOptions);
  const workerOutput = collect(worker);
  cleanups.push(() => worker.kill("SIGKILL"));
  try {
    await waitFor(
      `job ${id} to complete (worker: ${workerOutput().slice(-300)})`,
      () => {
        const status = JSON.parse(cli(["status", "--json"])) as { counts: Record<string, number> };
        return status.counts.completed === 1 ? status : null;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    cli(["worker", "stop"]);
    await waitFor("the worker to exit after worker stop", () => worker.exitCode !== null, { timeoutMs: 15_000 });
  } finally {
    await stopProcess(worker, "SIGKILL");
  }
  // queuectl's install script built its spawner wherever a C compiler is (this machine has one if
  // better-sqlite3 could be built here); the worker says which way it starts commands.
  if (spawnSync("cc", ["--version"]).status === 0) {
    assert.ok(existsSync(join(installed, "dist/native/queuectl-spawner")), "the install built the native spawner");
    assert.match(workerOutput(), /commands start through the native spawner/);
  } else {
    assert.match(workerOutput(), /commands start through Node's spawn \(no native spawner: /);
  }
  assert.match(cli(["job", "output", id]), /^packed$/m);

  const web = spawn(bin, ["web", "--port", "0"], spawnOptions);
  const webOutput = collect(web);
  cleanups.push(() => web.kill("SIGKILL"));
  try {
    const url = (
      await waitFor(`the dashboard's address (output: ${webOutput()})`, () =>
        /queuectl dashboard: (http:\/\/\S+?)\/?\s/.exec(webOutput()),
      )
    )[1]!;
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/app\/main\.js"><\/script>/);
    const script = await fetch(`${url}/app/main.js`);
    assert.equal(script.status, 200, "the dashboard's compiled script is served from the installed package");
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await script.text()).length > 100);
    const css = await fetch(`${url}/style.css`);
    assert.equal(css.status, 200);
    const status = (await (await fetch(`${url}/api/status`)).json()) as { counts: Record<string, number> };
    assert.equal(status.counts.completed, 1);
  } finally {
    await stopProcess(web, "SIGTERM", 10_000);
  }
});
