import { join } from "node:path";
import type { SuiteResult, TestResult } from "../attest/runner.js";
import type { MaelstromStage, Stage } from "../challenges/types.js";
import { concurrencyOf } from "../cli/commands/maelstrom.js";
import type { EventLog } from "../logs/eventLog.js";
import { runTest, type EngineOptions, type EngineResult } from "./engine.js";
import { REPORT_FILE, writeMaelstromReport } from "../reports/maelstromHtml.js";
import { writeResults } from "./results.js";

export interface MaelstromStageRun {
  stage: Stage & { maelstrom: MaelstromStage };
  /** The learner's `run:` command: the node, started through sh. */
  run: string;
  cwd: string;
  storeRoot: string;
  log: EventLog;
  signal: AbortSignal;
  onTest: (r: TestResult) => void;
}

export const MAELSTROM_RUNTIME = "maelstrom engine (simulated network; nodes are local processes speaking JSON on stdin/stdout)";

/** The engine options for a stage: its challenge page's parameters, the learner's node. */
export function stageOptions(s: MaelstromStageRun): EngineOptions {
  const m = s.stage.maelstrom;
  return {
    workload: m.workload,
    bin: "sh",
    args: ["-c", s.run],
    cwd: s.cwd,
    nodeCount: m.nodeCount,
    timeLimitS: m.timeLimitS,
    rate: m.rate,
    concurrency: concurrencyOf(m.concurrency ?? "1n", m.nodeCount),
    latencyMs: m.latencyMs ?? 0,
    latencyDist: "constant",
    nemesis: m.nemesis ? [m.nemesis] : [],
    nemesisIntervalS: 10,
    ...(m.availability ? { availability: m.availability } : {}),
    topology: "grid",
    storeDir: join(s.storeRoot, s.stage.key),
    env: { CLSTR_WORKLOAD: m.workload, CLSTR_STAGE: s.stage.key },
    signal: s.signal,
    onStderr: (node, line) => s.log.output(node, line),
    onEvent: (what) => s.log.event("**", what.toUpperCase()),
  };
}

/** Runs a Maelstrom stage and reports it as tests: protocol, history, and each threshold. */
export async function runMaelstromStage(s: MaelstromStageRun): Promise<SuiteResult> {
  const opts = stageOptions(s);
  const result = await runTest(opts);
  await writeResults(opts, result);
  await writeMaelstromReport(opts, result).catch((err: unknown) => s.log.event("**", `COULD NOT WRITE ${REPORT_FILE}: ${err instanceof Error ? err.message : String(err)}`));
  if (result.interrupted) return { passed: false, interrupted: true, durationMs: result.durationMs, tests: [] };
  const tests = verdicts(s.stage.maelstrom, result);
  for (const t of tests) s.onTest(t);
  return { passed: tests.every((t) => t.status !== "failed"), interrupted: false, durationMs: result.durationMs, tests };
}

function verdicts(m: MaelstromStage, r: EngineResult): TestResult[] {
  const ms = r.durationMs;
  const tests: TestResult[] = [];
  const where = `Results, history and node logs: ${r.storeDir} (and \`clstr logs\`). Report: ${join(r.storeDir, REPORT_FILE)}.`;
  if (r.violation) {
    const v = r.violation;
    tests.push({
      name: "Nodes Speak the Maelstrom Protocol",
      status: "failed",
      durationMs: ms,
      failure: [`Node ${v.node} ${v.problem}.`, ...(v.line !== undefined ? [`  Offending line: ${v.line.slice(0, 300)}`] : []), ...(v.stderr.length ? ["  Its last stderr lines:", ...v.stderr.slice(-8).map((l) => `    ${l}`)] : []), "", where].join("\n"),
      hint: "Print only Maelstrom messages on stdout, one JSON object per line ({\"src\", \"dest\", \"body\"}), and flush after each; logs go to stderr.",
    });
    return tests;
  }
  tests.push({ name: "Nodes Speak the Maelstrom Protocol", status: "passed", durationMs: 0 });
  const stats = r.stats.all;
  const historyOk = r.valid === true;
  tests.push({
    name: `The ${m.workload} History Is Valid`,
    status: historyOk ? "passed" : "failed",
    durationMs: ms,
    ...(historyOk
      ? {}
      : {
          failure: [`${stats.count} operations: ${stats.ok} ok, ${stats.fail} failed, ${stats.info} unknown.`, ...r.problems.map((p) => `  - ${p}`), "", where].join("\n"),
          hint: hintFor(m),
        }),
  });
  const t = m.thresholds;
  if (t?.msgsPerOp !== undefined) {
    const value = r.net.servers.msgsPerOp;
    tests.push(threshold(`Messages per Operation Below ${t.msgsPerOp}`, value, t.msgsPerOp, `${value.toFixed(2)} server messages per operation (${r.net.servers.msgCount} messages between nodes for ${r.history.filter((o) => !o.final).length} client operations)`, "Batch values and gossip them on a timer instead of forwarding each one; choose a topology with few hops instead of the grid you were given."));
  }
  const latencies = r.workload["stable-latencies"] as { median: number | null; max: number | null } | undefined;
  if (t?.medianLatencyMs !== undefined) {
    const v = latencies?.median ?? Infinity;
    tests.push(threshold(`Median Latency Below ${t.medianLatencyMs} ms`, v, t.medianLatencyMs, `median stable latency ${v} ms (from a broadcast until every read everywhere includes it)`, "Fewer hops and shorter batching intervals bring values to every node sooner."));
  }
  if (t?.maxLatencyMs !== undefined) {
    const v = latencies?.max ?? Infinity;
    tests.push(threshold(`Maximum Latency Below ${t.maxLatencyMs} ms`, v, t.maxLatencyMs, `maximum stable latency ${v} ms`, "With 100 ms per hop, the slowest value must reach the farthest node in a handful of hops, batching waits included."));
  }
  return tests;
}

function threshold(name: string, value: number, limit: number, measured: string, hint: string): TestResult {
  const ok = value < limit;
  return { name, status: ok ? "passed" : "failed", durationMs: 0, ...(ok ? {} : { failure: `Measured: ${measured}.\n  Expected: below ${limit}.`, hint }) };
}

function hintFor(m: MaelstromStage): string {
  switch (m.workload) {
    case "echo":
      return "Reply to each echo with {\"type\": \"echo_ok\", \"echo\": <the same value>, \"in_reply_to\": <its msg_id>}.";
    case "unique-ids":
      return "Ids must be unique across nodes without coordination (partitions happen): combine the node id with a local counter.";
    case "broadcast":
      return m.nemesis
        ? "Messages between nodes are dropped during partitions: keep resending each value to each peer until it acknowledges it."
        : "Every value a node learns must reach every other node: forward what you receive to your neighbours, once.";
    case "g-counter":
      return "Each node's adds must be visible from every node: keep per-node totals in seq-kv (or gossip them) and sum them on read; seq-kv may answer a read with a stale value.";
    case "kafka":
      return "Offsets must be unique and increasing per key, and every acknowledged message must be returned by polls from its offset: allocate offsets atomically (lin-kv cas) when nodes share keys.";
    default:
      return "See the stage's guide.";
  }
}
