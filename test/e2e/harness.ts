// Helpers for end-to-end tests: run the real CLI in a challenge directory
// and look for processes a run left behind.
import { cpSync, mkdtempSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
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
      const stat = readFileSyncSafe(`/proc/${entry}/stat`);
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state !== "Z" && state !== "X") found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

import { readFileSync } from "node:fs";
function readFileSyncSafe(path: string): string {
  return readFileSync(path, "utf8");
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
  stages: { stage: string; status: string; tests: { name: string; status: string; failure?: string; hint?: string }[] }[];
}

export function parseReport(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

/** "stage: status" per stage, and the first failed test, for compact asserts. */
export function summary(report: JsonReport): { stages: string[]; failedTest: string | undefined } {
  const failed = report.stages.flatMap((s) => s.tests).find((t) => t.status === "failed");
  return { stages: report.stages.map((s) => `${s.stage}: ${s.status}`), failedTest: failed?.name };
}
