import type { Body } from "./protocol.js";

/** One client operation, from invocation to its outcome. */
export interface Operation {
  /** The client that ran it: c1, c2, ... */
  client: string;
  /** The node it was sent to. */
  node: string;
  /** What it does (the request type): broadcast, read, add, send, poll, ... */
  f: string;
  request: Body;
  /** ms since the start of the test. */
  invokedAt: number;
  completedAt?: number;
  /** ok: it happened; fail: it certainly did not; info: nobody knows (timeout, indefinite error). */
  outcome?: "ok" | "fail" | "info";
  reply?: Body;
  /** Part of the final phase (reads after the network healed). */
  final?: boolean;
}

/**
 * An operation as the engine records it: every field there from the start,
 * so that the object keeps one shape (its fields in the object itself) as its
 * outcome is filled in, which is cheaper to make and for the GC to keep.
 */
export class RecordedOperation implements Operation {
  readonly client: string;
  readonly node: string;
  readonly f: string;
  readonly request: Body;
  readonly invokedAt: number;
  completedAt: number | undefined;
  outcome: "ok" | "fail" | "info" | undefined;
  reply: Body | undefined;
  final: boolean | undefined;

  constructor(client: string, node: string, request: Body, invokedAt: number) {
    this.client = client;
    this.node = node;
    this.f = request.type;
    this.request = request;
    this.invokedAt = invokedAt;
    this.completedAt = undefined;
    this.outcome = undefined;
    this.reply = undefined;
    this.final = undefined;
  }
}

export interface FStats {
  count: number;
  ok: number;
  fail: number;
  info: number;
}

/** Counts by f and outcome, as Maelstrom's stats. */
export function statsByF(history: readonly Operation[]): Record<string, FStats> & { all: FStats } {
  const all: FStats = { count: 0, ok: 0, fail: 0, info: 0 };
  const byF: Record<string, FStats> = {};
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const s = (byF[op.f] ??= { count: 0, ok: 0, fail: 0, info: 0 });
    const outcome = op.outcome ?? "info";
    s.count++;
    s[outcome]++;
    all.count++;
    all[outcome]++;
  }
  return { ...byF, all };
}

export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
