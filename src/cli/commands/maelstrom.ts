import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { runTest, type EngineOptions } from "../../maelstrom/engine.js";
import { summarize, writeResults } from "../../maelstrom/results.js";
import { WORKLOADS } from "../../maelstrom/workloads/index.js";
import { TOPOLOGIES } from "../../maelstrom/workloads/topology.js";
import { UserError } from "../errors.js";

export interface MaelstromFlags {
  workload: string;
  bin: string;
  nodeCount: string;
  timeLimit: string;
  rate: string;
  concurrency: string;
  latency: string;
  latencyDist: string;
  nemesis?: string;
  nemesisInterval: string;
  availability?: string;
  topology: string;
  logStderr?: boolean;
  seed?: string;
}

function number(flag: string, value: string, { min = 0, integer = false } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UserError(`--${flag} is ${JSON.stringify(value)}; it must be ${integer ? "an integer" : "a number"} of at least ${min}.`);
  }
  return n;
}

/** `--concurrency 10` or `--concurrency 2n` (twice the node count). */
export function concurrencyOf(value: string, nodeCount: number): number {
  const m = /^(\d+(?:\.\d+)?)(n?)$/.exec(value.trim());
  if (!m) throw new UserError(`--concurrency is ${JSON.stringify(value)}; give a number of clients (10) or a multiple of the node count (2n).`);
  return Math.max(1, Math.round(Number(m[1]) * (m[2] ? nodeCount : 1)));
}

/** Turns Maelstrom's command-line flags into engine options; every bad value is one sentence. */
export function engineOptions(flags: MaelstromFlags, args: readonly string[], cwd: string): EngineOptions {
  if (!(WORKLOADS as readonly string[]).includes(flags.workload)) {
    throw new UserError(`-w ${flags.workload}: clstr's Maelstrom engine has the workloads ${WORKLOADS.join(", ")}.`);
  }
  if (!["constant", "uniform", "exponential"].includes(flags.latencyDist)) {
    throw new UserError(`--latency-dist is ${JSON.stringify(flags.latencyDist)}; use constant, uniform or exponential.`);
  }
  if (!TOPOLOGIES.includes(flags.topology)) throw new UserError(`--topology is ${JSON.stringify(flags.topology)}; use one of ${TOPOLOGIES.join(", ")}.`);
  const nemesis = (flags.nemesis ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of nemesis) if (n !== "partition") throw new UserError(`--nemesis ${n}: the only nemesis is partition.`);
  if (flags.availability !== undefined && flags.availability !== "total") throw new UserError(`--availability is ${JSON.stringify(flags.availability)}; the only level checked is total.`);
  const nodeCount = number("node-count", flags.nodeCount, { min: 1, integer: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    workload: flags.workload,
    bin: flags.bin.includes("/") ? resolve(cwd, flags.bin) : flags.bin,
    args,
    cwd,
    nodeCount,
    timeLimitS: number("time-limit", flags.timeLimit, { min: 0 }),
    rate: number("rate", flags.rate, { min: 0.001 }),
    concurrency: concurrencyOf(flags.concurrency, nodeCount),
    latencyMs: number("latency", flags.latency),
    latencyDist: flags.latencyDist as EngineOptions["latencyDist"],
    nemesis,
    nemesisIntervalS: number("nemesis-interval", flags.nemesisInterval, { min: 0.1 }),
    ...(flags.availability ? { availability: flags.availability } : {}),
    topology: flags.topology,
    storeDir: join(cwd, "store", flags.workload, stamp),
    ...(flags.seed !== undefined ? { seed: number("seed", flags.seed, { integer: true }) } : {}),
  };
}

/** `clstr maelstrom test`: Maelstrom's command line, no JVM. Exit 0 valid, 1 invalid, 2 unknown. */
export default async function maelstromTest(args: string[], flags: MaelstromFlags): Promise<number> {
  const cwd = process.cwd();
  const opts = engineOptions(flags, args, cwd);
  if (flags.logStderr) opts.onStderr = (node, line) => process.stderr.write(`${node}: ${line}\n`);
  opts.onEvent = (what) => process.stderr.write(`clstr maelstrom: ${what}\n`);
  const result = await runTest(opts);
  await writeResults(opts, result);
  const latest = join(cwd, "store", "latest");
  rmSync(latest, { force: true });
  try {
    mkdirSync(join(cwd, "store"), { recursive: true });
    symlinkSync(result.storeDir, latest);
  } catch {
    // a convenience only
  }
  console.log(summarize(opts, result));
  return result.valid === true ? 0 : result.valid === false ? 1 : 2;
}
