import { join } from "node:path";
import { guidePath, type Challenge, type MaelstromStage, type MaelstromTest } from "../challenges/types.js";
import type { ClstrConfig } from "../config/clstrYaml.js";
import { EventLog } from "../logs/eventLog.js";
import { thresholdCheckers } from "../maelstrom/checkers/thresholds.js";
import { parseConcurrency } from "../maelstrom/concurrency.js";
import type { EngineOptions, EngineResult } from "../maelstrom/engine.js";
import { describeViolation } from "../maelstrom/violationText.js";
import type { Reporter } from "../reports/reporter.js";
import { runBuildCommand } from "../runtimes/local/buildCommand.js";
import { shellCommand } from "../runtimes/local/nodeProcess.js";
import { RuntimeError, UserError } from "../util/errors.js";
import type { SuiteResult, TestResult } from "../util/verdict.js";
import { runAndRecord } from "./maelstromRun.js";
import { reportStage, runInOrder, type RunOutcome } from "./runInOrder.js";
import { runPaths } from "./runPaths.js";
import { replayCommand, withReplay } from "./replay.js";
import { deriveSeed } from "../util/random.js";
import { slug } from "../util/slug.js";
import type { ModelName } from "../checkers/transactions/models.js";

interface MaelstromStageRun {
  stage: MaelstromStage;
  /** Which of the stage's tests (0-based). */
  index: number;
  /** The learner's `run:` command: the node, started through sh. */
  run: string;
  cwd: string;
  storeRoot: string;
  log: EventLog;
  signal: AbortSignal;
  onTest: (r: TestResult) => void;
  /** The run's seed; the engine's own comes from it and the stage. */
  seed: number;
}

export const MAELSTROM_RUNTIME = "maelstrom engine (simulated network; nodes are local processes speaking JSON on stdin/stdout)";

/** The engine options for one of a stage's tests: its challenge page's parameters, the learner's node. */
export function stageOptions(s: MaelstromStageRun): EngineOptions {
  const m = s.stage.tests[s.index]!;
  // A stage of one test keeps its folder and seed; the others' tests each get their own.
  const own = s.stage.tests.length > 1 ? `${s.index + 1}-${slug(m.label ?? "run", "run")}` : undefined;
  return {
    workload: m.workload,
    bin: "sh",
    args: ["-c", shellCommand(s.run)],
    cwd: s.cwd,
    nodeCount: m.nodeCount,
    timeLimitS: m.timeLimitS,
    rate: m.rate,
    concurrency: parseConcurrency(m.concurrency ?? "1n", m.nodeCount)!,
    latencyMs: m.latencyMs ?? 0,
    latencyDist: "constant",
    nemesis: m.nemesis ? [m.nemesis] : [],
    nemesisIntervalS: m.nemesisIntervalS ?? 10,
    ...(m.availability ? { availability: m.availability } : {}),
    topology: "grid",
    ...(m.consistencyModels ? { txn: { consistencyModels: m.consistencyModels.split(",") as ModelName[] } } : {}),
    storeDir: own ? join(s.storeRoot, s.stage.key, own) : join(s.storeRoot, s.stage.key),
    seed: deriveSeed(s.seed, own ? `${s.stage.key}/${own}` : s.stage.key),
    env: { CLSTR_WORKLOAD: m.workload, CLSTR_STAGE: s.stage.key },
    signal: s.signal,
    onStderr: (node, line) => s.log.output(node, line),
    onEvent: (what) => s.log.event("**", what.toUpperCase()),
    checkers: thresholdCheckers(m.thresholds ?? {}),
  };
}

/** Runs a Maelstrom stage's tests in order, stopping at the first that fails, and reports each as tests: protocol, history, and each threshold. */
async function runMaelstromStage(s: Omit<MaelstromStageRun, "index">): Promise<SuiteResult> {
  const tests: TestResult[] = [];
  let durationMs = 0;
  for (let index = 0; index < s.stage.tests.length; index++) {
    const m = s.stage.tests[index]!;
    if (m.label) s.log.event("**", `RUN ${index + 1} OF ${s.stage.tests.length}: ${m.label.toUpperCase()}`);
    const { result, report } = await runAndRecord(stageOptions({ ...s, index }));
    durationMs += result.durationMs;
    if ("error" in report) s.log.event("**", report.error.toUpperCase());
    if (result.interrupted) return { passed: false, interrupted: true, durationMs, tests };
    const where = `Results, history and node logs: ${result.storeDir} (and \`clstr logs\`). Report: ${"path" in report ? report.path : report.error}.`;
    const these = verdicts(m, result, where).map((t) => (m.label ? { ...t, name: `${t.name}, ${m.label}` } : t));
    for (const t of these) s.onTest(t);
    tests.push(...these);
    if (these.some((t) => t.status === "failed")) return { passed: false, interrupted: false, durationMs, tests };
  }
  return { passed: true, interrupted: false, durationMs, tests };
}

