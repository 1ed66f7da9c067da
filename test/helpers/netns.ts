/**
 * Network namespaces for fault tests (Linux, root, iproute2's `ip`): each namespace gets a veth
 * pair to the host, a /30 in 10.231.0.0/16 (host side .1, namespace side .2), and commands run in
 * it with `ip netns exec`. A service on the host that listens on every address (PostgreSQL, see
 * scripts/services) is reached from inside through the host side's address.
 *
 * cut() is a real partition: packets are dropped silently, so TCP hangs and retransmits rather
 * than getting a reset or an error. This kernel has neither sch_netem nor an nft/iptables binary,
 * so the cut sets the host side of the veth down: the namespace side loses carrier and drops what
 * it sends, without a sound. Two details keep it silent:
 * - the namespace's neighbour entry for the host is permanent, or the failing ARP would turn into
 *   "host unreachable" errors after ~3 s (a refused connect is not a partition);
 * - on the host, a blackhole route for the /30 (below the kernel's connected route, so only used
 *   while the link is down) keeps the host's replies from leaving by the default route.
 *
 * Names carry the test process's pid (`qctl-part-<pid>-<i>`, veths `qp<pid>h<i>`/`qp<pid>n<i>`,
 * blackhole routes with metric <pid>): cleanup removes everything of this run even after a failure,
 * and each new run removes what runs whose process is gone left behind (a run killed before its
 * cleanup), without touching a run that is still going.
 */
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { alive } from "./env.js";

const NS_PREFIX = "qctl-part-";
const VETH_PREFIX = "qp";
/** /30 subnets in 10.231.0.0/16: 16,384 of them. */
const SUBNETS = 1 << 14;

export interface Namespace {
  readonly name: string;
  /** The host side's address: what a command inside the namespace connects to. */
  readonly hostAddress: string;
  /** The namespace side's address. */
  readonly address: string;
  /** Its /30, as a route names it. */
  readonly subnet: string;
  readonly hostVeth: string;
  readonly veth: string;
}

/** "connected", "timeout", or the connect error's code (e.g. ECONNREFUSED). */
export type ProbeResult = string;

export interface NetLab {
  readonly namespaces: readonly Namespace[];
  /** Drops every packet between the namespace and the host, silently. */
  cut(ns: Namespace): void;
  /** Restores the link. */
  heal(ns: Namespace): void;
  /** Starts `argv` inside the namespace (`ip netns exec` execs it: the child's pid is the command's). */
  spawn(ns: Namespace, argv: string[], env: Record<string, string>): ChildProcessWithoutNullStreams;
  /** Tries a TCP connect from inside the namespace: "connected", "timeout", or the error code. */
  probe(ns: Namespace, host: string, port: number, timeoutMs?: number): Promise<ProbeResult>;
}

/** Why network namespaces cannot be used here, or null when they can. */
export function netnsSkipReason(): string | null {
  if (process.platform !== "linux") return "needs Linux (network namespaces)";
  if (process.getuid?.() !== 0) return "needs root (ip netns, veth)";
  const ip = spawnSync("ip", ["-V"], { encoding: "utf8" });
  if (ip.error) return "needs iproute2's `ip`";
  return null;
}

