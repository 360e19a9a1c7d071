// Consistency models, each with the anomalies it forbids (after Adya, and as
// Elle names them). Internal inconsistency, duplicate elements and
// incompatible orders are forbidden by every model: no database should show them.

import type { AnomalyName } from "./result.js";

export type ModelName = "read-uncommitted" | "read-committed" | "repeatable-read" | "snapshot-isolation" | "serializable" | "strict-serializable";

/** Weakest first. */
export const MODEL_NAMES: readonly ModelName[] = ["read-uncommitted", "read-committed", "repeatable-read", "snapshot-isolation", "serializable", "strict-serializable"];

const ALWAYS: AnomalyName[] = ["internal", "duplicate-elements", "incompatible-order"];
const RU: AnomalyName[] = [...ALWAYS, "G0"];
const RC: AnomalyName[] = [...RU, "G1a", "G1b", "G1c"];
const RR: AnomalyName[] = [...RC, "G-single", "G2-item", "lost-update"];
const SI: AnomalyName[] = [...RC, "G-single", "lost-update"];
const SER: AnomalyName[] = [...RR];
const STRICT: AnomalyName[] = [
  ...SER,
  ...(["G0", "G1c", "G-single", "G2-item"] as const).flatMap((a) => [`${a}-process`, `${a}-realtime`] as AnomalyName[]),
];

export const FORBIDS: Record<ModelName, ReadonlySet<AnomalyName>> = {
  "read-uncommitted": new Set(RU),
  "read-committed": new Set(RC),
  "repeatable-read": new Set(RR),
  "snapshot-isolation": new Set(SI),
  serializable: new Set(SER),
  "strict-serializable": new Set(STRICT),
};

/** The models directly stronger than each (repeatable-read and snapshot-isolation are incomparable). */
const STRONGER: Record<ModelName, ModelName[]> = {
  "read-uncommitted": ["read-committed"],
  "read-committed": ["repeatable-read", "snapshot-isolation"],
  "repeatable-read": ["serializable"],
  "snapshot-isolation": ["serializable"],
  serializable: ["strict-serializable"],
  "strict-serializable": [],
};

export const SUMMARIES: Record<ModelName, string> = {
  "read-uncommitted": "no write cycles (G0)",
  "read-committed": "also no aborted or intermediate reads (G1a, G1b) and no cycles of writes and reads (G1c)",
  "repeatable-read": "also no cycles with anti-dependencies (G-single, G2-item) and no lost updates",
  "snapshot-isolation": "also no cycle with exactly one anti-dependency (G-single) and no lost updates; write skew (G2-item) is allowed",
  serializable: "no dependency cycle of any kind: some serial order explains every transaction",
  "strict-serializable": "serializable in an order that respects real time (and each client's order)",
};

export function isModel(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

export interface ModelVerdict {
  ruledOut: ModelName[];
  strongest: ModelName[];
  summary: string;
}

/**
 * Which models the anomalies found rule out, the strongest still satisfied,
 * and both in a sentence. Models that forbid an `unsure` anomaly (its search
 * ran out of budget) and are not ruled out are neither: they are unknown.
 */
export function judge(found: ReadonlySet<AnomalyName>, unsure: readonly AnomalyName[] = []): ModelVerdict {
  const ruledOut = MODEL_NAMES.filter((m) => [...found].some((a) => FORBIDS[m].has(a)));
  const unknown = MODEL_NAMES.filter((m) => !ruledOut.includes(m) && unsure.some((a) => FORBIDS[m].has(a)));
  const satisfied = MODEL_NAMES.filter((m) => !ruledOut.includes(m) && !unknown.includes(m));
  const strongest = satisfied.filter((m) => !STRONGER[m].some((s) => satisfied.includes(s)));
  const weakestOut = ruledOut.filter((m) => !MODEL_NAMES.some((w) => STRONGER[w].includes(m) && ruledOut.includes(w)));
  const or = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} or ${xs.at(-1)}`);
  const and = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);
  const weakestUnknown = unknown.filter((m) => !MODEL_NAMES.some((w) => STRONGER[w].includes(m) && unknown.includes(w)));
  const known =
    ruledOut.length === 0 && unknown.length === 0
      ? "consistent with strict-serializable, and so with every weaker model"
      : satisfied.length === 0
        ? ruledOut.length > 0
          ? "not consistent with any model checked, not even read-uncommitted"
          : "not vouched for under any model"
        : ruledOut.length === 0
          ? `consistent with ${and(strongest)}`
          : `consistent with ${and(strongest)} but not ${or(weakestOut)}`;
  const summary = unknown.length > 0 ? `${known}; whether it is ${or(weakestUnknown)} is unknown (the cycle search ran out of budget)` : known;
  return { ruledOut, strongest, summary };
}