function verdicts(m: MaelstromTest, r: EngineResult, where: string): TestResult[] {
  const ms = r.durationMs;
  const tests: TestResult[] = [];
  if (r.violation) {
    const v = r.violation;
    tests.push({
      name: "Nodes Speak the Maelstrom Protocol",
      status: "failed",
      durationMs: ms,
      failure: [...describeViolation(v), "", where].join("\n"),
      hint: "Print only Maelstrom messages on stdout, one JSON object per line ({\"src\", \"dest\", \"body\"}), and flush after each; logs go to stderr.",
    });
    return tests;
  }
  tests.push({ name: "Nodes Speak the Maelstrom Protocol", status: "passed", durationMs: 0 });
  // The history's checks are every part but the stage's thresholds, which are tests of their own.
  const thresholds = thresholdCheckers(m.thresholds ?? {});
  const limits = new Set(thresholds.map((c) => c.name));
  const historyParts = Object.entries(r.checks?.parts ?? {}).filter(([name]) => !limits.has(name)).map(([, part]) => part);
  const historyOk = historyParts.length > 0 && historyParts.every((p) => p.valid === true);
  const stats = r.stats.all;
  tests.push({
    name: `The ${m.workload} History Is Valid`,
    status: historyOk ? "passed" : "failed",
    durationMs: ms,
    ...(historyOk
      ? {}
      : {
          failure: [`${stats.count} operations: ${stats.ok} ok, ${stats.fail} failed, ${stats.info} unknown.`, ...historyParts.flatMap((p) => p.failures).map((f) => `  - ${f}`), "", where].join("\n"),
          hint: hintFor(m),
        }),
  });
  for (const limit of thresholds) {
    const part = r.checks?.parts[limit.name];
    const ok = part?.valid === true;
    tests.push({
      name: limit.title,
      status: ok ? "passed" : "failed",
      durationMs: 0,
      ...(ok ? {} : { failure: (part?.failures ?? [`${limit.title}: not checked.`]).join("\n"), hint: limit.hint }),
    });
  }
  return tests;
}

function hintFor(m: MaelstromTest): string {
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
    case "txn-rw-register":
      return m.consistencyModels === "read-committed"
        ? "Apply each transaction's writes all at once, and let no other transaction (on this node or a peer) see a write before its transaction has finished; replicate only the final value of each key a transaction wrote."
        : "Answer every txn, even during partitions: execute it on the local copy and replicate its writes to the peers in the background.";
    default:
      return "See the stage's guide.";
  }
}

/**
 * Runs Maelstrom stages in order on clstr's engine, stopping at the first
 * that fails: the learner's node (`run:`) as local processes speaking JSON
 * lines, the network simulated.
 */
export async function runMaelstromStages(dir: string, config: ClstrConfig, challenge: Challenge, stages: readonly MaelstromStage[], reporter: Reporter, seed: number): Promise<RunOutcome> {
  if (!config.run) {
    throw new UserError("clstr.yaml has no `run:` command; add the shell command that starts your Maelstrom node, e.g. `run: ./maelstrom-echo` or `run: python3 node.py`.");
  }
  const paths = runPaths(dir);
  if (config.build) {
    try {
      await runBuildCommand(dir, config.build);
    } catch (err) {
      if (err instanceof RuntimeError) throw new UserError(`${err.message}\n${err.details ?? ""}`.trimEnd(), 1);
      throw err;
    }
  }
  const run = config.run;
  const log = new EventLog(paths.logFile);
  return runInOrder(
    stages,
    (stage, _i, signal) => {
      const faults = stage.tests.some((t) => t.nemesis) ? ["partition: the engine's simulated network"] : [];
      const report = { challenge: challenge.key, stage: stage.key, stageName: stage.name, guidePath: guidePath(challenge, stage), runtime: MAELSTROM_RUNTIME, faults, seed };
      return reportStage(
        reporter,
        report,
        withReplay(replayCommand(stage.key, seed), (listener) =>
          runMaelstromStage({ stage, run, cwd: dir, storeRoot: join(paths.root, "maelstrom"), log, signal, onTest: (t) => listener.testFinished(t), seed }),
        ),
      );
    },
    () => log.close(),
  );
}
