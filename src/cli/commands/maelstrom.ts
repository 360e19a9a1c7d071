import { accessSync, constants, mkdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { parseConcurrency } from "../../maelstrom/concurrency.js";
import type { EngineOptions } from "../../maelstrom/engine.js";
import { summarize } from "../../maelstrom/results.js";
import { reservedNames } from "../../maelstrom/participants.js";
import { WORKLOADS } from "../../maelstrom/workloads/index.js";
import { TOPOLOGIES } from "../../maelstrom/workloads/topology.js";
import { parseModels, type TxnOptions } from "../../maelstrom/workloads/txn.js";
import { MODEL_NAMES } from "../../checkers/transactions/models.js";
import { runAndRecord } from "../../stages/maelstromRun.js";
import { untilStopped } from "../../stages/runInOrder.js";
import { UserError } from "../../util/errors.js";

export interface MaelstromFlags {
  workload: string;
  bin: string;
  nodeCount?: string;
  nodes?: string;
  timeLimit: string;
  rate: string;
  concurrency: string;
  latency: string;
  latencyDist: string;
  nemesis?: string;
  nemesisInterval: string;
  availability?: string;
  topology: string;
  keyCount?: string;
  maxTxnLength?: string;
  maxWritesPerKey?: string;
  consistencyModels?: string;
  logStderr?: boolean;
  logNetSend?: boolean;
  logNetRecv?: boolean;
  testCount: string;
  loss: string;
  seed?: string;
}

/** Bad arguments exit 254, as Maelstrom's do; 2 means an unknown verdict. */
const BAD_ARGUMENTS = 254;

function badArgument(message: string): UserError {
  return new UserError(message, BAD_ARGUMENTS);
}

interface Bounds {
  /** The smallest value allowed; with `above`, the value must be greater. */
  min?: number;
  above?: boolean;
  integer?: boolean;
}

/** A numeric flag; empty, non-numeric and out-of-range values are one sentence each. */
function number(flag: string, value: string, { min = 0, above = false, integer = false }: Bounds = {}): number {
  const n = value.trim() === "" ? NaN : Number(value);
  const ok = Number.isFinite(n) && (integer ? Number.isSafeInteger(n) : true) && (above ? n > min : n >= min);
  if (!ok) {
    const kind = integer ? "an integer" : "a number";
    const range = min === -Infinity ? "" : above ? ` above ${min}` : ` of at least ${min}`;
    throw badArgument(`--${flag} is ${JSON.stringify(value)}; it must be ${kind}${range}.`);
  }
  return n;
}

/** `--concurrency 10` or `--concurrency 2n` (twice the node count): at least one client. */
function concurrencyOf(value: string, nodeCount: number): number {
  const clients = parseConcurrency(value, nodeCount);
  if (clients === undefined) throw badArgument(`--concurrency is ${JSON.stringify(value)}; give a number of clients (10) or a multiple of the node count (2n).`);
  // parseConcurrency rounds up to one client; a value that asks for none is a mistake, not a default.
  const asked = Number(value.trim().replace(/n$/, "")) * (value.trim().endsWith("n") ? nodeCount : 1);
  if (Math.round(asked) < 1) throw badArgument(`--concurrency is ${JSON.stringify(value)}; it must give at least one client (1, or 1n for one per node).`);
  return clients;
}

/** Maelstrom's node names: n0..n(N-1) with --node-count, the --nodes list, or n1..n5. */
export function nodeNames(flags: Pick<MaelstromFlags, "nodeCount" | "nodes">): string[] {
  if (flags.nodeCount !== undefined) {
    const n = number("node-count", flags.nodeCount, { min: 1, integer: true });
    return Array.from({ length: n }, (_, i) => `n${i}`);
  }
  if (flags.nodes !== undefined) {
    const names = flags.nodes.split(",").map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw badArgument("--nodes is empty; give comma-separated node names like n1,n2,n3.");
    for (const name of names) {
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw badArgument(`--nodes has ${JSON.stringify(name)}; node names are letters, digits, '.', '_' or '-'.`);
    }
    if (new Set(names).size !== names.length) throw badArgument(`--nodes names a node twice: ${flags.nodes}.`);
    return names;
  }
  return ["n1", "n2", "n3", "n4", "n5"];
}

/** The txn workloads' flags, as Maelstrom names them. */
function txnOptions(flags: MaelstromFlags): TxnOptions {
  const o: TxnOptions = {};
  if (flags.keyCount !== undefined) o.keyCount = number("key-count", flags.keyCount, { min: 1, integer: true });
  if (flags.maxTxnLength !== undefined) o.maxTxnLength = number("max-txn-length", flags.maxTxnLength, { min: 1, integer: true });
  if (flags.maxWritesPerKey !== undefined) o.maxWritesPerKey = number("max-writes-per-key", flags.maxWritesPerKey, { min: 1, integer: true });
  if (flags.consistencyModels !== undefined) {
    const parsed = parseModels(flags.consistencyModels);
    if ("unknown" in parsed) throw badArgument(`--consistency-models has ${JSON.stringify(parsed.unknown)}; use comma-separated models from ${MODEL_NAMES.join(", ")}.`);
    if (parsed.models.length === 0) throw badArgument(`--consistency-models is empty; use comma-separated models from ${MODEL_NAMES.join(", ")}.`);
    o.consistencyModels = parsed.models;
  }
  return o;
}

/** `total`, or the fraction of requests that must succeed. */
function availabilityOf(value: string): "total" | number {
  if (value === "total") return "total";
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) throw badArgument(`--availability is ${JSON.stringify(value)}; use total or a fraction from 0 to 1.`);
  return n;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The node binary as the engine will start it (a path, or a name looked up on
 * PATH as spawn does), refused before any node starts when it cannot run.
 */
export function checkedBin(bin: string, cwd: string, path = process.env.PATH ?? ""): string {
  if (!bin.includes("/")) {
    const found = path.split(delimiter).filter(Boolean).some((dir) => isExecutableFile(join(dir, bin)));
    if (!found) throw badArgument(`--bin ${bin}: there is no program ${bin} on your PATH; give the path to your node, e.g. --bin ./${bin}.`);
    return bin;
  }
  const file = resolve(cwd, bin);
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw badArgument(`--bin ${bin}: there is no such file (${file}); give the path to your node's executable.`);
  }
  if (stat.isDirectory()) throw badArgument(`--bin ${bin} is a directory; give the path to your node's executable inside it.`);
  if (!isExecutableFile(file)) throw badArgument(`--bin ${bin} is not executable; make it so with \`chmod +x ${bin}\`, or name its interpreter first, e.g. --bin python3 ${bin}.`);
  return file;
}

