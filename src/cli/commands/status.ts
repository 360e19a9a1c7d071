import pc from "picocolors";
import { loadConfig } from "../../config/clstrYaml.js";
import { findChallenge, stageIndex } from "../../challenges/registry.js";
import { isAvailable } from "../../challenges/types.js";

export default async function status(): Promise<void> {
  const config = loadConfig(process.cwd());
  const challenge = findChallenge(config.challenge)!;
  const current = stageIndex(challenge, config.stage);
  const width = Math.max(...challenge.stages.map((s) => s.key.length));

  console.log(`${challenge.name}\n\n${challenge.summary}\n`);
  console.log("Progress:");
  challenge.stages.forEach((s, i) => {
    const mark = i < current ? pc.green("✓") : i === current ? pc.yellow("→") : " ";
    const coming = isAvailable(s) ? "" : pc.dim(" (coming soon)");
    console.log(`${mark} ${s.key.padEnd(width)} - ${s.name}${coming}`);
  });
  console.log(`\nRead the guide: ${pc.yellow(`clstr guide ${config.stage}`)}\n`);
  console.log(`Implement ${config.stage}, then run ${pc.yellow("clstr test")}.`);
}
