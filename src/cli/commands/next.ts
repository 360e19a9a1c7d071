import pc from "picocolors";
import { findChallenge, stageIndex } from "../../challenges/registry.js";
import { afterPass } from "../../challenges/types.js";
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
  const after = afterPass(challenge, index);
  switch (after.kind) {
    case "advance":
      saveStage(dir, after.to.key);
      console.log(`Advanced to ${after.to.key}: ${after.to.name}\n`);
      console.log(`Read the guide: ${pc.yellow(`clstr guide ${after.to.key}`)}\n`);
      console.log(`Run ${pc.yellow("clstr test")} when ready.`);
      return 0;
    case "coming-soon":
      console.log(
        `You've finished ${challenge.key} for now: ${after.next.key} (${after.next.name}) is coming soon to clstr, so clstr.yaml stays at ${config.stage}.`,
      );
      return 0;
    case "finished":
      console.log(`You've completed all stages of ${challenge.key}! 🎉`);
      return 0;
  }
}
