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
 * An operation as the engine records it, its outcome still to come. Every
 * field is there from the start, so the object keeps one shape (its fields in
 * the object itself) as the outcome is filled in. An object literal, not a
 * class: V8 sees that the objects made here live on (the history keeps them)
 * and allocates them where long-lived objects go, so the young generation's
 * collections do not copy each of them twice (about a tenth of the engine's
 * CPU in a busy run).
 */
export function recordedOperation(client: string, node: string, request: Body, invokedAt: number): Operation {
  return { client, node, f: request.type, request, invokedAt, completedAt: undefined, outcome: undefined, reply: undefined, final: undefined };
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
