import { between, pick } from "../util/random.js";
import { Delay, describeImpairment, Loss, type Impairment } from "./impairments.js";
import type { FaultKind } from "./mechanisms.js";

// A fault schedule: which faults a test injects, when, and for how long, as
// plain data drawn from a seed. The same seed and options give the same
// schedule, fault by fault, so `clstr test --seed N` replays it. Who leads is
// only known when the fault comes, so "the leader" stays a choice here and is
// resolved by whoever runs the schedule.

/** A node, or the node that leads when the fault comes. */
export type NodeChoice = { kind: "leader" } | { kind: "node"; name: string };

export type Fault =
  /** The node's process is stopped with `signal`, and started again when the fault ends. */
  | { kind: "kill"; node: NodeChoice; signal: "SIGKILL" | "SIGTERM" }
  /** The node is cut off from every other node, both ways, until the partition heals. */
  | { kind: "isolate"; node: NodeChoice }
  /** The nodes are split into groups that cannot reach each other (a majority and a minority). */
  | { kind: "split"; groups: string[][] }
  /** The node's outgoing packets are impaired until it is repaired. */
  | { kind: "impair"; node: NodeChoice; impairments: Impairment[] };

export interface ScheduledFault {
  /** When the fault starts, in ms from the start of the workload. */
  atMs: number;
  /** How long it lasts. */
  forMs: number;
  fault: Fault;
}

/** The faults a schedule may draw from. */
export type FaultChoice = "kill-leader" | "kill-node" | "isolate-leader" | "split" | "slow-leader" | "lossy-node";

export const FAULT_CHOICES: readonly FaultChoice[] = ["kill-leader", "kill-node", "isolate-leader", "split", "slow-leader", "lossy-node"];

export interface ScheduleOptions {
  /** Every node of the cluster, e.g. n1..n5. */
  nodes: readonly string[];
  /** How long the workload runs; every fault ends before it does. */
  durationMs: number;
  /** What may happen (default: every choice). */
  faults?: readonly FaultChoice[];
  /** How long a fault lasts, [least, most] in ms (default 1–3 s). */
  faultMs?: readonly [number, number];
  /** The calm before each fault and after the last, [least, most] in ms (default 1–2 s): clients get work done and a new leader settles in. */
  quietMs?: readonly [number, number];
}

/** A fault schedule drawn from `random`: one fault at a time, each after a quiet spell, all over before the workload ends. */
export function faultSchedule(random: () => number, options: ScheduleOptions): ScheduledFault[] {
  const choices = options.faults ?? FAULT_CHOICES;
  const [faultMin, faultMax] = options.faultMs ?? [1_000, 3_000];
  const [quietMin, quietMax] = options.quietMs ?? [1_000, 2_000];
  if (choices.length === 0) throw new Error("a fault schedule needs at least one fault to choose from");
  if (options.nodes.length < 2) throw new Error("a fault schedule needs at least two nodes");
  if (!(faultMin > 0 && faultMin <= faultMax && quietMin >= 0 && quietMin <= quietMax)) throw new Error("fault and quiet durations must be [least, most] with 0 < least <= most");
  const schedule: ScheduledFault[] = [];
  let at = between(random, quietMin, quietMax);
  for (;;) {
    const forMs = between(random, faultMin, faultMax);
    if (at + forMs + quietMin > options.durationMs) break;
    schedule.push({ atMs: at, forMs, fault: drawFault(random, pick(random, choices), options.nodes) });
    at += forMs + between(random, quietMin, quietMax);
  }
  return schedule;
}

function drawFault(random: () => number, choice: FaultChoice, nodes: readonly string[]): Fault {
  const leader: NodeChoice = { kind: "leader" };
  switch (choice) {
    case "kill-leader":
      return { kind: "kill", node: leader, signal: "SIGKILL" };
    case "kill-node":
      return { kind: "kill", node: { kind: "node", name: pick(random, nodes) }, signal: "SIGKILL" };
    case "isolate-leader":
      return { kind: "isolate", node: leader };
    case "split": {
      // A random minority (fewer than half) against the rest.
      const shuffled = shuffle(random, nodes);
      const minority = between(random, 1, Math.floor((nodes.length - 1) / 2) || 1);
      return { kind: "split", groups: [sortNodes(shuffled.slice(0, minority)), sortNodes(shuffled.slice(minority))] };
    }
    case "slow-leader":
      return { kind: "impair", node: leader, impairments: [Delay(between(random, 2, 8) * 250)] };
    case "lossy-node":
      return { kind: "impair", node: { kind: "node", name: pick(random, nodes) }, impairments: [Loss(between(random, 2, 6) * 10)] };
  }
}

/** The network fault kinds a schedule drawing from `choices` may inject: a stage's `needs`. */
export function faultKindsOf(choices: readonly FaultChoice[]): FaultKind[] {
  const kinds = new Set<FaultKind>();
  for (const choice of choices) {
    if (choice === "isolate-leader" || choice === "split") kinds.add("partition");
    if (choice === "slow-leader") kinds.add("delay");
    if (choice === "lossy-node") kinds.add("loss");
  }
  return [...kinds];
}

/** "kill the leader (SIGKILL) at +1.2s for 2s": a fault in words, for logs and messages. */
export function describeScheduledFault(s: ScheduledFault): string {
  return `${describeFault(s.fault)} at +${seconds(s.atMs)} for ${seconds(s.forMs)}`;
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case "kill":
      return `kill ${describeNode(f.node)} (${f.signal})`;
    case "isolate":
      return `isolate ${describeNode(f.node)}`;
    case "split":
      return `partition ${f.groups.map((g) => g.join(", ")).join(" | ")}`;
    case "impair":
      return `impair ${describeNode(f.node)}: ${f.impairments.map(describeImpairment).join(", ")}`;
  }
}

export function describeNode(n: NodeChoice): string {
  return n.kind === "leader" ? "the leader" : n.name;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function shuffle<T>(random: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function sortNodes(nodes: readonly string[]): string[] {
  return [...nodes].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}
