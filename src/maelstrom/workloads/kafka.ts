import type { Operation } from "../history.js";
import type { Body } from "../protocol.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

const KEYS = 8;
type Entry = [number, unknown];

/**
 * A Kafka-style log per key: clients send messages (the node assigns
 * offsets), poll from their position, commit offsets and list committed
 * ones. The checker looks for lost writes, duplicate offsets, polls that go
 * backwards (inside one poll or from one poll to the next) and polls that
 * skip an offset that exists.
 */
export function kafkaWorkload(opts: WorkloadOptions): Workload {
  const keys = Array.from({ length: KEYS }, (_, i) => `k${i}`);
  const positions = new Map<string, Map<string, number>>(); // client → key → next offset to poll
  const finalPositions = new Map<string, Map<string, number>>(); // node → key → next offset
  let nextMsg = 1;
  const pos = (m: Map<string, Map<string, number>>, who: string) => {
    let p = m.get(who);
    if (!p) m.set(who, (p = new Map()));
    return p;
  };
  const pick = () => keys[Math.floor(opts.random() * keys.length)]!;
  return {
    name: "kafka",
    next(client): Body {
      const r = opts.random();
      if (r < 0.5) return { type: "send", key: pick(), msg: nextMsg++ };
      const mine = pos(positions, client);
      if (r < 0.8) {
        const ks = [pick(), pick()];
        return { type: "poll", offsets: Object.fromEntries(ks.map((k) => [k, mine.get(k) ?? 0])) };
      }
      if (r < 0.9) {
        const seen = [...mine].filter(([, next]) => next > 0);
        if (seen.length === 0) return { type: "send", key: pick(), msg: nextMsg++ };
        return { type: "commit_offsets", offsets: Object.fromEntries(seen.map(([k, next]) => [k, next - 1])) };
      }
      return { type: "list_committed_offsets", keys: [pick(), pick()] };
    },
    observe(op) {
      if (op.f !== "poll" || op.outcome !== "ok") return;
      const table = op.final ? pos(finalPositions, op.node) : pos(positions, op.client);
      for (const [key, entries] of Object.entries(msgsOf(op))) {
        const last = entries[entries.length - 1];
        if (last && last[0] + 1 > (table.get(key) ?? 0)) table.set(key, last[0] + 1);
      }
    },
    finalRound: () =>
      opts.nodes.map((node) => {
        const p = pos(finalPositions, node);
        return { node, body: { type: "poll", offsets: Object.fromEntries(keys.map((k) => [k, p.get(k) ?? 0])) } };
      }),
    settled: (round) => round.every((op) => op.outcome === "ok" && Object.values(msgsOf(op)).every((l) => l.length === 0)),
    check: checkKafka,
  };
}

function msgsOf(op: Operation): Record<string, Entry[]> {
  const msgs = op.reply?.msgs;
  return msgs && typeof msgs === "object" && !Array.isArray(msgs) ? (msgs as Record<string, Entry[]>) : {};
}

