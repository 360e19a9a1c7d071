import { availableParallelism } from "node:os";
import type { History } from "./history.js";
import type { Model } from "./model.js";
import { MODELS, modelNamed } from "./models.js";
import { checkParts } from "./partCheck.js";
import { CheckerPool } from "./pool.js";
import { splitParts, type Part } from "./parts.js";
import type { CheckOptions, CheckResult, Outcome, PartResult } from "./result.js";

// Checks a history: splits it into parts, searches them (on worker threads
// when the history is big enough to gain from it), and stops everything the
// moment one part is not linearizable.

export const DEFAULT_TIMEOUT_MS = 60_000;
/** The memo's budget: 1 GiB, or less when the process already holds a big history, so that it stays under 2 GiB in all. */
export const MAX_MEMORY_BYTES = 1 << 30;
const PROCESS_BYTES = 1.75 * 2 ** 30;
const MIN_MEMORY_BYTES = 128 * 2 ** 20;

export function defaultMemoryBytes(): number {
  return Math.max(MIN_MEMORY_BYTES, Math.min(MAX_MEMORY_BYTES, PROCESS_BYTES - process.memoryUsage().rss));
}
/** From this many operations on, a check runs on threads: in parallel, and with a heap limit of its own. */
const WORKERS_FROM_OPS = 5_000;

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

/**
 * Checks on worker threads when that pays (a built-in model and a history of
 * some size, which also gets a heap limit of its own), else on this thread. Give a `pool` to share threads between
 * many checks; otherwise one is made for this check and closed after.
 */
export async function checkHistory(history: History, model: Model<any> | string, options: HistoryCheckOptions & { pool?: CheckerPool } = {}): Promise<CheckResult> {
  const started = Date.now();
  const resolved = typeof model === "string" ? modelNamed(model) : model;
  const partition = options.partition ?? true;
  const parts = splitParts(history, resolved, partition);
  const ops = parts.reduce((sum, p) => sum + p.ops.length, 0);
  const builtIn = MODELS[resolved.name] === resolved;
  // Small histories are checked here: a thread's start and cold compiler cost more than the search.
  const threads = options.workers ?? (ops >= WORKERS_FROM_OPS ? (options.pool?.size ?? availableParallelism()) : 0);
  if (!builtIn || threads === 0) return summarize(resolved.name, checkParts(searchModel(resolved, partition), parts, limitsOf(options, started)).results, started);
  const pool = options.pool ?? new CheckerPool(Math.min(threads, parts.length));
  try {
    const results = await onWorkers(pool, resolved.name, partition, parts, Math.min(threads, parts.length), limitsOf(options, started));
    return summarize(resolved.name, results, started);
  } finally {
    if (!options.pool) await pool.close();
  }
}

/** The model to search parts with: the cheaper one-part model when the history was split by key. */
export function searchModel(model: Model<any>, partitioned: boolean): Model<any> {
  return partitioned && model.partition && model.partModel ? model.partModel : model;
}

function limitsOf(options: CheckOptions, started: number) {
  return { deadline: started + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS), memoryBytes: options.memoryBytes ?? defaultMemoryBytes() };
}

/** Deals the parts out in `shares` tasks, biggest first to the least loaded, and gathers their results in the parts' order. */
async function onWorkers(
  pool: CheckerPool,
  model: string,
  partition: boolean,
  parts: Part[],
  count: number,
  limits: { deadline: number; memoryBytes: number },
): Promise<PartResult[]> {
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
      const memoryBytes = Math.floor(limits.memoryBytes / pool.size);
      const run = await pool.run({ model, partition, parts: share.parts.map((i) => parts[i]!), deadline: limits.deadline, memoryBytes, stop });
      if (run.illegal) Atomics.store(new Int32Array(stop), 0, 1);
      run.results.forEach((r, k) => (results[share.parts[k]!] = r));
    }),
  );
  return results;
}

function summarize(model: string, parts: PartResult[], started: number): CheckResult {
  const outcome: Outcome = parts.some((p) => p.outcome === "illegal") ? "illegal" : parts.some((p) => p.outcome === "unknown") ? "unknown" : "ok";
  return { model, outcome, parts, elapsedMs: Date.now() - started };
}
