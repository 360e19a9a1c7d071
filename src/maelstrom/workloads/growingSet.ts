import { latencySummary } from "../checkers/latency.js";
import type { Operation } from "../history.js";
import type { CheckResult } from "./workload.js";

/** How a workload names its adds and reads (broadcast: message/messages; g-set: element/value). */
export interface SetShape {
  /** The request type that adds an element. */
  add: string;
  /** The add request's field holding the element. */
  element: string;
  /** The read_ok field holding every element. */
  elements: string;
  /** What an element is called in messages. */
  noun: string;
}

/**
 * A read's elements kept compactly: 2 bytes each (all in 0..65535) or 4
 * (all 32-bit integers), where a JS array holds 8 per number. Reads return
 * every element so far, so they are most of a broadcast run's memory; the
 * workload compacts each read's reply as it completes. Serialised as the JSON
 * array it was (history.jsonl, the report).
 */
export class Uint16List extends Uint16Array {
  toJSON(): number[] {
    return Array.from(this);
  }
}
export class Int32List extends Int32Array {
  toJSON(): number[] {
    return Array.from(this);
  }
}

/** Whether a read's elements field is a list: a JSON array, or one compacted by `compactElements`. */
export function isElementList(values: unknown): values is ArrayLike<unknown> {
  return Array.isArray(values) || values instanceof Uint16List || values instanceof Int32List;
}

/** Replaces an acknowledged read's array of integers with a compact list of the same numbers in the same order (anything else stays as it is). */
export function compactElements(op: Operation, field: string): void {
  const reply = op.reply;
  const values = reply?.[field];
  if (op.outcome !== "ok" || !Array.isArray(values)) return;
  let small = true;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < -2147483648 || v > 2147483647 || Object.is(v, -0)) return;
    if (v < 0 || v > 65535) small = false;
  }
  const list = small ? new Uint16List(values.length) : new Int32List(values.length);
  for (let i = 0; i < values.length; i++) list[i] = values[i] as number;
  reply![field] = list;
}

export function elementsOf(op: Operation, field: string): Set<number> {
  const values = op.reply?.[field];
  return new Set(isElementList(values) ? (Array.from(values) as number[]) : []);
}

/** Whether every node answered a final read with the same elements (the final phase can end). */
export function finalReadsAgree(round: readonly Operation[], field: string): boolean {
  const sets = round.map((op) => (op.outcome === "ok" ? JSON.stringify([...elementsOf(op, field)].sort((a, b) => a - b)) : "?"));
  return sets.every((s) => s !== "?" && s === sets[0]);
}

/**
 * A set that only grows, read from every node: every acknowledged element
 * must be in every node's final read, no read may hold an element nobody
 * added, and the stable latency says how long elements took to reach every read.
 *
 * Linear in the history: time O(the reads' total size + adds × nodes +
 * reads log reads), where a read's size is the number of elements it
 * returned. Memory beyond the history: O(adds + reads) (a typed-array slot
 * or Map entry per attempted element, a stamp per acknowledged element, the
 * reads' order) plus one Set per node's final read; nothing per read × element.
 */
