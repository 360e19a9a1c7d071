import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { History } from "./history.js";
import type { Model } from "./model.js";
import { MODELS, modelNamed } from "./models.js";
import { checkParts, type PartsRun } from "./partCheck.js";
import { splitParts, type Part } from "./parts.js";
import type { CheckOptions, CheckResult, Outcome, PartResult } from "./result.js";
import type { WorkerTask } from "./worker.js";

// Checks a history: splits it into parts, searches them (on worker threads
// when the history is big enough to gain from it), and stops everything the
// moment one part is not linearizable.

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MEMORY_BYTES = 1 << 30;
/** Below this many operations, starting threads costs more than it saves. */
const WORKERS_FROM_OPS = 4_000;

export interface HistoryCheckOptions extends CheckOptions {
  /** Check the history as one object even when the model could split it by key. */
  partition?: boolean;
}

/** Checks on this thread. */
export function checkHistorySync(history: History, model: Model<any>, options: HistoryCheckOptions = {}): CheckResult {
  const started = Date.now();
  const partition = options.partition ?? true;
  const parts = splitParts(history, model, partition);
  const run = checkParts(searchModel(model, partition), parts, limitsOf(options, started));
  return summarize(model.name, run.results, started);
}

/** Checks on worker threads when that pays (a built-in model and a big history split into parts), else on this thread. */
export async function checkHistory(history: History, model: Model<any> | string, options: HistoryCheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const resolved = typeof model === "string" ? modelNamed(model) : model;
  const parts = splitParts(history, resolved, options.partition ?? true);
  const ops = parts.reduce((sum, p) => sum + p.ops.length, 0);
  const builtIn = MODELS[resolved.name] === resolved;
  const wanted = options.workers ?? (ops >= WORKERS_FROM_OPS ? availableParallelism() : 0);
  const workers = builtIn ? Math.min(wanted, parts.length) : 0;
  const partition = options.partition ?? true;
  if (workers < 2) return summarize(resolved.name, checkParts(searchModel(resolved, partition), parts, limitsOf(options, started)).results, started);
  const results = await onWorkers(resolved.name, partition, parts, workers, limitsOf(options, started));
  return summarize(resolved.name, results, started);
}

/** The model to search parts with: the cheaper one-part model when the history was split by key. */
export function searchModel(model: Model<any>, partitioned: boolean): Model<any> {
  return partitioned && model.partition && model.partModel ? model.partModel : model;
}

function limitsOf(options: CheckOptions, started: number) {
  return { deadline: started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS), memoryBytes: options.memoryBytes ?? DEFAULT_MEMORY_BYTES };
}

/** Deals the parts out to `count` workers, biggest first to the least loaded, and gathers their results in the parts' order. */
async function onWorkers(model: string, partition: boolean, parts: Part[], count: number, limits: { deadline: number; memoryBytes: number }): Promise<PartResult[]> {
  const shares: { parts: number[]; ops: number }[] = Array.from({ length: count }, () => ({ parts: [], ops: 0 }));
  const bySize = parts.map((_, i) => i).sort((a, b) => parts[b]!.ops.length - parts[a]!.ops.length);
  for (const i of bySize) {
    const share = shares.reduce((least, s) => (s.ops < least.ops ? s : least));
    share.parts.push(i);
    share.ops += parts[i]!.ops.length + 1;
  }
  const stop = new SharedArrayBuffer(4);
  const results: PartResult[] = new Array(parts.length);
  await Promise.all(
    shares.map(async (share) => {
      const task: WorkerTask = { model, partition, parts: share.parts.map((i) => parts[i]!), deadline: limits.deadline, memoryBytes: Math.floor(limits.memoryBytes / count), stop };
      const run = await inWorker(task);
      run.results.forEach((r, k) => (results[share.parts[k]!] = r));
    }),
  );
  return results;
}

function inWorker(task: WorkerTask): Promise<PartsRun> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url));
    worker.once("message", (run: PartsRun) => {
      resolve(run);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`a checker thread stopped (exit ${code}) before it answered`)));
    worker.postMessage(task);
  });
}

function summarize(model: string, parts: PartResult[], started: number): CheckResult {
  const outcome: Outcome = parts.some((p) => p.outcome === "illegal") ? "illegal" : parts.some((p) => p.outcome === "unknown") ? "unknown" : "ok";
  return { model, outcome, parts, elapsedMs: Date.now() - started };
}
