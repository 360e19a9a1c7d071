import type { SuiteListener, SuiteResult, TestResult } from "../util/verdict.js";

// Every random choice a stage makes comes from the run's seed, so a failure
// ends with the command that runs the stage again with the same choices (the
// same fault schedule, the same client operations; not the same timing).

/** `clstr test log-replication --seed 1234567` */
export function replayCommand(stage: string, seed: number): string {
  return `clstr test ${stage} --seed ${seed}`;
}

/** Runs a stage with every failed test carrying the replay command (reporters print it last), as its listener hears it and in the result. */
export function withReplay(command: string, go: (listener: SuiteListener) => Promise<SuiteResult>): (listener: SuiteListener) => Promise<SuiteResult> {
  return async (listener) => {
    const result = await go({
      testFinished: (r) => listener.testFinished(replayed(r, command)),
      startupFailed: (f) => listener.startupFailed(f),
    });
    return { ...result, tests: result.tests.map((r) => replayed(r, command)) };
  };
}

function replayed(r: TestResult, command: string): TestResult {
  return r.status === "failed" ? { ...r, replay: command } : r;
}
