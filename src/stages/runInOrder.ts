import type { Stage } from "../challenges/types.js";
import type { Reporter } from "../reports/reporter.js";
import type { StageRun, SuiteListener, SuiteResult } from "../util/verdict.js";

export type RunOutcome = "passed" | "failed" | "interrupted";

/** The signals that end a run the way Ctrl-C does. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs stages one after another until one fails; Ctrl-C (or SIGTERM, SIGHUP) aborts
 * the current one, a second Ctrl-C exits at once (the reaper cleans up).
 * `cleanup` runs whatever happens.
 */
export async function runInOrder<S extends Stage>(
  stages: readonly S[],
  runOne: (stage: S, index: number, signal: AbortSignal) => Promise<SuiteResult>,
  cleanup: () => Promise<void>,
): Promise<RunOutcome> {
  return untilStopped(async (signal): Promise<RunOutcome> => {
    for (const [i, stage] of stages.entries()) {
      const result = await runOne(stage, i, signal);
      if (result.interrupted) return "interrupted";
      if (!result.passed) return "failed";
    }
    return "passed";
  }, cleanup);
}

/**
 * Runs `work` with a signal that Ctrl-C, SIGTERM or SIGHUP aborts, then
 * `cleanup` whatever happens; a second Ctrl-C exits at once (the reaper
 * cleans up after that).
 */
export async function untilStopped<T>(work: (signal: AbortSignal) => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    return await work(abort.signal);
  } finally {
    await cleanup();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

/** Tells the reporter a stage starts, runs it with the reporter's listener, and tells it the verdict. */
export async function reportStage(reporter: Reporter, run: StageRun, go: (listener: SuiteListener) => Promise<SuiteResult>): Promise<SuiteResult> {
  const result = await go(reporter.stageStarted(run));
  reporter.stageFinished(run, result);
  return result;
}

export function exitCodeOf(outcome: RunOutcome): number {
  return outcome === "passed" ? 0 : outcome === "failed" ? 1 : 130;
}
