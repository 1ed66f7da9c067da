#!/usr/bin/env node
// Builds the native spawner (native/spawner.c) into dist/native/queuectl-spawner with the C
// compiler that builds better-sqlite3. Without one the worker starts commands with Node's spawn
// (slower per command, same behaviour): this says so in one line and does not fail the install.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "native", "spawner.c");
const output = join(root, "dist", "native", "queuectl-spawner");

if (process.platform === "win32" || !existsSync(source)) process.exit(0);
mkdirSync(dirname(output), { recursive: true });
const cc = process.env.CC || "cc";
const flags = ["-O2", "-Wall", "-Wextra", "-Werror", "-std=c11"];
const result = spawnSync(cc, [...flags, "-o", output, source], { encoding: "utf8" });
if (result.status !== 0) {
  rmSync(output, { force: true });
  const why = result.error ? result.error.message : (result.stderr.trim().split("\n")[0] ?? `exit ${result.status}`);
  console.warn(`queuectl: native spawner not built (${cc}: ${why}); workers will start commands with Node's spawn`);
}
