import type { StageRun, SuiteListener, SuiteResult } from "../util/verdict.js";

/** How a `clstr test` run is shown: pretty for people, JSON for CI. */
export interface Reporter {
  stageStarted(run: StageRun): SuiteListener;
  stageFinished(run: StageRun, result: SuiteResult): void;
  /** After all stages; `nextHint` when there is a stage to advance to. */
  finished(passed: boolean, info: { lastStage: string; multiple: boolean; nextHint: boolean; interrupted: boolean }): void;
}
