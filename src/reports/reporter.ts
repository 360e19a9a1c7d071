import type { SuiteListener, SuiteResult } from "../attest/runner.js";
import type { Challenge, Stage } from "../challenges/types.js";

export interface StageRun {
  challenge: Challenge;
  stage: Stage;
  runtime: string;
  /** How each fault the stage needs is injected, one entry per kind ("partition: iptables …"). */
  faults: string[];
}

/** How a `clstr test` run is shown: pretty for people, JSON for CI. */
export interface Reporter {
  stageStarted(run: StageRun): SuiteListener;
  stageFinished(run: StageRun, result: SuiteResult): void;
  /** After all stages; `nextHint` when there is a stage to advance to. */
  finished(passed: boolean, info: { lastStage: string; multiple: boolean; nextHint: boolean; interrupted: boolean }): void;
}