export function checkGrowingSet(history: readonly Operation[], nodes: readonly string[], shape: SetShape): CheckResult {
  const adds = history.filter((op) => op.f === shape.add);
  const acked = adds.filter((op) => op.outcome === "ok");
  const attempted = elementIndex(adds.map((op) => op.request[shape.element]));
  const reads = history.filter((op) => op.f === "read" && op.outcome === "ok");
  const problems: string[] = [];

  for (const op of reads) {
    if (!isElementList(op.reply?.[shape.elements])) {
      problems.push(`${op.node} answered read with ${JSON.stringify(op.reply)}; read_ok must carry "${shape.elements}": [ ... ]`);
      break;
    }
  }
  const finalReads = finalReadsOf(history);
  for (const node of nodes) {
    const final = finalReads.get(node);
    if (!final || final.outcome !== "ok") problems.push(`${node} did not answer its final read`);
  }
  const lost = lostElements(acked, finalReads, nodes, shape);
  const unexpected = new Set<number>();
  for (const op of reads) {
    const values = op.reply?.[shape.elements];
    if (!isElementList(values)) continue;
    for (let e = 0; e < values.length; e++) if (indexOf(attempted, values[e]) < 0) unexpected.add(values[e] as number);
  }

  if (lost.size > 0) {
    const examples = [...lost].slice(0, 5).map(([v, where]) => `${v} (missing on ${where.join(", ")})`);
    problems.unshift(`${lost.size} acknowledged ${shape.noun}(s) are missing from final reads: ${examples.join("; ")}`);
  }
  if (unexpected.size > 0) problems.push(`reads returned ${unexpected.size} ${shape.noun}(s) nobody added, e.g. ${[...unexpected].slice(0, 5).join(", ")}`);

  const latencies = latenciesOf(acked, new Set(lost.keys()), reads, shape);
  return {
    valid: problems.length === 0,
    problems,
    "attempt-count": adds.length,
    "acknowledged-count": acked.length,
    "lost-count": lost.size,
    "unexpected-count": unexpected.size,
    "stable-latencies": latencySummary(latencies),
  };
}

/** The stable latencies of a run (sorted, ms): the workload's measure, for the latency and threshold checkers. */
export function stableLatencies(history: readonly Operation[], nodes: readonly string[], shape: SetShape): number[] {
  const acked = history.filter((op) => op.f === shape.add && op.outcome === "ok");
  const reads = history.filter((op) => op.f === "read" && op.outcome === "ok");
  const lost = lostElements(acked, finalReadsOf(history), nodes, shape);
  return latenciesOf(acked, new Set(lost.keys()), reads, shape);
}

/** The last final read of each node: it decides what the node ended up with. */
function finalReadsOf(history: readonly Operation[]): Map<string, Operation> {
  const finalReads = new Map<string, Operation>();
  for (const op of history) if (op.final && op.f === "read") finalReads.set(op.node, op);
  return finalReads;
}

/**
 * Dense indices for the attempted elements, so that a read's elements can be
 * marked in a typed array instead of a Set per read. Broadcast and g-set
 * elements are small non-negative integers (0, 1, 2, ...): they index
 * directly (`present[v] === 1`); anything else goes through a Map with the
 * Set's SameValueZero equality. `indexOf` answers -1 for an element nobody
 * attempted.
 */
interface ElementIndex {
  size: number;
  /** Direct indexing: the element is its own index when `typeof v === "number" && present[v] === 1`. */
  present?: Uint8Array;
  ids?: Map<unknown, number>;
}

function elementIndex(values: readonly unknown[]): ElementIndex {
  let max = -1;
  let dense = true;
  for (const v of values) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      dense = false;
      break;
    }
    if (v > max) max = v;
  }
  // Direct indexing costs a byte per integer up to the largest: only when that is not much more than the elements.
  if (dense && max < 4 * values.length + 1024) {
    const present = new Uint8Array(max + 1);
    for (const v of values) present[v as number] = 1;
    return { size: max + 1, present };
  }
  const ids = new Map<unknown, number>();
  for (const v of values) if (!ids.has(v)) ids.set(v, ids.size);
  return { size: ids.size, ids };
}

// A typed array read at a non-integer, negative or out-of-range number is undefined, and at -0 is element 0, as the Set's SameValueZero has it.
function indexOf(index: ElementIndex, v: unknown): number {
  if (index.present) return typeof v === "number" && index.present[v] === 1 ? v : -1;
  return index.ids!.get(v) ?? -1;
}

/**
 * Acknowledged elements missing from some node's final read, with the nodes they are missing on (nodes with no answered final read are left out).
 * Time: O(nodes × acknowledged + the final reads' sizes); memory: one Set per final read at a time.
 */