function ip(...args: string[]): string {
  try {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new Error(`ip ${args.join(" ")} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

function ipQuiet(...args: string[]): void {
  spawnSync("ip", args, { stdio: "ignore" });
}

function subnet(index: number): { base: string; host: string; ns: string } {
  const third = index >> 6;
  const fourth = (index & 63) << 2;
  const at = (n: number) => `10.231.${third}.${fourth + n}`;
  return { base: `${at(0)}/30`, host: at(1), ns: at(2) };
}

function subnetIndex(address: string): number | null {
  const m = /^10\.231\.(\d+)\.(\d+)$/.exec(address);
  return m ? (Number(m[1]) << 6) | (Number(m[2]) >> 2) : null;
}

/** Indexes of the /30s in use on the host (addresses stay on a veth while it is down). */
function usedSubnets(): Set<number> {
  const used = new Set<number>();
  for (const m of ip("-4", "-o", "addr", "show").matchAll(/inet (10\.231\.\d+\.\d+)\//g)) {
    const index = subnetIndex(m[1]!);
    if (index !== null) used.add(index);
  }
  for (const m of ip("-4", "route", "show").matchAll(/(10\.231\.\d+\.\d+)\/30/g)) {
    const index = subnetIndex(m[1]!);
    if (index !== null) used.add(index);
  }
  return used;
}

/** Removes namespaces, veths and blackhole routes left by runs whose process is gone. */
export function removeLeftovers(): void {
  const dead = (pid: string) => Number(pid) !== process.pid && !alive(Number(pid));
  for (const line of ip("netns", "list").split("\n")) {
    const m = new RegExp(`^(${NS_PREFIX}(\\d+)-\\d+)\\b`).exec(line);
    if (m && dead(m[2]!)) ipQuiet("netns", "del", m[1]!);
  }
  for (const m of ip("-o", "link", "show").matchAll(new RegExp(`^\\d+: (${VETH_PREFIX}(\\d+)[hn]\\d+)[@:]`, "gm"))) {
    if (dead(m[2]!)) ipQuiet("link", "del", m[1]!);
  }
  for (const m of ip("-4", "route", "show").matchAll(/^blackhole (10\.231\.\d+\.\d+\/30) metric (\d+)/gm)) {
    if (dead(m[2]!)) ipQuiet("route", "del", "blackhole", m[1]!, "metric", m[2]!);
  }
}

/** The names and addresses of namespace `index` of this run, in /30 number `subnetIndex`. */
function plan(index: number, subnetIndex: number): Namespace {
  const net = subnet(subnetIndex);
  return {
    name: `${NS_PREFIX}${process.pid}-${index}`,
    hostAddress: net.host,
    address: net.ns,
    subnet: net.base,
    hostVeth: `${VETH_PREFIX}${process.pid}h${index}`,
    veth: `${VETH_PREFIX}${process.pid}n${index}`,
  };
}

function create(ns: Namespace): void {
  ip("netns", "add", ns.name);
  ip("link", "add", ns.hostVeth, "type", "veth", "peer", "name", ns.veth, "netns", ns.name);
  ip("addr", "add", `${ns.hostAddress}/30`, "dev", ns.hostVeth);
  ip("link", "set", ns.hostVeth, "up");
  ip("route", "add", "blackhole", ns.subnet, "metric", String(process.pid));
  ip("-n", ns.name, "link", "set", "lo", "up");
  ip("-n", ns.name, "addr", "add", `${ns.address}/30`, "dev", ns.veth);
  ip("-n", ns.name, "link", "set", ns.veth, "up");
  const hostMac = /link\/ether ([0-9a-f:]{17})/.exec(ip("-o", "link", "show", ns.hostVeth))?.[1];
  if (!hostMac) throw new Error(`no MAC address on ${ns.hostVeth}`);
  ip("-n", ns.name, "neigh", "replace", ns.hostAddress, "lladdr", hostMac, "dev", ns.veth, "nud", "permanent");
}

function destroy(ns: Namespace): void {
  ipQuiet("netns", "del", ns.name);
  // Deleting the namespace deletes the pair; this covers a pair whose namespace never existed.
  ipQuiet("link", "del", ns.hostVeth);
  ipQuiet("route", "del", "blackhole", ns.subnet, "metric", String(process.pid));
}

const PROBE = `
const [host, port, ms] = process.argv.slice(1);
const socket = require("node:net").connect({ host, port: Number(port) });
const done = (what) => { console.log(what); process.exit(0); };
setTimeout(() => done("timeout"), Number(ms));
socket.on("connect", () => done("connected"));
socket.on("error", (e) => done(e.code || e.message));
`;

function probe(ns: Namespace, host: string, port: number, timeoutMs = 1_000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const argv = [process.execPath, "-e", PROBE, host, String(port), String(timeoutMs)];
    const child = spawn("ip", ["netns", "exec", ns.name, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", () => resolve(out.trim()));
  });
}

/**
 * Creates `count` namespaces, runs `fn`, and removes them all afterwards, whatever happened
 * (also at process exit, should the test be abandoned mid-way).
 */
export async function withNetLab<T>(count: number, fn: (lab: NetLab) => Promise<T>): Promise<T> {
  removeLeftovers();
  const used = usedSubnets();
  const indexes: number[] = [];
  // Start where this pid points, so that concurrent runs rarely even look at the same /30s.
  const first = (process.pid * count) % SUBNETS;
  for (let i = 0; indexes.length < count && i < SUBNETS; i++) {
    const at = (first + i) % SUBNETS;
    if (!used.has(at)) indexes.push(at);
  }
  const namespaces: Namespace[] = [];
  const cleanup = () => namespaces.forEach((ns) => destroy(ns));
  process.once("exit", cleanup);
  try {
    if (indexes.length < count) throw new Error("no free /30 left in 10.231.0.0/16");
    for (const [i, at] of indexes.entries()) {
      // Listed before it is complete, so that a failure half-way is cleaned up too.
      const ns = plan(i, at);
      namespaces.push(ns);
      create(ns);
    }
    const lab: NetLab = {
      namespaces,
      cut: (ns) => ip("link", "set", ns.hostVeth, "down"),
      heal: (ns) => ip("link", "set", ns.hostVeth, "up"),
      spawn: (ns, argv, env) => spawn("ip", ["netns", "exec", ns.name, ...argv], { env: { ...process.env, ...env } }),
      probe,
    };
    return await fn(lab);
  } finally {
    cleanup();
    process.off("exit", cleanup);
  }
}
