import { checkHistorySync } from "../../checkers/linearizability/check.js";
import type { History, Operation as CheckedOperation, Value } from "../../checkers/linearizability/history.js";
import { linKv } from "../../checkers/linearizability/models.js";
import type { Operation } from "../history.js";
import type { Body } from "../protocol.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

/** Operations per key before clients move on to a fresh key, keeping each key's history small enough to check. */
const OPS_PER_KEY = 60;

/**
 * Clients read, write and compare-and-set small integers on a few keys at a
 * time; every key's history must be linearizable as a compare-and-set register.
 */
export function linKvWorkload(opts: WorkloadOptions): Workload {
  // Enough clients share each key for their operations to overlap.
  const active = Math.max(1, Math.round(opts.clients / 4));
  let issued = 0;
  const value = () => Math.floor(opts.random() * 5);
  return {
    name: "lin-kv",
    next(): Body {
      const base = Math.floor(issued / (OPS_PER_KEY * active)) * active;
      issued++;
      const key = base + Math.floor(opts.random() * active);
      const r = opts.random();
      if (r < 1 / 3) return { type: "read", key };
      if (r < 2 / 3) return { type: "write", key, value: value() };
      return { type: "cas", key, from: value(), to: value() };
    },
    check: (history) => checkLinKv(history),
  };
}

/**
 * Turns client operations into the checker's: "key does not exist" is a read
 * that saw the key absent; a cas refused with "precondition failed" and any
 * other definite error did nothing and is left out.
 */
export function linKvHistory(history: readonly Operation[]): History {
  const operations: CheckedOperation[] = [];
  let failed = 0;
  for (const op of history) {
    const req = op.request;
    const notFound = op.outcome === "fail" && Number(op.reply?.code) === 20;
    const base = { id: operations.length, process: op.client, f: op.f, key: req.key as Value, call: op.invokedAt };
    if (op.f === "read") {
      if (notFound || op.outcome === "ok") operations.push({ ...base, input: null, output: notFound ? null : ((op.reply?.value ?? null) as Value), status: "ok", ret: op.completedAt ?? op.invokedAt });
      continue; // a read nobody heard back from tells nothing
    }
    if (op.f !== "write" && op.f !== "cas") continue;
    if (op.outcome === "fail") {
      failed++;
      continue;
    }
    const input = (op.f === "write" ? req.value : [req.from, req.to]) as Value;
    operations.push(op.outcome === "ok" ? { ...base, input, output: null, status: "ok", ret: op.completedAt ?? op.invokedAt } : { ...base, input, status: "info", ret: Infinity });
  }
  return { operations, nemesis: [], failed };
}

export function checkLinKv(history: readonly Operation[], options: { timeoutMs?: number } = {}): CheckResult {
  const problems: string[] = [];
  for (const op of history) {
    if (op.outcome === "ok" && op.f === "read" && op.reply && !("value" in op.reply)) {
      problems.push(`${op.node} answered read of key ${JSON.stringify(op.request.key)} with ${JSON.stringify(op.reply)}; read_ok must carry "value"`);
      break;
    }
  }
  const result = checkHistorySync(linKvHistory(history), linKv, options);
  const bad = result.parts.filter((p) => p.outcome === "illegal");
  for (const part of bad.slice(0, 3)) {
    problems.push(`${part.label} is not linearizable: no single order of its ${part.operations.length} operations explains what clients saw. ${(part.explanation ?? []).join(" ")}`);
  }
  if (bad.length > 3) problems.push(`…and ${bad.length - 3} more key(s) are not linearizable: ${bad.slice(3, 13).map((p) => p.label).join(", ")}`);
  const unknown = result.parts.filter((p) => p.outcome === "unknown").map((p) => `${p.label}: ${p.reason}`);
  const valid = problems.length > 0 ? false : unknown.length > 0 ? "unknown" : true;
  return {
    valid,
    problems: [...problems, ...(valid === "unknown" ? unknown : [])],
    "keys-checked": result.parts.length,
    "ops-checked": result.parts.reduce((sum, p) => sum + p.operations.length, 0),
    "non-linearizable-keys": bad.map((p) => p.label.replace(/^key /, "")),
  };
}
