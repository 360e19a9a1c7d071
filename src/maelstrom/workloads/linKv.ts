import { casRegister, type RegisterInput, type RegisterOutput, type RegisterValue } from "../../checkers/casRegister.js";
import { checkLinearizable, type HistoryOp } from "../../checkers/linearizability.js";
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

type KeyOp = HistoryOp<RegisterInput, RegisterOutput> & { source: Operation };

/** Turns client operations into register operations; those that certainly did nothing are left out. */
export function registerHistories(history: readonly Operation[]): Map<string, KeyOp[]> {
  const byKey = new Map<string, KeyOp[]>();
  for (const op of history) {
    const register = toRegisterOp(op);
    if (!register) continue;
    const key = JSON.stringify(op.request.key);
    let ops = byKey.get(key);
    if (!ops) byKey.set(key, (ops = []));
    ops.push(register);
  }
  return byKey;
}

function toRegisterOp(op: Operation): KeyOp | undefined {
  const call = op.invokedAt;
  const ret = op.completedAt ?? Infinity;
  const req = op.request;
  const notFound = op.outcome === "fail" && Number(op.reply?.code) === 20;
  switch (op.f) {
    case "read":
      // "key does not exist" is an answer: the register was still empty.
      if (notFound) return { input: { f: "read" }, output: { outcome: "ok", value: null }, call, ret, source: op };
      if (op.outcome !== "ok") return undefined; // a read nobody heard back from has no effect
      return { input: { f: "read" }, output: { outcome: "ok", value: (op.reply?.value ?? null) as RegisterValue }, call, ret, source: op };
    case "write":
    case "cas": {
      if (op.outcome === "fail") return undefined;
      const input: RegisterInput =
        op.f === "write" ? { f: "write", value: req.value as RegisterValue } : { f: "cas", from: req.from as RegisterValue, to: req.to as RegisterValue };
      return op.outcome === "ok" ? { input, output: { outcome: "ok" }, call, ret, source: op } : { input, output: { outcome: "info" }, call: op.invokedAt, ret: Infinity, source: op };
    }
    default:
      return undefined;
  }
}

export function checkLinKv(history: readonly Operation[]): CheckResult {
  const problems: string[] = [];
  const unknown: string[] = [];
  const badKeys: string[] = [];
  let checked = 0;
  const registers = registerHistories(history);
  for (const op of history) {
    if (op.outcome === "ok" && op.f === "read" && op.reply && !("value" in op.reply)) {
      problems.push(`${op.node} answered read of key ${JSON.stringify(op.request.key)} with ${JSON.stringify(op.reply)}; read_ok must carry "value"`);
      break;
    }
  }
  for (const [key, ops] of registers) {
    checked += ops.length;
    const verdict = checkLinearizable(casRegister, ops);
    if (verdict.linearizable === "unknown") unknown.push(`key ${key}: ${verdict.reason}`);
    else if (!verdict.linearizable) {
      badKeys.push(key);
      if (badKeys.length <= 3) problems.push(explain(key, ops, verdict.order, verdict.stuck, verdict.states));
    }
  }
  if (badKeys.length > 3) problems.push(`…and ${badKeys.length - 3} more key(s) are not linearizable: ${badKeys.slice(3, 13).join(", ")}`);
  const valid = problems.length > 0 ? false : unknown.length > 0 ? "unknown" : true;
  return {
    valid,
    problems: [...problems, ...(valid === "unknown" ? unknown : [])],
    "keys-checked": registers.size,
    "ops-checked": checked,
    "non-linearizable-keys": badKeys,
  };
}

function explain(key: string, ops: readonly KeyOp[], order: readonly number[], stuck: number, states: readonly RegisterValue[]): string {
  const op = ops[stuck];
  const before = order.slice(-3).map((i) => describe(ops[i]!)).join("; then ");
  const could = states.length === 0 ? "nothing" : states.map((s) => JSON.stringify(s)).join(" or ");
  return (
    `key ${key} is not linearizable: no single order of its ${ops.length} operations explains what clients saw. ` +
    (op ? `The furthest explanation ${before ? `(…${before}) ` : ""}leaves the register holding ${could} when ${describe(op)} had to take effect.` : "")
  );
}

function describe(op: KeyOp): string {
  const s = op.source;
  const when = `${Math.round(s.invokedAt)}–${s.completedAt === undefined ? "?" : Math.round(s.completedAt)} ms`;
  const who = `${s.client} via ${s.node}, ${when}`;
  switch (op.input.f) {
    case "read":
      return `read → ${JSON.stringify(op.output.outcome === "ok" ? (op.output.value ?? null) : "?")} (${who})`;
    case "write":
      return `write ${JSON.stringify(op.input.value)}${op.output.outcome === "info" ? " [outcome unknown]" : ""} (${who})`;
    case "cas":
      return `cas ${JSON.stringify(op.input.from)}→${JSON.stringify(op.input.to)}${op.output.outcome === "info" ? " [outcome unknown]" : ""} (${who})`;
  }
}
