import type { Suite } from "../attest/suite.js";

export interface Stage {
  key: string;
  name: string;
  /** Loads the stage's tests; absent for stages announced but not yet built. */
  load?: () => Promise<Suite>;
  /** A Maelstrom-protocol stage: the engine runs this test instead of an HTTP suite. */
  maelstrom?: MaelstromStage;
}

/** One Maelstrom test, with the parameters of its challenge page, and the figures it must reach. */
export interface MaelstromStage {
  workload: string;
  nodeCount: number;
  timeLimitS: number;
  rate: number;
  /** A number of clients, or "2n" style. */
  concurrency?: string;
  latencyMs?: number;
  nemesis?: "partition";
  availability?: "total";
  thresholds?: {
    msgsPerOp?: number;
    medianLatencyMs?: number;
    maxLatencyMs?: number;
  };
}

export interface Challenge {
  key: string;
  name: string;
  summary: string;
  stages: Stage[];
  /** Folder holding overview.md and guides/<stage>.md. */
  docsDir: string;
}

/** Whether clstr can run this stage today: it has an HTTP suite or a Maelstrom test. Other stages are announced, not built. */
export function isAvailable(stage: Stage): boolean {
  return stage.load !== undefined || stage.maelstrom !== undefined;
}
