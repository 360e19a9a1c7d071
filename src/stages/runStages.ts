import type { Challenge, MaelstromStage, Stage, SuiteStage } from "../challenges/types.js";
import type { ClstrConfig } from "../config/clstrYaml.js";
import type { Reporter } from "../reports/reporter.js";
import { UserError } from "../util/errors.js";
import { runMaelstromStages } from "./maelstromStage.js";
import type { RunOutcome } from "./runInOrder.js";
import { runSuiteStages, type RuntimeKind } from "./suiteStages.js";

export { exitCodeOf, type RunOutcome } from "./runInOrder.js";
export type { RuntimeKind } from "./suiteStages.js";

/**
 * Runs a challenge's stages in order against the learner's servers or nodes,
 * stopping at the first that fails. Ctrl-C stops every node and ends the run.
 * A challenge's stages are of one kind (planned ones aside, which cannot run).
 */
export async function runStages(
  dir: string,
  config: ClstrConfig,
  challenge: Challenge,
  stages: readonly Stage[],
  reporter: Reporter,
  runtimeFlag?: RuntimeKind,
): Promise<RunOutcome> {
  const suites: SuiteStage[] = [];
  const maelstrom: MaelstromStage[] = [];
  for (const stage of stages) {
    switch (stage.kind) {
      case "suite":
        suites.push(stage);
        break;
      case "maelstrom":
        maelstrom.push(stage);
        break;
      case "planned":
        throw new UserError(`The ${stage.key} stage of ${challenge.key} is coming soon: this version of clstr has no tests for it yet.`, 1);
    }
  }
  if (maelstrom.length > 0 && suites.length > 0) throw new Error(`${challenge.key} mixes HTTP and Maelstrom stages`);
  if (maelstrom.length === 0) return runSuiteStages(dir, config, challenge, suites, reporter, runtimeFlag);
  const runtime = runtimeFlag ?? config.runtime;
  if (runtime === "docker") {
    throw new UserError(`${challenge.name} stages run on clstr's Maelstrom engine, not in Docker: drop \`--runtime docker\` (or \`runtime: docker\` in clstr.yaml).`);
  }
  return runMaelstromStages(dir, config, challenge, maelstrom, reporter);
}
