import type { StageRun, SuiteResult } from "../util/verdict.js";
import type { Reporter } from "./reporter.js";

interface StageReport {
  stage: string;
  name: string;
  /** How each fault the stage needs was injected. */
  faults: string[];
  status: "passed" | "failed" | "interrupted";
  durationMs: number;
  startupFailure?: { message: string; hint?: string };
  tests: { name: string; status: string; durationMs: number; failure?: string; hint?: string; skipReason?: string; replay?: string }[];
}

/** One JSON document on stdout once every stage has run, for CI. */
export class JsonReporter implements Reporter {
  private readonly stages: StageReport[] = [];
  private challenge = "";
  private runtime = "";
  private seed: number | undefined;

  stageStarted(run: StageRun) {
    this.challenge = run.challenge;
    this.runtime = run.runtime;
    this.seed = run.seed;
    return { testFinished: () => {}, startupFailed: () => {} };
  }

  stageFinished(run: StageRun, result: SuiteResult): void {
    this.stages.push({
      stage: run.stage,
      name: run.stageName,
      faults: run.faults,
      status: result.interrupted ? "interrupted" : result.passed ? "passed" : "failed",
      durationMs: Math.round(result.durationMs),
      ...(result.startupFailure
        ? { startupFailure: { message: result.startupFailure.message, ...(result.startupFailure.hint ? { hint: result.startupFailure.hint } : {}) } }
        : {}),
      tests: result.tests.map((t) => ({
        name: t.name,
        status: t.status,
        durationMs: Math.round(t.durationMs * 1000) / 1000,
        ...(t.failure ? { failure: t.failure } : {}),
        ...(t.hint ? { hint: t.hint } : {}),
        ...(t.skipReason ? { skipReason: t.skipReason } : {}),
        ...(t.replay ? { replay: t.replay } : {}),
      })),
    });
  }

  finished(passed: boolean, info: { interrupted: boolean }): void {
    const report = {
      challenge: this.challenge,
      runtime: this.runtime,
      ...(this.seed !== undefined ? { seed: this.seed } : {}),
      status: info.interrupted ? "interrupted" : passed ? "passed" : "failed",
      stages: this.stages,
    };
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  }
}
