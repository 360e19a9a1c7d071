// Helpers for end-to-end tests: run the real CLI in a challenge directory
// and look for processes a run left behind.
import { cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { packageRoot } from "../../src/util/packageRoot.js";

export const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
export const SOLUTION = join(packageRoot, "solutions", "kv-store");
export const SOLUTION_SERVER = join(SOLUTION, "dist", "server.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function clstr(cwd: string, ...args: string[]): Promise<CliResult> {
  return clstrWithEnv(cwd, {}, ...args);
}

export async function clstrWithEnv(cwd: string, env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  const r = await execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: "1", FORCE_COLOR: "0", ...env } });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface InitResult extends CliResult {
  /** Processes left in the CLI's PID namespace after it exited: "pid state command". */
  leftovers: string[];
  /** Whether SIGINT was sent (interruptAt matched). */
  interrupted: boolean;
}

/**
 * Runs the CLI as the only child of PID 1 in a fresh PID namespace (inside a
 * user namespace), so that every process it starts is in there with it. PID 1
 * never reaps an orphan: after the CLI exits, anything still listed (alive,
 * or a zombie nobody waited for) outlived it. With `interruptAt`, PID 1 sends
 * the CLI SIGINT once its output matches, as a Ctrl-C would.
 */
export async function clstrAsOnlyChild(cwd: string, args: string[], opts: { interruptAt?: RegExp } = {}): Promise<InitResult> {
  const init = join(packageRoot, "test", "fixtures", "pid-namespace", "init.mjs");
  const r = await execa(
    "unshare",
    ["--user", "--map-root-user", "--pid", "--fork", "--mount-proc", "--", process.execPath, init, process.execPath, CLI, ...args],
    { cwd, reject: false, env: { NO_COLOR: "1", FORCE_COLOR: "0", ...(opts.interruptAt ? { CLSTR_INTERRUPT_AT: opts.interruptAt.source } : {}) } },
  );
  const stderr = String(r.stderr).trimEnd();
  const last = stderr.slice(stderr.lastIndexOf("\n") + 1);
  let verdict: { code: number | null; interrupted: boolean; leftovers: string[] };
  try {
    verdict = JSON.parse(last) as typeof verdict;
  } catch {
    throw new Error(`the PID namespace's init gave no verdict (exit ${r.exitCode}): ${stderr.slice(-2000)}`);
  }
  return {
    code: verdict.code ?? -1,
    stdout: String(r.stdout),
    stderr: stderr.slice(0, stderr.lastIndexOf("\n") + 1),
    leftovers: verdict.leftovers,
    interrupted: verdict.interrupted,
  };
}

export function startClstr(cwd: string, ...args: string[]): ResultPromise {
  return execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: "1" } });
}

/** A fresh challenge directory with the given clstr.yaml fields. */
export function challengeDir(fields: { stage?: string; run?: string; build?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), "clstr-e2e-"));
  const lines = ["challenge: kv-store", `stage: ${fields.stage ?? "http-api"}`];
  if (fields.build) lines.push(`build: ${JSON.stringify(fields.build)}`);
  if (fields.run) lines.push(`run: ${JSON.stringify(fields.run)}`);
  writeFileSync(join(dir, "clstr.yaml"), lines.join("\n") + "\n");
  return dir;
}

export function brokenVariant(name: string): string {
  return `node ${join(packageRoot, "dist", "test", "broken", "kv-store", name, "server.js")}`;
}

export function copyFixture(name: string, dir: string): void {
  cpSync(join(packageRoot, "test", "fixtures", name), dir, { recursive: true });
}

/** Processes (not zombies) whose working directory is inside `dir`. */
export function processesIn(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(dir + "/")) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && state !== "X") found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Resolves once `condition` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface JsonReport {
  status: string;
  stages: { stage: string; status: string; tests: { name: string; status: string; failure?: string; hint?: string; replay?: string }[] }[];
}

