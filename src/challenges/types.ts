import type { Suite } from "../attest/suite.js";

// A challenge is a table of stages. A stage is one of three kinds, and every
// command decides by `kind` (the compiler checks that each handles each).

interface StageBase {
  key: string;
  name: string;
}

/** An HTTP stage: an attest suite run against the learner's servers on a runtime. */
export interface SuiteStage extends StageBase {
  kind: "suite";
  load: () => Promise<Suite>;
}

/** A Maelstrom-protocol stage: the engine runs these tests against the learner's node, in order, stopping at the first that fails. */
export interface MaelstromStage extends StageBase {
  kind: "maelstrom";
  /** One test, or several when the challenge page runs the workload more than once (each then has a label). */
  tests: readonly MaelstromTest[];
}

/** A stage announced but not built yet: listed, with its guide if written, not runnable. */
export interface PlannedStage extends StageBase {
  kind: "planned";
}

export type Stage = SuiteStage | MaelstromStage | PlannedStage;

/** One Maelstrom test, with the parameters of its challenge page, and the figures it must reach. */
export interface MaelstromTest {
  /** Tells this run from the stage's others ("without partitions"); absent when the stage runs one test. */
  label?: string;
  workload: string;
  nodeCount: number;
  timeLimitS: number;
  rate: number;
  /** A number of clients, or "2n" style. */
  concurrency?: string;
  latencyMs?: number;
  nemesis?: "partition";
  /** Seconds between nemesis actions (Maelstrom's --nemesis-interval; default 10). */
  nemesisIntervalS?: number;
  availability?: "total";
  /** Transaction workloads: --consistency-models, comma-separated. */
  consistencyModels?: string;
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
  /** What the learner writes: an HTTP server (run on a runtime) or a Maelstrom node (run by the engine). */
  family: "http" | "maelstrom";
  stages: Stage[];
  /** Folder holding overview.md and guides/<stage>.md. */
  docsDir: string;
}

/** Whether clstr can run this stage today. */
export function isAvailable(stage: Stage): boolean {
  switch (stage.kind) {
    case "suite":
    case "maelstrom":
      return true;
    case "planned":
      return false;
  }
}

/** Where `clstr next` goes once the stage at `index` passes. */
export type AfterPass =
  | { kind: "advance"; to: Stage }
  /** The next stage is announced but not runnable: the track is finished for now, and clstr.yaml stays. */
  | { kind: "coming-soon"; next: PlannedStage }
  | { kind: "finished" };

export function afterPass(challenge: Challenge, index: number): AfterPass {
  const following = challenge.stages[index + 1];
  if (!following) return { kind: "finished" };
  switch (following.kind) {
    case "suite":
    case "maelstrom":
      return { kind: "advance", to: following };
    case "planned":
      return { kind: "coming-soon", next: following };
  }
}

/** Where a stage's guide lives (it may not exist for a planned stage). */
export function guidePath(challenge: Challenge, stage: Stage): string {
  return `${challenge.docsDir}/guides/${stage.key}.md`;
}
