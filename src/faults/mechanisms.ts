// Which mechanism injects each kind of network fault, and the interface a
// runtime offers for injecting them. Known before any node starts, so a run
// can refuse a stage whose faults this machine cannot make.

import type { Impairment, ImpairmentKind } from "./impairments.js";

export type FaultKind = "partition" | ImpairmentKind;

/** How a runtime injects one kind of fault, or why it cannot. */
export type FaultMechanism = { available: true; how: string } | { available: false; reason: string };

/** Network faults a runtime can inject between its nodes. */
export interface NetworkFaults {
  /** For the run header and `clstr doctor`: which mechanism does what. */
  readonly mechanisms: Readonly<Record<FaultKind, FaultMechanism>>;
  /** Drops all traffic between `node` and each address in `peers`, both ways. */
  cut(node: string, peers: readonly string[]): Promise<void>;
  /** Removes every cut from the node. */
  heal(node: string): Promise<void>;
  /**
   * Packets dropped by cuts since the run's network was made, from the
   * mechanism's own counters: the evidence that a partition took effect.
   * Undefined (or absent) where the mechanism cannot say.
   */
  droppedByCuts?(): Promise<number | undefined>;
  /** Replaces the node's impairments of its outgoing traffic with these. */
  impair(node: string, impairments: readonly Impairment[]): Promise<void>;
  /** Removes the node's impairments. */
  repair(node: string): Promise<void>;
}

/** Every fault kind unavailable, for the same reason. */
export function unavailable(reason: string): Record<FaultKind, FaultMechanism> {
  const no: FaultMechanism = { available: false, reason };
  return { partition: no, delay: no, loss: no, duplicate: no, reorder: no };
}

/** One line per fault kind: "partition: iptables in each node's namespace", ... */
export function describeMechanisms(mechanisms: Readonly<Partial<Record<FaultKind, FaultMechanism>>>): string[] {
  return Object.entries(mechanisms).map(([kind, m]) => `${kind}: ${m!.available ? m!.how : `unavailable (${m!.reason})`}`);
}
