import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runSuite } from "../attest/runner.js";
import type { Suite } from "../attest/suite.js";
import type { History } from "../checkers/linearizability/history.js";
import type { CheckResult } from "../checkers/linearizability/result.js";
import { guidePath, type Challenge, type SuiteStage } from "../challenges/types.js";
import type { ClstrConfig } from "../config/clstrYaml.js";
import { describeMechanisms, type FaultKind } from "../faults/mechanisms.js";
import { EventLog } from "../logs/eventLog.js";
import type { Reporter } from "../reports/reporter.js";
import { DockerRuntime } from "../runtimes/docker/dockerRuntime.js";
import { LocalRuntime } from "../runtimes/local/localRuntime.js";
import type { Runtime } from "../runtimes/runtime.js";
import { RuntimeError, UserError } from "../util/errors.js";
import { reportStage, runInOrder, type RunOutcome } from "./runInOrder.js";
import { runPaths } from "./runPaths.js";
import { replayCommand, withReplay } from "./replay.js";
import { renderLinearizabilityHtml } from "../reports/linearizabilityHtml.js";

export type RuntimeKind = "local" | "docker";

/**
 * Runs HTTP stages in order on one runtime (the learner's servers as local
 * processes, in the network sandbox, or in Docker), stopping at the first
 * that fails.
 */
export async function runSuiteStages(
  dir: string,
  config: ClstrConfig,
  challenge: Challenge,
  stages: readonly SuiteStage[],
  reporter: Reporter,
  runtimeFlag: RuntimeKind | undefined,
  seed: number,
): Promise<RunOutcome> {
  const paths = runPaths(dir);
  // Suites first: a runtime, once created, may already be building (Docker) and must be closed.
  const suites = await Promise.all(stages.map((stage) => stage.load()));
  const kind = runtimeFlag ?? config.runtime ?? defaultRuntime(config);
  const runtime = await createRuntime(dir, config, challenge, paths.root, kind);
  try {
    refuseUnsupportedFaults(stages, suites, runtime, kind);
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
      const run = { challenge: challenge.key, stage: stage.key, stageName: stage.name, guidePath: guidePath(challenge, stage), runtime: runtime.description, faults, seed };
      const histories = { dir: paths.historyDir, picture: (history: History, result: CheckResult, title: string) => renderLinearizabilityHtml(history, result, { title }) };
      return reportStage(
        reporter,
        run,
        withReplay(replayCommand(stage.key, seed), (listener) => runSuite(suite, { runtime, log, signal, listener, seed, stage: stage.key, histories })),
      );
    },
    async () => {
      await runtime.close();
      await log.close();
    },
  );
}

/**
 * A stage that injects a fault this runtime cannot inject would fail for a
 * reason that is not the learner's: refuse it before any node starts.
 */
function refuseUnsupportedFaults(stages: readonly SuiteStage[], suites: readonly Suite[], runtime: Runtime, runtimeKind: RuntimeKind): void {
  // The other runtime may have what this one lacks (the sandbox delays packets without netem; Docker needs netem for it).
  const other = runtimeKind === "docker" ? "`--runtime local` (the network sandbox)" : "`--runtime docker`";
  stages.forEach((stage, i) => {
    for (const kind of suites[i]!.config.needs) {
      const mechanism = runtime.faultMechanisms[kind];
      if (mechanism.available) continue;
      throw new UserError(
        `The ${stage.key} stage injects network ${kind === "partition" ? "partitions" : kind}, which this runtime (${runtime.description}) cannot inject: ${mechanism.reason}; run \`clstr doctor\` to see what this machine supports, or use ${other}.`,
      );
    }
  });
}

function pick(mechanisms: Runtime["faultMechanisms"], kind: FaultKind): Partial<Runtime["faultMechanisms"]> {
  return { [kind]: mechanisms[kind] };
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
