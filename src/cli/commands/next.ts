import pc from "picocolors";
import { findChallenge, stageIndex } from "../../challenges/registry.js";
import { isAvailable } from "../../challenges/types.js";
import { loadConfig, saveStage } from "../../config/clstrYaml.js";
import { PrettyReporter } from "../../reports/prettyReporter.js";
import { exitCodeOf, runStages, type RuntimeKind } from "../../stages/runStages.js";

export default async function next(opts: { runtime?: RuntimeKind } = {}): Promise<number> {
  const dir = process.cwd();
  const config = loadConfig(dir);
  const challenge = findChallenge(config.challenge)!;
  const index = stageIndex(challenge, config.stage);
  const outcome = await runStages(dir, config, challenge, [challenge.stages[index]!], new PrettyReporter(), opts.runtime);
  console.log();
  if (outcome !== "passed") {
    if (outcome === "failed") console.log(`Complete ${config.stage} before advancing.`);
    return exitCodeOf(outcome);
  }
  const following = challenge.stages[index + 1];
  if (!following) {
    console.log(`You've completed all stages of ${challenge.key}! 🎉`);
    return 0;
  }
  saveStage(dir, following.key);
  console.log(`Advanced to ${following.key}: ${following.name}\n`);
  if (!isAvailable(following)) {
    console.log(`The ${following.key} stage is coming soon to clstr; its tests are not available yet.`);
    return 0;
  }
  console.log(`Read the guide: ${pc.yellow(`clstr guide ${following.key}`)}\n`);
  console.log(`Run ${pc.yellow("clstr test")} when ready.`);
  return 0;
}
