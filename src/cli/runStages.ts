import { randomUUID } from "node:crypto";
import { runSuite } from "../attest/runner.js";
import type { Challenge, Stage } from "../challenges/types.js";
import type { ClstrConfig } from "../config/clstrYaml.js";
import { EventLog } from "../logs/eventLog.js";
import type { Reporter, StageRun } from "../reports/reporter.js";
import { LocalRuntime } from "../runtimes/local/localRuntime.js";
import { describeMechanisms, type FaultKind } from "../faults/mechanisms.js";
import type { Runtime } from "../runtimes/runtime.js";
import { RuntimeError, UserError } from "../util/errors.js";
import { DockerRuntime } from "../runtimes/docker/dockerRuntime.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Suite } from "../attest/suite.js";
import { runPaths } from "./runPaths.js";
import { runBuildCommand } from "../runtimes/local/buildCommand.js";
import type { SuiteListener, SuiteResult } from "../attest/runner.js";
import { MAELSTROM_RUNTIME, runMaelstromStage } from "../maelstrom/stage.js";

export type RunOutcome = "passed" | "failed" | "interrupted";

/**
 * Runs stages in order against the learner's server, stopping at the first
 * stage that fails. Ctrl-C stops every node and ends the run.
 */
export async function runStages(
  dir: string,
  config: ClstrConfig,
  challenge: Challenge,
  stages: readonly Stage[],
  reporter: Reporter,
  runtimeFlag?: RuntimeKind,
): Promise<RunOutcome> {
  if (stages.some((s) => s.maelstrom)) return runMaelstromStages(dir, config, challenge, stages, reporter);
  for (const stage of stages) {
    if (!stage.load) {
      throw new UserError(`The ${stage.key} stage of ${challenge.key} is coming soon: this version of clstr has no tests for it yet.`, 1);
    }
  }
  const paths = runPaths(dir);
  // Suites first: a runtime, once created, may already be building (Docker) and must be closed.
  const suites = await Promise.all(stages.map((stage) => stage.load!()));
  const runtime = await createRuntime(dir, config, challenge, paths.root, runtimeFlag ?? config.runtime ?? defaultRuntime(config));
  try {
    refuseUnsupportedFaults(stages, suites, runtime);
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const log = new EventLog(paths.logFile);
  return runInOrder(
    stages,
    (stage, i, signal) => {
      const suite = suites[i]!;
      const faults = suite.faultKinds.map((kind) => describeMechanisms(pick(runtime.faultMechanisms, kind))[0]!);
      const run = { challenge, stage, runtime: runtime.description, faults };
      return reportStage(reporter, run, (listener) => runSuite(suite, { runtime, log, signal, listener }));
    },
    async () => {
      await runtime.close();
      await log.close();
    },
  );
}

/**
 * Runs stages one after another until one fails; Ctrl-C (or SIGTERM) aborts
 * the current one, a second Ctrl-C exits at once (the reaper cleans up).
 * `cleanup` runs whatever happens.
 */
async function runInOrder(
  stages: readonly Stage[],
  runOne: (stage: Stage, index: number, signal: AbortSignal) => Promise<SuiteResult>,
  cleanup: () => Promise<void>,
): Promise<RunOutcome> {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    for (const [i, stage] of stages.entries()) {
      const result = await runOne(stage, i, abort.signal);
      if (result.interrupted) return "interrupted";
      if (!result.passed) return "failed";
    }
    return "passed";
  } finally {
    await cleanup();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

async function reportStage(reporter: Reporter, run: StageRun, go: (listener: SuiteListener) => Promise<SuiteResult>): Promise<SuiteResult> {
  const result = await go(reporter.stageStarted(run));
  reporter.stageFinished(run, result);
  return result;
}

/**
 * A stage that injects a fault this runtime cannot inject would fail for a
 * reason that is not the learner's: refuse it before any node starts.
 */
function refuseUnsupportedFaults(stages: readonly Stage[], suites: readonly Suite[], runtime: Runtime): void {
  stages.forEach((stage, i) => {
    for (const kind of suites[i]!.config.needs) {
      const mechanism = runtime.faultMechanisms[kind];
      if (mechanism.available) continue;
      throw new UserError(
        `The ${stage.key} stage injects network ${kind === "partition" ? "partitions" : kind}, which this runtime (${runtime.description}) cannot inject: ${mechanism.reason}; run \`clstr doctor\` to see what this machine supports, or use \`--runtime docker\`.`,
      );
    }
  });
}

function pick(mechanisms: Runtime["faultMechanisms"], kind: FaultKind): Partial<Runtime["faultMechanisms"]> {
  return { [kind]: mechanisms[kind] };
}

export type RuntimeKind = "local" | "docker";

/** Maelstrom-protocol stages: the engine runs the learner's node; no HTTP runtime. */
async function runMaelstromStages(dir: string, config: ClstrConfig, challenge: Challenge, stages: readonly Stage[], reporter: Reporter): Promise<RunOutcome> {
  for (const stage of stages) {
    if (!stage.maelstrom) {
      throw new UserError(`The ${stage.key} stage of ${challenge.key} is coming soon: this version of clstr has no tests for it yet.`, 1);
    }
  }
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
      const faults = stage.maelstrom!.nemesis ? ["partition: the engine's simulated network"] : [];
      return reportStage(reporter, { challenge, stage, runtime: MAELSTROM_RUNTIME, faults }, (listener) =>
        runMaelstromStage({
          stage: stage as Stage & { maelstrom: NonNullable<Stage["maelstrom"]> },
          run,
          cwd: dir,
          storeRoot: join(paths.root, "maelstrom"),
          log,
          signal,
          onTest: (t) => listener.testFinished(t),
        }),
      );
    },
    () => log.close(),
  );
}

