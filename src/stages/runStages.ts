import type { Challenge, MaelstromStage, Stage, SuiteStage } from "../challenges/types.js";
import type { ClstrConfig } from "../config/clstrYaml.js";
import type { Reporter } from "../reports/reporter.js";
import { UserError } from "../util/errors.js";
import { randomSeed } from "../util/random.js";
import { runMaelstromStages } from "./maelstromStage.js";
import type { RunOutcome } from "./runInOrder.js";
import { lockRun } from "./runLock.js";
import { runPaths } from "./runPaths.js";
import { runSuiteStages, type RuntimeKind } from "./suiteStages.js";

export { exitCodeOf, type RunOutcome } from "./runInOrder.js";
export type { RuntimeKind } from "./suiteStages.js";

/**
 * Runs a challenge's stages in order against the learner's servers or nodes,
 * stopping at the first that fails. Ctrl-C stops every node and ends the run.
 * A challenge's stages are of one kind (planned ones aside, which cannot run).
 * Every random choice a stage makes comes from `seed` (a random one when not
 * given), and every failure ends with the command that replays it.
 */
export async function runStages(
  dir: string,
  config: ClstrConfig,
  challenge: Challenge,
  stages: readonly Stage[],
  reporter: Reporter,
  runtimeFlag?: RuntimeKind,
  seed: number = randomSeed(),
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
  if (maelstrom.length > 0 && (runtimeFlag ?? config.runtime) === "docker") {
    throw new UserError(`${challenge.name} stages run on clstr's Maelstrom engine, not in Docker: drop \`--runtime docker\` (or \`runtime: docker\` in clstr.yaml).`);
  }
  // A second run here would wipe this one's data and nodes: one at a time.
  const lock = await lockRun(dir, runPaths(dir).root);
  try {
    return maelstrom.length > 0
      ? await runMaelstromStages(dir, config, challenge, maelstrom, reporter, seed)
      : await runSuiteStages(dir, config, challenge, suites, reporter, runtimeFlag, seed);
  } finally {
    await lock.release();
  }
}