/** Turns Maelstrom's command-line flags into engine options; every bad value is one sentence. */
export function engineOptions(flags: MaelstromFlags, args: readonly string[], cwd: string): EngineOptions {
  if (!(WORKLOADS as readonly string[]).includes(flags.workload)) {
    throw badArgument(`-w ${flags.workload}: clstr's Maelstrom engine has the workloads ${WORKLOADS.join(", ")}.`);
  }
  if (!["constant", "uniform", "exponential"].includes(flags.latencyDist)) {
    throw badArgument(`--latency-dist is ${JSON.stringify(flags.latencyDist)}; use constant, uniform or exponential.`);
  }
  if (!TOPOLOGIES.includes(flags.topology)) throw badArgument(`--topology is ${JSON.stringify(flags.topology)}; use one of ${TOPOLOGIES.join(", ")}.`);
  const nemesis = (flags.nemesis ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of nemesis) if (n !== "partition") throw badArgument(`--nemesis ${n}: the only nemesis is partition.`);
  const nodes = nodeNames(flags);
  const nodeCount = nodes.length;
  const concurrency = concurrencyOf(flags.concurrency, nodeCount);
  const reserved = reservedNames(concurrency);
  for (const name of nodes) {
    if (reserved.has(name)) throw badArgument(`--nodes has ${JSON.stringify(name)}, the name of one of this run's clients or services (${[...reserved].join(", ")}); name your nodes otherwise.`);
  }
  const loss = number("loss", flags.loss);
  if (loss >= 1) throw badArgument(`--loss is ${flags.loss}; it is the fraction of messages dropped and must be below 1.`);
  const bin = checkedBin(flags.bin, cwd);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    workload: flags.workload,
    nodes,
    bin,
    args,
    cwd,
    nodeCount,
    timeLimitS: number("time-limit", flags.timeLimit, { above: true }),
    rate: number("rate", flags.rate, { above: true }),
    concurrency,
    latencyMs: number("latency", flags.latency),
    latencyDist: flags.latencyDist as EngineOptions["latencyDist"],
    nemesis,
    nemesisIntervalS: number("nemesis-interval", flags.nemesisInterval, { above: true }),
    ...(flags.availability !== undefined ? { availability: availabilityOf(flags.availability) } : {}),
    lossRate: loss,
    topology: flags.topology,
    txn: txnOptions(flags),
    storeDir: join(cwd, "store", flags.workload, stamp),
    ...(flags.seed !== undefined ? { seed: number("seed", flags.seed, { min: -Infinity, integer: true }) } : {}),
  };
}

/** `clstr maelstrom test`: Maelstrom's command line, no JVM. Exit 0 valid, 1 invalid, 2 unknown. */
export default async function maelstromTest(args: string[], flags: MaelstromFlags): Promise<number> {
  const cwd = process.cwd();
  const base = engineOptions(flags, args, cwd);
  const runs = number("test-count", flags.testCount, { min: 1, integer: true });
  for (let i = 0; i < runs; i++) {
    const opts = i === 0 ? base : { ...base, storeDir: `${base.storeDir}-${i + 1}` };
    if (flags.logStderr) opts.onStderr = (node, line) => process.stderr.write(`${node}: ${line}\n`);
    if (flags.logNetSend || flags.logNetRecv) {
      opts.onMessage = (what, m) => {
        if (what === "send" ? flags.logNetSend : flags.logNetRecv) process.stderr.write(`:net-${what} ${JSON.stringify(m)}\n`);
      };
    }
    opts.onEvent = (what) => process.stderr.write(`clstr maelstrom: ${what}\n`);
    // Ctrl-C, SIGTERM or a closed terminal stop the nodes; the history so far is still written.
    const { result, report } = await untilStopped((signal) => runAndRecord({ ...opts, signal }), async () => {});
    if (result.interrupted) {
      console.log(`Interrupted: every node was stopped. What the run recorded is in ${result.storeDir}.`);
      return 130;
    }
    const latest = join(cwd, "store", "latest");
    rmSync(latest, { force: true });
    try {
      mkdirSync(join(cwd, "store"), { recursive: true });
      symlinkSync(result.storeDir, latest);
    } catch {
      // a convenience only
    }
    console.log(summarize(opts, result));
    console.log(`Report: ${"path" in report ? report.path : `${report.error}.`}`);
    if (result.valid !== true) return result.valid === false ? 1 : 2;
  }
  return 0;
}
