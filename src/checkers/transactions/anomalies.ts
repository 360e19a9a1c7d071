// Collects anomalies as the inference finds them: a few examples of each
// name (a broken history can have thousands) and a count of all.

import { writeOut } from "./explain.js";
import type { Txn } from "./history.js";
import type { Anomaly, AnomalyName } from "./result.js";

/** Examples kept per anomaly name. */
export const EXAMPLES = 5;

export class AnomalySink {
  readonly examples: Anomaly[] = [];
  readonly counts: Partial<Record<AnomalyName, number>> = {};

  constructor(readonly txns: readonly Txn[]) {}

  /** Records one anomaly; `why` is only called when it is kept as an example. */
  add(name: AnomalyName, ids: number[], why: () => string[], cycle?: Anomaly["cycle"]): void {
    const n = (this.counts[name] ?? 0) + 1;
    this.counts[name] = n;
    if (n > EXAMPLES) return;
    const anomaly: Anomaly = { name, txns: ids, explanation: [...why(), ...(cycle ? [] : ["The transactions:", ...writeOut(this.txns, ids)])] };
    if (cycle) anomaly.cycle = cycle;
    this.examples.push(anomaly);
  }
}