export function parseReport(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

/** "stage: status" per stage, and the first failed test, for compact asserts. */
export function summary(report: JsonReport): { stages: string[]; failedTest: string | undefined } {
  const failed = report.stages.flatMap((s) => s.tests).find((t) => t.status === "failed");
  return { stages: report.stages.map((s) => `${s.stage}: ${s.status}`), failedTest: failed?.name };
}

// What a killed run could leave on this machine besides processes and engine
// objects: namespaces, firewall rules, network interfaces, temporary folders.
// Each is measured so that other work on the machine (other tests, other
// engines' networks) does not count: namespaces by the ids the run's own
// processes had, rules and interfaces by what names the run's subnet or
// bridge, compared with before the run.

const NAMESPACE_KINDS = ["net", "user", "mnt", "pid", "uts", "ipc"] as const;

/** The namespaces (e.g. "net:[4026532301]") these processes are in that this test process is not in: the ones the run made. */
export function namespacesOf(pids: readonly number[]): Set<string> {
  const own = new Set(NAMESPACE_KINDS.map((k) => readlinkSafe(`/proc/self/ns/${k}`)));
  const found = new Set<string>();
  for (const pid of pids) {
    for (const kind of NAMESPACE_KINDS) {
      const ns = readlinkSafe(`/proc/${pid}/ns/${kind}`);
      if (ns && !own.has(ns)) found.add(ns);
    }
  }
  return found;
}

/**
 * Which of these namespaces still exist: a process is in one, holds one open
 * (a descriptor), or a bind mount keeps one (as `ip netns` and Docker do).
 */
export function namespacesLeft(namespaces: ReadonlySet<string>): string[] {
  if (namespaces.size === 0) return [];
  const left = new Set<string>();
  const inodes = new Map([...namespaces].map((ns) => [ns.slice(ns.indexOf("[") + 1, -1), ns]));
  const mountNamespaces = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    for (const kind of NAMESPACE_KINDS) {
      const ns = readlinkSafe(`/proc/${entry}/ns/${kind}`);
      if (ns && namespaces.has(ns)) left.add(`${ns} (process ${entry})`);
    }
    const mnt = readlinkSafe(`/proc/${entry}/ns/mnt`);
    if (mnt && !mountNamespaces.has(mnt)) mountNamespaces.set(mnt, Number(entry));
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      const target = readlinkSafe(`/proc/${entry}/fd/${fd}`);
      if (target && namespaces.has(target)) left.add(`${target} (held open by process ${entry})`);
    }
  }
  // A bind-mounted namespace shows in mountinfo as an nsfs mount whose root is "kind:[inode]".
  for (const pid of mountNamespaces.values()) {
    let mounts = "";
    try {
      mounts = readFileSync(`/proc/${pid}/mountinfo`, "utf8");
    } catch {
      continue;
    }
    for (const line of mounts.split("\n")) {
      const m = / \S+:\[(\d+)\] (\S+) .* - nsfs /.exec(line);
      const ns = m && inodes.get(m[1]!);
      if (ns) left.add(`${ns} (mounted at ${m[2]})`);
    }
  }
  return [...left].sort();
}

function readlinkSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Named network namespaces (`ip netns list`). */
export async function namedNetworkNamespaces(): Promise<string[]> {
  const r = await execa("ip", ["netns", "list"], { reject: false });
  return String(r.stdout).split("\n").map((l) => l.trim()).filter(Boolean).sort();
}

/** The iptables rules and chains (`iptables-save`, every table) that mention any of `needles`, e.g. the run's subnet or bridge. */
export async function iptablesRules(needles: readonly string[]): Promise<string[]> {
  const r = await execa("iptables-save", [], { reject: false });
  if (r.exitCode !== 0) return [];
  let table = "";
  const rules: string[] = [];
  for (const line of String(r.stdout).split("\n")) {
    if (line.startsWith("*")) table = line.slice(1);
    else if ((line.startsWith("-A ") || line.startsWith(":")) && needles.some((n) => line.includes(n))) rules.push(`${table}: ${line.replace(/ \[\d+:\d+\]$/, "")}`);
  }
  return rules.sort();
}

/** Network interfaces on this host whose description mentions any of `needles` (a bridge, and the veths attached to it). */
export async function interfacesMentioning(needles: readonly string[]): Promise<string[]> {
  const r = await execa("ip", ["-o", "link", "show"], { reject: false });
  return String(r.stdout)
    .split("\n")
    .filter((l) => needles.some((n) => l.includes(n)))
    .map((l) => l.split(":").slice(1, 2).join("").trim());
}

/** A run's temporary folders under the system's (clstr-XXXXXX for sockets, clstr-image-XXXXXX for the image build). */
export function runTempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => /^clstr-(image-)?[A-Za-z0-9]{6}$/.test(name));
}

/** Polls `leftovers` until it finds nothing; returns what it found last (empty when all went) after `timeoutMs`. */
export async function untilNothingLeft(leftovers: () => Promise<string[]> | string[], timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftovers();
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}
