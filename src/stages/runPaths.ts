import { join } from "node:path";

/** Where a run keeps its files inside the challenge directory. */
export function runPaths(challengeDir: string) {
  const root = join(challengeDir, ".clstr");
  return {
    root,
    dataRoot: join(root, "data"),
    logFile: join(root, "logs", "run.jsonl"),
  };
}