/** The first index of a sorted array whose value is >= x (its length if none). */
function firstAtLeast(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Linear in the history: time O(total entries sent and polled + keys' logs
 * log their length), each poll costing its own size plus a binary search.
 * Memory beyond the history: O(acknowledged sends + distinct offsets polled)
 * (an offset → message map per key for sends and for polls, and each key's
 * sorted known offsets), plus one Set of a poll's offsets at a time.
 */
export function checkKafka(history: readonly Operation[]): CheckResult {
  const problems: string[] = [];
  // What sends were acknowledged at which offset.
  const acked = new Map<string, Map<number, unknown>>(); // key → offset → msg
  const duplicates: string[] = [];
  for (const op of history) {
    if (op.f !== "send" || op.outcome !== "ok") continue;
    const key = String(op.request.key);
    const offset = op.reply?.offset;
    if (typeof offset !== "number") {
      problems.push(`${op.node} answered send with ${JSON.stringify(op.reply)}; send_ok must carry a numeric "offset"`);
      continue;
    }
    const byOffset = acked.get(key) ?? new Map<number, unknown>();
    acked.set(key, byOffset);
    if (byOffset.has(offset)) duplicates.push(`${key} offset ${offset} was given to both message ${JSON.stringify(byOffset.get(offset))} and message ${JSON.stringify(op.request.msg)}`);
    else byOffset.set(offset, op.request.msg);
  }
  // What polls observed.
  const observed = new Map<string, Map<number, unknown>>();
  const internal: string[] = [];
  const external: string[] = [];
  const skips: string[] = [];
  const inconsistent: string[] = [];
  const polls = history.filter((op) => op.f === "poll" && op.outcome === "ok");
  for (const op of polls) {
    for (const [key, entries] of Object.entries(msgsOf(op))) {
      const seen = observed.get(key) ?? new Map<number, unknown>();
      observed.set(key, seen);
      for (let i = 0; i < entries.length; i++) {
        const [offset, msg] = entries[i]!;
        if (i > 0 && offset <= entries[i - 1]![0]) internal.push(`a poll of ${key} on ${op.node} returned offset ${offset} after ${entries[i - 1]![0]}`);
        if (seen.has(offset) && JSON.stringify(seen.get(offset)) !== JSON.stringify(msg)) {
          inconsistent.push(`${key} offset ${offset} was read as ${JSON.stringify(seen.get(offset))} and as ${JSON.stringify(msg)}`);
        }
        seen.set(offset, msg);
      }
      const from = (op.request.offsets as Record<string, number>)[key] ?? 0;
      if (entries.length > 0 && entries[0]![0] < from) external.push(`a poll of ${key} from offset ${from} on ${op.node} began at offset ${entries[0]![0]}`);
    }
  }
  // Skips: a poll jumped over an offset that exists. The known offsets of
  // each key are sorted once; a poll looks at those from its start offset
  // up to its last entry and stops at the first it did not return, so its
  // cost is its own size (plus a binary search), not the key's whole log.
  const known = new Map<string, number[]>();
  const knownOffsets = (key: string): number[] => {
    let all = known.get(key);
    if (!all) {
      const s = new Set<number>([...(acked.get(key)?.keys() ?? []), ...(observed.get(key)?.keys() ?? [])]);
      all = [...s].sort((a, b) => a - b);
      known.set(key, all);
    }
    return all;
  };
  for (const op of polls) {
    for (const [key, entries] of Object.entries(msgsOf(op))) {
      if (entries.length === 0) continue;
      const all = knownOffsets(key);
      const from = (op.request.offsets as Record<string, number>)[key] ?? 0;
      const returned = new Set(entries.map((e) => e[0]));
      const last = entries[entries.length - 1]![0];
      let missed: number | undefined;
      for (let i = firstAtLeast(all, from); i < all.length && all[i]! < last; i++) {
        if (!returned.has(all[i]!)) {
          missed = all[i];
          break;
        }
      }
      if (missed !== undefined) skips.push(`a poll of ${key} from offset ${from} on ${op.node} skipped offset ${missed} (it returned ${[...returned].slice(0, 5).join(", ")}${returned.size > 5 ? ", ..." : ""})`);
    }
  }
  // Lost: acknowledged, and never read although later offsets of its key were.
  const lost: string[] = [];
  let unobserved = 0;
  for (const [key, byOffset] of acked) {
    const seen = observed.get(key) ?? new Map<number, unknown>();
    let highest = -1; // not Math.max(...keys): a spread of a long log overflows the stack
    for (const o of seen.keys()) if (o > highest) highest = o;
    for (const [offset, msg] of byOffset) {
      if (seen.has(offset)) {
        if (JSON.stringify(seen.get(offset)) !== JSON.stringify(msg)) {
          inconsistent.push(`${key} offset ${offset} was acknowledged for message ${JSON.stringify(msg)} but polls returned ${JSON.stringify(seen.get(offset))}`);
        }
        continue;
      }
      if (offset < highest) lost.push(`message ${JSON.stringify(msg)} sent to ${key} was acknowledged at offset ${offset}, but no poll ever returned it`);
      else unobserved++;
    }
  }
  const add = (what: string, list: string[]) => {
    if (list.length > 0) problems.push(`${list.length} ${what}, e.g. ${list[0]}`);
  };
  add("duplicate offset(s)", duplicates);
  add("lost write(s)", lost);
  add("inconsistent offset(s)", inconsistent);
  add("internal nonmonotonic poll(s)", internal);
  add("external nonmonotonic poll(s)", external);
  add("poll skip(s)", skips);
  if (unobserved > 0) problems.push(`${unobserved} acknowledged message(s) were never returned by any poll, not even the final ones`);
  return {
    valid: problems.length === 0,
    problems,
    "send-count": history.filter((o) => o.f === "send").length,
    "acknowledged-sends": [...acked.values()].reduce((s, m) => s + m.size, 0),
    "duplicate-count": duplicates.length,
    "lost-count": lost.length,
    "unobserved-count": unobserved,
    "internal-nonmonotonic-count": internal.length,
    "external-nonmonotonic-count": external.length,
    "skip-count": skips.length,
    "inconsistent-count": inconsistent.length,
  };
}