/** Local when clstr.yaml says how to run a node; otherwise Docker, from the Dockerfile. */
function defaultRuntime(config: ClstrConfig): RuntimeKind {
  return config.run ? "local" : "docker";
}

async function createRuntime(dir: string, config: ClstrConfig, challenge: Challenge, runDir: string, kind: RuntimeKind): Promise<Runtime> {
  const runId = randomUUID();
  if (kind === "docker") {
    if (!existsSync(join(dir, "Dockerfile"))) {
      throw new UserError(
        config.run
          ? `There is no Dockerfile here (${dir}); the Docker runtime builds the nodes' image from it: add one (\`clstr init\` writes one per language), or use \`--runtime local\`.`
          : "clstr.yaml has no `run:` command and there is no Dockerfile here; add `run:` with the shell command that starts one node (e.g. `run: python3 server.py`), or a Dockerfile to run the nodes in Docker.",
      );
    }
    try {
      return await DockerRuntime.create({ cwd: dir, challenge: challenge.key, runId, notice: (m) => console.error(`clstr: ${m}`) });
    } catch (err) {
      if (err instanceof RuntimeError) throw new UserError(err.message);
      throw err;
    }
  }
  if (!config.run) {
    throw new UserError(
      "clstr.yaml has no `run:` command; add the shell command that starts one node of your server, e.g. `run: python3 server.py` (or use `--runtime docker` with a Dockerfile).",
    );
  }
  const network = process.env.CLSTR_NETWORK;
  if (network !== undefined && network !== "sandbox" && network !== "loopback") {
    throw new UserError(`CLSTR_NETWORK is \`${network}\`; set it to \`sandbox\` or \`loopback\`, or unset it.`);
  }
  try {
    return await LocalRuntime.create({ cwd: dir, run: config.run, build: config.build, runDir, runId, network });
  } catch (err) {
    if (err instanceof RuntimeError) throw new UserError(err.message);
    throw err;
  }
}

export function exitCodeOf(outcome: RunOutcome): number {
  return outcome === "passed" ? 0 : outcome === "failed" ? 1 : 130;
}
