// Running a suite in-process, as `clstr test` runs a stage but without the
// CLI around it: on a runtime the test made (or a LocalRuntime made here),
// with the event log read back afterwards as "node EVENT" lines.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Suite } from "../../src/attest/index.js";
import { runSuite, type RunOptions } from "../../src/attest/runner.js";
import { EventLog } from "../../src/logs/eventLog.js";
import { readLog } from "../../src/logs/render.js";
import { LocalRuntime } from "../../src/runtimes/local/localRuntime.js";
import type { Runtime } from "../../src/runtimes/runtime.js";
import type { SuiteResult, TestResult } from "../../src/util/verdict.js";
import { challengeDir } from "./harness.js";

export interface SuiteRun {
  result: SuiteResult;
  /** Each test's result, as the listener heard it. */
  results: TestResult[];
  /** "node EVENT" of every event in the log (lifecycle, faults, heals), in order. */
  events: string[];
}

type StageOptions = Pick<RunOptions, "seed" | "stage" | "histories">;

/** Runs `s` once on `runtime` (which stays open: a later stage may reuse it), logging to `logFile`. */
export async function runSuiteOn(runtime: Runtime, s: Suite, logFile: string, opts: StageOptions = {}): Promise<SuiteRun> {
  const log = new EventLog(logFile);
  const results: TestResult[] = [];
  let result: SuiteResult;
  try {
    result = await runSuite(s, {
      runtime,
      log,
      signal: new AbortController().signal,
      listener: { testFinished: (r) => results.push(r), startupFailed: () => {} },
      ...opts,
    });
  } finally {
    await log.close();
  }
  const events = readLog(logFile).flatMap((e) => ("event" in e ? [`${e.node} ${e.event}`] : []));
  return { result, results, events };
}

export interface LocalRunOptions extends StageOptions {
  /** The nodes' command (clstr.yaml's `run`). */
  server: string;
  /** The local runtime's network (default: the sandbox where it can run, as `clstr test` picks). */
  network?: "sandbox" | "loopback";
  /** The runtime the suite sees, made from the real one (to replace one of its parts). */
  wrap?: (runtime: LocalRuntime) => Runtime;
}

/** Runs `s` once on a fresh LocalRuntime, closed afterwards; the run's files are under the returned `dir`. */
export async function runSuiteLocally(s: Suite, opts: LocalRunOptions): Promise<SuiteRun & { dir: string }> {
  const dir = challengeDir({ run: opts.server });
  const local = await LocalRuntime.create({
    cwd: dir,
    run: opts.server,
    runDir: join(dir, ".clstr"),
    runId: randomUUID(),
    ...(opts.network ? { network: opts.network } : {}),
  });
  try {
    const stage: StageOptions = {
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.stage !== undefined ? { stage: opts.stage } : {}),
      ...(opts.histories ? { histories: opts.histories } : {}),
    };
    return { ...(await runSuiteOn(opts.wrap ? opts.wrap(local) : local, s, join(dir, ".clstr", "logs", "run.jsonl"), stage)), dir };
  } finally {
    await local.close();
  }
}
