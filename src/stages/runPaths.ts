import { join } from "node:path";

/** Where a run keeps its files inside the challenge directory. */
export function runPaths(challengeDir: string) {
  const root = join(challengeDir, ".clstr");
  return {
    root,
    dataRoot: join(root, "data"),
    logFile: join(root, "logs", "run.jsonl"),
    /** Recorded client histories, their verdicts and pictures: <stage>-<test>.jsonl, .verdict.json, .html. */
    historyDir: join(root, "history"),
  };
}