function lostElements(acked: readonly Operation[], finalReads: ReadonlyMap<string, Operation>, nodes: readonly string[], shape: SetShape): Map<number, string[]> {
  const lost = new Map<number, string[]>();
  for (const node of nodes) {
    const final = finalReads.get(node);
    if (!final || final.outcome !== "ok") continue;
    const have = elementsOf(final, shape.elements);
    for (const op of acked) {
      const v = op.request[shape.element] as number;
      if (have.has(v)) continue;
      const where = lost.get(v);
      if (where) where.push(node);
      else lost.set(v, [node]);
    }
  }
  return lost;
}

/**
 * Stable latency: from an add's invocation until after the last read
 * (anywhere) that still missed it, i.e. the latest read invoked at or after
 * the add that does not hold its element; lost elements have none.
 *
 * One sweep over the reads from the latest to the earliest, keeping the adds
 * still undecided: at each read, an undecided add whose element the read
 * misses is decided (that read is its last miss), one invoked after the read
 * is decided (no later read missed it), and the rest stay. Whatever stays
 * was in the read, so the work per read is bounded by the read's size (plus
 * every add once): time O(reads' total size + adds + reads log reads),
 * memory O(attempted elements + adds + reads) (a stamp per element, the
 * undecided adds, the reads' order), never a Set per read.
 */
function latenciesOf(acked: readonly Operation[], lost: ReadonlySet<number>, reads: readonly Operation[], shape: SetShape): number[] {
  const index = elementIndex(acked.map((op) => op.request[shape.element]));
  const present = index.present;
  // A read's elements are marked with its position in the sweep (+1, so 0 means never).
  const stamp = new Int32Array(index.size);
  const readAt = new Float64Array(reads.length);
  for (let i = 0; i < reads.length; i++) readAt[i] = reads[i]!.invokedAt;
  const order = Array.from(reads.keys()).sort((a, b) => readAt[a]! - readAt[b]! || a - b);
  // The adds still undecided, compacted in place: their element's index, invocation and last miss in typed arrays.
  const undecided = new Int32Array(acked.length);
  let count = 0;
  const idx = new Int32Array(acked.length);
  const inv = new Float64Array(acked.length);
  const lastMiss = new Float64Array(acked.length);
  for (let i = 0; i < acked.length; i++) {
    const op = acked[i]!;
    const v = op.request[shape.element] as number;
    if (lost.has(v)) continue;
    idx[i] = indexOf(index, v);
    inv[i] = lastMiss[i] = op.invokedAt;
    undecided[count++] = i;
  }
  for (let k = order.length - 1, mark = 1; k >= 0 && count > 0; k--, mark++) {
    const r = reads[order[k]!]!;
    const at = readAt[order[k]!]!;
    const values = r.reply?.[shape.elements];
    if (isElementList(values)) {
      if (present) {
        for (let e = 0; e < values.length; e++) {
          const v = values[e];
          if (typeof v === "number" && present[v] === 1) stamp[v] = mark;
        }
      } else {
        for (let e = 0; e < values.length; e++) {
          const j = indexOf(index, values[e]);
          if (j >= 0) stamp[j] = mark;
        }
      }
    }
    let still = 0;
    for (let u = 0; u < count; u++) {
      const i = undecided[u]!;
      if (at < inv[i]!) continue; // this read and every earlier one came before the add: its last miss stays its invocation
      if (stamp[idx[i]!] === mark) undecided[still++] = i;
      else lastMiss[i] = at;
    }
    count = still;
  }
  const latencies: number[] = [];
  for (let i = 0; i < acked.length; i++) {
    const v = acked[i]!.request[shape.element] as number;
    if (!lost.has(v)) latencies.push(lastMiss[i]! - inv[i]!);
  }
  return latencies.sort((a, b) => a - b);
}
