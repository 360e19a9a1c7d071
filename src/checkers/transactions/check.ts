// The transaction checker: infers the dependency graph of a history
// (list-append or rw-register), adds real-time and process order, finds the
// non-cycle anomalies as it goes and the cycles after, and judges each
// consistency model by the anomalies it forbids.

import { AnomalySink } from "./anomalies.js";
import { findCycles } from "./cycles.js";
import { cycleMeaning, explainEdge, writeOut } from "./explain.js";
import { EDGE_NAMES, GraphBuilder, type Graph } from "./graph.js";
import { tname, type TxnHistory } from "./history.js";
import { inferListAppend } from "./listAppend.js";
import { FORBIDS, judge, MODEL_NAMES, type ModelName } from "./models.js";
import { addProcessEdges, addRealtimeEdges } from "./realtime.js";
import type { AnomalyName, CycleStep, TxnCheckResult, Workload } from "./result.js";
import { inferRwRegister } from "./rwRegister.js";

export interface TxnCheckOptions {
  workload: Workload;
  /** The models asked about (default: all). */
  models?: readonly ModelName[];
  /** Edge visits allowed per anomaly class and component in the cycle search. */
  budget?: number;
}

export function checkTransactions(history: TxnHistory, options: TxnCheckOptions): TxnCheckResult {
  const started = performance.now();
  const { txns } = history;
  const models = options.models && options.models.length > 0 ? [...options.models] : [...MODEL_NAMES];
  const sink = new AnomalySink(txns);
  const builder = new GraphBuilder(txns.length);
  if (options.workload === "list-append") inferListAppend(txns, builder, sink);
  else inferRwRegister(txns, builder, sink);
  addRealtimeEdges(txns, builder);
  addProcessEdges(txns, builder);
  const graph = builder.build();
  const search = findCycles(graph, options.budget === undefined ? {} : { budget: options.budget });
  for (const cycle of search.cycles) {
    const steps: CycleStep[] = cycle.edges.map((e) => ({ from: graph.from[e]!, to: graph.to[e]!, type: EDGE_NAMES[graph.type[e]!]!, why: explainEdge(txns, graph, e, options.workload) }));
    const ids = steps.map((s) => s.from);
    sink.add(cycle.name, ids, () => explainCycle(cycle.name, steps, txns, graph), steps);
  }

  const found = new Set(Object.keys(sink.counts) as AnomalyName[]);
  const verdict = judge(found, search.unsure);
  const requestedOut = models.filter((m) => verdict.ruledOut.includes(m));
  // Budget ran out: a requested model that forbids an anomaly whose search was cut cannot be vouched for;
  // one that allows it (read committed and a G-single search, say) can.
  const unvouched = models.filter((m) => search.unsure.some((a) => FORBIDS[m].has(a)));
  const outcome = requestedOut.length > 0 ? "illegal" : unvouched.length > 0 ? "unknown" : "ok";
  const result: TxnCheckResult = {
    workload: options.workload,
    outcome,
    models,
    anomalies: sink.examples,
    counts: sink.counts,
    ruledOut: verdict.ruledOut,
    strongest: verdict.strongest,
    summary: verdict.summary,
    stats: {
      txns: txns.length,
      committed: txns.filter((t) => t.status === "ok").length,
      aborted: txns.filter((t) => t.status === "fail").length,
      indeterminate: txns.filter((t) => t.status === "info").length,
      edges: graph.from.length,
      components: search.components,
    },
    elapsedMs: Math.round(performance.now() - started),
  };
  if (search.incomplete) result.incomplete = unvouched.length > 0 ? search.incomplete : `${search.incomplete} (no model asked about forbids ${search.unsure.join(" or ")}, so the verdict stands; the models that do cannot be vouched for)`;
  return result;
}

function explainCycle(name: AnomalyName, steps: CycleStep[], txns: TxnHistory["txns"], _g: Graph): string[] {
  const ids = steps.map((s) => s.from);
  const ring = [...ids, ids[0]!].map(tname).join(" → ");
  return [
    `${name}: ${cycleMeaning(name)}.`,
    `The ${ids.length} transactions:`,
    ...writeOut(txns, ids),
    "Why each depends on the one before:",
    ...steps.map((s) => `  ${s.why}.`),
    `So ${ring}: a cycle, and no order of these transactions puts each after the ones it depends on.`,
  ];
}

/** Which anomalies each model forbids, for --help and the README. */
export function forbiddenBy(model: ModelName): AnomalyName[] {
  return [...FORBIDS[model]];
}
