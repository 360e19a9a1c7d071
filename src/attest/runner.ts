import { CLUSTER, type EventLog } from "../logs/eventLog.js";
import type { Runtime } from "../runtimes/runtime.js";
import { RuntimeError } from "../util/errors.js";
import { Cluster } from "./cluster.js";
import { TestContext, type TestRun } from "./context.js";
import { Interrupted, StageFailure } from "./failure.js";
import type { Suite } from "./suite.js";
import type { SuiteListener, SuiteResult, TestResult } from "../util/verdict.js";
import { deriveSeed, seeded } from "../util/random.js";
import type { HistoryOutput } from "./history/linearizable.js";
import { slug } from "../util/slug.js";

export interface RunOptions {
  runtime: Runtime;
  log: EventLog;
  signal: AbortSignal;
  listener: SuiteListener;
  /** The run's seed: each test's random choices come from it, its stage and its name (default: a random one). */
  seed?: number;
  /** The stage's key, for seeds and file names. */
  stage?: string;
  /** Where histories go (a folder), and how to draw one; nothing is saved without it. */
  histories?: Omit<HistoryOutput, "stem" | "seed">;
}

/** Boots the cluster, runs the tests in order, stops at the first failure. */
export async function runSuite(suite: Suite, opts: RunOptions): Promise<SuiteResult> {
  const started = performance.now();
  const cluster = new Cluster(opts.runtime, opts.log, suite.config, opts.signal);
  const tests: TestResult[] = [];
  let startupFailure: SuiteResult["startupFailure"];
  let failed = false;
  try {
    try {
      await untilAborted(cluster.boot(), opts.signal);
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      const { failure, hint } = describeError(err);
      startupFailure = hint ? { message: failure, hint } : { message: failure };
      opts.listener.startupFailed(startupFailure);
      failed = true;
    }
    for (const test of suite.tests) {
      if (failed) {
        tests.push({ name: test.name, status: "skipped", durationMs: 0 });
        continue;
      }
      const missing = test.needs.find((kind) => !opts.runtime.faultMechanisms[kind].available);
      if (missing) {
        const mechanism = opts.runtime.faultMechanisms[missing] as { reason: string };
        const skipped: TestResult = {
          name: test.name,
          status: "skipped",
          durationMs: 0,
          skipReason: `needs network ${missing}, which this runtime cannot inject: ${mechanism.reason}`,
        };
        tests.push(skipped);
        opts.listener.testFinished(skipped);
        continue;
      }
      opts.log.event(CLUSTER, `TEST: ${test.name}`);
      const t0 = performance.now();
      const ctx = new TestContext(cluster, suite.config, testRun(opts, test.name));
      let result: TestResult;
      try {
        await untilAborted(runTest(test.fn, ctx), opts.signal);
        result = { name: test.name, status: "passed", durationMs: performance.now() - t0 };
      } catch (err) {
        if (err instanceof Interrupted || opts.signal.aborted) throw new Interrupted();
        failed = true;
        result = { name: test.name, status: "failed", durationMs: performance.now() - t0, ...describeError(err) };
      }
      tests.push(result);
      opts.listener.testFinished(result);
    }
  } catch (err) {
    if (!(err instanceof Interrupted)) throw err;
    await cluster.shutdown(false);
    return { passed: false, interrupted: true, durationMs: performance.now() - started, tests };
  }
  await cluster.shutdown(!opts.signal.aborted);
  return {
    passed: !failed,
    interrupted: opts.signal.aborted,
    durationMs: performance.now() - started,
    ...(startupFailure ? { startupFailure } : {}),
    tests,
  };
}

/** A test's random stream and history files: the same seed, stage and test name give the same stream. */
function testRun(opts: RunOptions, test: string): TestRun {
  const stage = opts.stage ?? "stage";
  const run: TestRun = { random: opts.seed === undefined ? Math.random : seeded(deriveSeed(opts.seed, stage, test)) };
  if (opts.histories) run.history = { ...opts.histories, stem: `${stage}-${slug(test, "test")}`, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  return run;
}


async function runTest(fn: (t: TestContext) => Promise<void>, ctx: TestContext): Promise<void> {
  await fn(ctx);
  const forgotten = ctx.drainPending();
  if (forgotten.length > 0) {
    await Promise.allSettled(forgotten);
    throw new Error(`this test started ${forgotten.length} check(s) without awaiting them: write \`await t.GET(...).run()\``);
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

function describeError(err: unknown): { failure: string; hint?: string } {
  if (err instanceof StageFailure) return err.hint ? { failure: err.message, hint: err.hint } : { failure: err.message };
  if (err instanceof RuntimeError) {
    return { failure: err.details ? `${err.message}\n\n${indent(err.details)}` : err.message };
  }
  // A bug in the harness or a stage file, not in the learner's server.
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { failure: `internal error in clstr (please report it):\n${indent(text)}` };
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ");
}
