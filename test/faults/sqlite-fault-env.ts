/**
 * Environments for the SQLite fault tests: a store on a small tmpfs (a disk that can really fill),
 * and the rule for tests that need root on Linux (they skip elsewhere, but never under CI).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IS_CI } from "../helpers/env.js";
import type { CliEnv } from "../cli/harness.js";

/** Why a test that mounts file systems cannot run here, or null if it can. Under CI it must run. */
export function rootLinuxSkipReason(): string | null {
  const reason =
    process.platform !== "linux"
      ? "needs Linux (mounts a tmpfs)"
      : process.getuid?.() !== 0
        ? "needs root (mounts a tmpfs)"
        : null;
  if (reason && IS_CI) throw new Error(`this fault test must run under CI but ${reason}`);
  return reason;
}

/** A fresh QUEUECTL_HOME on its own tmpfs of `sizeMb` MiB; cleanup unmounts and removes it. */
export function tmpfsEnv(sizeMb: number): CliEnv {
  const home = mkdtempSync(join(tmpdir(), "queuectl-tmpfs-"));
  const options = `size=${sizeMb}m,mode=0700`;
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", home], { encoding: "utf8" });
  if (mount.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs on ${home}: ${mount.stderr.trim()}`);
  }
  return {
    home,
    env: { QUEUECTL_HOME: home, QUEUECTL_DB: "" },
    cleanup: () => {
      // Lazy: a process of the test that still holds a file there must not leave the mount behind.
      spawnSync("umount", ["-l", home]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Writes zeros to `path` until the file system is full (ENOSPC); returns the bytes written. */
export function fillDisk(path: string): number {
  const fd = openSync(path, "w");
  let written = 0;
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          written += writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Writes a file of `bytes` zeros (space to give back later). */
export function reserve(path: string, bytes: number): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, Buffer.alloc(bytes));
  } finally {
    closeSync(fd);
  }
}
