import { spawn, type ChildProcessByStdio } from "node:child_process";
import { accessSync, constants as fs } from "node:fs";
import { constants as os } from "node:os";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { OutputStream } from "../core/types.js";
import type { ShellChild, ShellEvents, StartShell } from "./shell-child.js";

/** Built by scripts/build-native.js from native/spawner.c, when a C compiler was there. */
export const NATIVE_SPAWNER = fileURLToPath(new URL("../../native/queuectl-spawner", import.meta.url));

/**
 * Whether commands start through the native spawner: null when they do, else why not (one
 * line for the worker's log). QUEUECTL_SPAWNER=node asks for Node's spawn.
 */
export function nativeUnavailable(): string | null {
  if (process.env.QUEUECTL_SPAWNER === "node") return "QUEUECTL_SPAWNER=node";
  if (process.platform === "win32") return "not built on Windows";
  try {
    accessSync(NATIVE_SPAWNER, fs.X_OK);
    return null;
  } catch {
    return `${NATIVE_SPAWNER} was not built (no C compiler at install?)`;
  }
}

const HEADER = 12;
const STREAMS: Record<number, OutputStream> = { 1: "stdout", 2: "stderr" };
const SIGNAL_NAMES = new Map(Object.entries(os.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

interface NativeRun {
  events: ShellEvents;
  /** The process group's leader, once the spawner said it started. */
  pid: number | undefined;
  /** A signal asked for before the pid was known, sent as soon as it is. */
  early: NodeJS.Signals | null;
  exited: boolean;
  /** At its exit, the shell left processes in its group (the spawner looked). */
  leftovers: boolean;
  open: number;
}

/**
 * One native spawner process (native/spawner.c) and the runs it started: requests and events
 * travel as binary frames on its stdin and stdout (see the C file), output as raw bytes. The
 * shells are its children; the worker signals their process groups itself.
 */
export class NativeSpawner {
  private readonly process: ChildProcessByStdio<Writable, Readable, null>;
  private readonly runs = new Map<number, NativeRun>();
  private nextId = 1;
  private partial: Buffer | null = null;
  private corked = false;

  constructor(onExit: (how: string) => void) {
    this.process = spawn(NATIVE_SPAWNER, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.process.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.process.stdin.on("error", () => {}); // it died: its exit reports that
    this.process.once("error", (error) => onExit(error.message));
    this.process.once("exit", (code, signal) => onExit(signal ? `signal ${signal}` : `exit code ${code}`));
  }

  /** Resolves once the process runs (or failed to start). */
  ready(): Promise<void> {
    return new Promise((resolve) => {
      this.process.once("spawn", resolve);
      this.process.once("error", () => resolve());
    });
  }

  readonly start: StartShell = (command, env, cwd, events) => {
    const extra = env ? Object.entries(env).map(([name, value]) => `${name}=${value}`) : [];
    // The directory comes second; empty: the spawner's own.
    const strings = [command, cwd ?? "", ...extra];
    for (const text of strings) {
      // The spawner's strings end at NUL; Node's spawn refuses the same.
      if (text.includes("\0"))
        throw new TypeError("the command, its directory and its environment must be strings without null bytes");
    }
    const id = this.nextId++;
    const run: NativeRun = { events, pid: undefined, early: null, exited: false, leftovers: true, open: 2 };
    this.runs.set(id, run);
    this.send("R", id, Buffer.from(strings.join("\0") + "\0"));
    const child: ShellChild = {
      signalGroup: (signal) => {
        // Asking the kernel costs an exception per run that left nothing: the spawner already knows.
        if (signal === 0 && run.exited && !run.leftovers) return false;
        if (run.pid !== undefined) return signalGroup(run.pid, signal);
        if (signal !== 0 && !run.exited) run.early = signal;
        return !run.exited;
      },
      groupId: () => run.pid,
      closePipes: () => {
        if (run.open === 0) return;
        this.send("D", id, Buffer.alloc(0));
        run.open = 0;
        this.forget(id, run);
        events.closed("stdout");
        events.closed("stderr");
      },
    };
    return child;
  };

  /** Its stdin ends: it exits once its runs are over (SIGTERM to those still going). */
  close(): void {
    this.process.stdin.end();
  }

  /** The runs in flight; each is told it could not go on (it is being failed by the runner). */
  abandon(error: Error): void {
    const lost = [...this.runs.values()];
    this.runs.clear();
    for (const run of lost) run.events.error(error);
  }

  private send(type: "R" | "D", id: number, payload: Buffer): void {
    const header = Buffer.alloc(HEADER);
    header[0] = type.charCodeAt(0);
    header.writeUInt32LE(id, 4);
    header.writeUInt32LE(payload.length, 8);
    // The runs started in one turn of the event loop (claimed together) go in one write.
    if (!this.corked) {
      this.corked = true;
      this.process.stdin.cork();
      process.nextTick(() => {
        this.corked = false;
        this.process.stdin.uncork();
      });
    }
    this.process.stdin.write(payload.length > 0 ? Buffer.concat([header, payload]) : header);
  }

  private receive(chunk: Buffer): void {
    let data = chunk;
    if (this.partial) {
      // Completes the frame begun in an earlier read, copying only its own bytes of this one.
      const taken = this.complete(this.partial, data);
      if (taken === null) return;
      data = data.subarray(taken);
    }
    while (data.length >= HEADER) {
      const length = data.readUInt32LE(8);
      if (data.length < HEADER + length) break;
      this.dispatch(data[0]!, data[1]!, data.readUInt32LE(4), data.subarray(HEADER, HEADER + length));
      data = data.subarray(HEADER + length);
    }
    this.partial = data.length > 0 ? data : null;
  }

  /** Adds to `partial` what its frame lacks from `data`; dispatches it once whole. Bytes taken, or null: all. */
  private complete(partial: Buffer, data: Buffer): number | null {
    const header = Math.min(Math.max(0, HEADER - partial.length), data.length);
    let frame = header > 0 ? Buffer.concat([partial, data.subarray(0, header)]) : partial;
    if (frame.length < HEADER) {
      this.partial = frame;
      return null;
    }
    const need = HEADER + frame.readUInt32LE(8) - frame.length;
    const take = Math.min(need, data.length - header);
    frame = Buffer.concat([frame, data.subarray(header, header + take)]);
    if (take < need) {
      this.partial = frame;
      return null;
    }
    this.partial = null;
    this.dispatch(frame[0]!, frame[1]!, frame.readUInt32LE(4), frame.subarray(HEADER));
    return header + take;
  }

  private dispatch(type: number, stream: number, id: number, payload: Buffer): void {
    const run = this.runs.get(id);
    if (!run) return; // its pipes were let go
    switch (String.fromCharCode(type)) {
      case "S":
        run.pid = payload.readUInt32LE(0);
        if (run.early) signalGroup(run.pid, run.early);
        return;
      case "E":
        this.runs.delete(id);
        run.events.error(new Error(payload.toString()));
        return;
      case "O":
        // Small pieces are copied: a slice would keep the whole chunk read alive with them.
        run.events.output(STREAMS[stream]!, payload.length < 4096 ? Buffer.from(payload) : payload);
        return;
      case "C":
        run.open--;
        this.forget(id, run);
        run.events.closed(STREAMS[stream]!);
        return;
      case "X":
        run.exited = true;
        run.leftovers = (stream & 2) !== 0;
        this.forget(id, run);
        if (stream & 1) run.events.exit(null, signalName(payload.readInt32LE(0)));
        else run.events.exit(payload.readInt32LE(0), null);
        return;
    }
  }

  private forget(id: number, run: NativeRun): void {
    if (run.exited && run.open === 0) this.runs.delete(id);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is already gone
  }
}

function signalName(n: number): NodeJS.Signals {
  return SIGNAL_NAMES.get(n) ?? (`SIG${n}` as NodeJS.Signals);
}
