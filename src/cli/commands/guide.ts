import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { challenges, findChallenge, findStage } from "../../challenges/registry.js";
import type { Challenge } from "../../challenges/types.js";
import { CONFIG_FILE, loadConfig } from "../../config/clstrYaml.js";
import { UserError } from "../../util/errors.js";

export default async function guide(stageArg: string | undefined): Promise<void> {
  const inChallenge = existsSync(join(process.cwd(), CONFIG_FILE));
  const config = inChallenge ? loadConfig(process.cwd()) : undefined;
  const stageKey = stageArg ?? config?.stage;
  if (!stageKey) {
    throw new UserError("Name a stage, e.g. `clstr guide http-api`, or run this in a challenge directory.");
  }
  const candidates: Challenge[] = config ? [findChallenge(config.challenge)!] : [...challenges];
  const challenge = candidates.find((c) => findStage(c, stageKey));
  if (!challenge) {
    const known = candidates.flatMap((c) => c.stages.map((s) => s.key));
    throw new UserError(`There is no stage \`${stageKey}\`; the stages are: ${known.join(", ")}.`);
  }
  const path = join(challenge.docsDir, "guides", `${stageKey}.md`);
  if (!existsSync(path)) {
    throw new UserError(`The ${stageKey} stage is coming soon and has no guide yet.`, 1);
  }
  const markdown = readFileSync(path, "utf8");
  if (!process.stdout.isTTY) {
    process.stdout.write(markdown);
    return;
  }
  const { marked } = await import("marked");
  const { markedTerminal } = await import("marked-terminal");
  marked.use(markedTerminal({ reflowText: false, width: Math.min(process.stdout.columns || 100, 100) }) as never);
  process.stdout.write(await marked.parse(markdown));
}
