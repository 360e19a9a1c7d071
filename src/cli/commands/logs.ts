import { existsSync } from "node:fs";
import pc from "picocolors";
import { loadConfig } from "../../config/clstrYaml.js";
import { nodesIn, readLog, renderLog } from "../../logs/render.js";
import { runPaths } from "../../stages/runPaths.js";
import { UserError } from "../../util/errors.js";

export default async function logs(nodes: string[]): Promise<void> {
  loadConfig(process.cwd());
  const { logFile } = runPaths(process.cwd());
  if (!existsSync(logFile)) throw new UserError(`No logs found; run ${pc.yellow("clstr test")} first.`, 1);
  const entries = readLog(logFile);
  const known = nodesIn(entries);
  const unknown = nodes.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new UserError(`The last run has no node ${unknown.join(", ")}; its nodes are ${known.join(", ") || "(none)"}.`);
  }
  for (const line of renderLog(entries, nodes)) console.log(line);
}
