import { findChallenge, stageIndex } from "../../challenges/registry.js";
import { loadConfig } from "../../config/clstrYaml.js";
import { JsonReporter } from "../../reports/jsonReporter.js";
import { PrettyReporter } from "../../reports/prettyReporter.js";
import { UserError } from "../../util/errors.js";
import { randomSeed } from "../../util/random.js";
import { exitCodeOf, runStages, type RuntimeKind } from "../../stages/runStages.js";

export default async function test(
  stageArg: string | undefined,
  opts: { soFar?: boolean; reporter: "pretty" | "json"; runtime?: RuntimeKind; seed?: string },
): Promise<number> {
  const seed = opts.seed === undefined ? randomSeed() : parseSeed(opts.seed);
  const dir = process.cwd();
  const config = loadConfig(dir);
  const challenge = findChallenge(config.challenge)!;
  const target = stageArg ?? config.stage;
  const index = stageIndex(challenge, target);
  if (index === -1) {
    throw new UserError(
      `${challenge.key} has no stage \`${target}\`; the stages are: ${challenge.stages.map((s) => s.key).join(", ")}.`,
    );
  }
  const stages = opts.soFar ? challenge.stages.slice(0, index + 1) : [challenge.stages[index]!];
  const reporter = opts.reporter === "json" ? new JsonReporter() : new PrettyReporter();
  const outcome = await runStages(dir, config, challenge, stages, reporter, opts.runtime, seed);
  reporter.finished(outcome === "passed", {
    lastStage: target,
    multiple: stages.length > 1,
    nextHint: index < challenge.stages.length - 1,
    interrupted: outcome === "interrupted",
  });
  return exitCodeOf(outcome);
}

/** `--seed 1234567`: an integer, as `clstr maelstrom test --seed` takes it. */
function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(seed)) throw new UserError(`--seed is ${JSON.stringify(text)}; it must be an integer.`);
  return seed;
}
