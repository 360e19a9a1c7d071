// What a stage run comes to, whatever ran it (an attest suite on a runtime,
// or the Maelstrom engine): the shared shape reporters read. It sits in the
// lowest layer so that every layer may speak it and reports need nothing else.

export type TestStatus = "passed" | "failed" | "skipped";

export interface TestResult {
  name: string;
  status: TestStatus;
  durationMs: number;
  failure?: string;
  hint?: string;
  /** Why a skipped test did not run, when not because an earlier one failed. */
  skipReason?: string;
  /** A failed test: the command that runs it again with the same random choices (`clstr test <stage> --seed <N>`). */
  replay?: string;
}

export interface SuiteResult {
  passed: boolean;
  interrupted: boolean;
  durationMs: number;
  /** The cluster never came up: build failed, a node did not start. */
  startupFailure?: { message: string; hint?: string };
  tests: TestResult[];
}

/** Told of each test as it finishes, so reporters can show progress. */
export interface SuiteListener {
  testFinished(result: TestResult): void;
  startupFailed(failure: { message: string; hint?: string }): void;
}

/** A stage about to run, as reporters show it. */
export interface StageRun {
  challenge: string;
  stage: string;
  stageName: string;
  /** Where the stage's guide is, for the hint after a failure. */
  guidePath: string;
  runtime: string;
  /** How each fault the stage needs is injected, one entry per kind ("partition: iptables …"). */
  faults: string[];
  /** The run's seed: `clstr test <stage> --seed <seed>` makes the same random choices. */
  seed?: number;
}
