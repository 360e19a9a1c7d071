import { RuntimeError } from "../util/errors.js";
import type { FaultKind, FaultMechanism, NetworkFaults } from "./mechanisms.js";
import { netemArgs, settingsOf, type Impairment, type ImpairmentSettings } from "./impairments.js";
import { iptablesCutDrops } from "./dropCounters.js";

/**
 * What a runtime can do inside a node's network namespace (a sandbox
 * namespace, a container). Each is a no-op while the node is down.
 */
export interface NodeNamespace {
  /** Runs a command in the node's namespace; its output, or undefined while the node is down. */
  exec(node: string, argv: string[]): Promise<string | undefined>;
  /** Starts a long-running helper in the namespace (replacing the node's previous one); needed by the packet queue. */
  spawn?(node: string, argv: string[]): Promise<void>;
  unspawn?(node: string): Promise<void>;
  /**
   * Packets the neighbour cuts sent nowhere since the network was made,
   * counted where they end up (the sandbox bridge's sink port); undefined
   * when the runtime cannot count them. Not needed for iptables cuts, whose
   * rules count for themselves.
   */
  cutDrops?(): Promise<number | undefined>;
}

/** How impairments are made: by tc netem, or by iptables loss plus a user-space packet queue. */
export type ImpairmentPath =
  | { kind: "netem" }
  | { kind: "fallback"; queue?: { command: (s: ImpairmentSettings) => string[]; rule: () => string[] } };

type Rule = string[]; // [chain, ...match and target]

/**
 * How a partition is made inside a node's namespace:
 * - "iptables": DROP rules for the peer, in and out;
 * - "neighbour": a permanent neighbour entry that sends every packet for the
 *   peer to a link-layer address nobody has (iproute2 alone). The bridge
 *   floods such frames and every host discards them, so a cut peer is silent,
 *   as with a DROP rule: connections time out rather than fail at once. Both
 *   ends of a partition are cut (the harness cuts every pair both ways), so
 *   nothing the peer sends gets through either.
 */
export type CutMechanism = "iptables" | "neighbour";

/** The link-layer address a cut peer's packets go to: unicast, locally administered, owned by no node. */
export const DEAD_MAC = "02:42:00:00:00:00";

/**
 * Partitions and impairments inside the nodes' namespaces: iptables for
 * cuts; tc netem for impairments where the kernel has it; otherwise
 * iptables' statistic match for loss and a user-space packet queue for
 * delay, duplication and reordering.
 *
 * A restarted node gets a fresh namespace, so each node's faults are
 * remembered and put back by `restore` before (or as soon as) it runs.
 */
export class NamespaceFaults implements NetworkFaults {
  /** Per node, the peers it is cut from. */
  private readonly cuts = new Map<string, string[]>();
  private readonly impairments = new Map<string, ImpairmentSettings>();
  /** Packets dropped by iptables cuts that have since been healed (their rules, and counters, are gone). */
  private healedDrops = 0;

  constructor(
    private readonly ns: NodeNamespace,
    readonly mechanisms: Readonly<Record<FaultKind, FaultMechanism>>,
    private readonly path: ImpairmentPath,
    private readonly cutMechanism: CutMechanism = "iptables",
  ) {}

  async cut(node: string, peers: readonly string[]): Promise<void> {
    const cut = this.cuts.get(node) ?? [];
    this.cuts.set(node, cut);
    for (const peer of peers) {
      cut.push(peer);
      await this.cutPeer(node, peer);
    }
  }

  async heal(node: string): Promise<void> {
    const peers = this.cuts.get(node) ?? [];
    // Read the rules' counters before the rules, and their counts, go.
    if (this.cutMechanism === "iptables" && peers.length > 0) this.healedDrops += await this.liveDrops(node, peers);
    this.cuts.delete(node);
    for (const peer of peers) {
      if (this.cutMechanism === "neighbour") await this.ns.exec(node, ["ip", "neigh", "del", peer, "dev", "eth0"]);
      else for (const rule of dropRules(peer)) await this.ns.exec(node, ["iptables", "-D", ...rule]);
    }
  }

  /**
   * Packets dropped by cuts since this network was made: for iptables, the
   * DROP rules' counters (those of healed cuts, plus those still in place);
   * for neighbour entries, whatever the runtime counts where the packets
   * end up. A node's counters die with its namespace when it restarts in a
   * new one, so a count can fall short, never exceed.
   */
  async droppedByCuts(): Promise<number | undefined> {
    if (this.cutMechanism === "neighbour") return this.ns.cutDrops ? this.ns.cutDrops() : undefined;
    let total = this.healedDrops;
    for (const [node, peers] of this.cuts) total += await this.liveDrops(node, peers);
    return total;
  }

  /** What the node's cut rules for these peers have dropped so far; 0 while the node is down. */
  private async liveDrops(node: string, peers: readonly string[]): Promise<number> {
    const listing = await this.ns.exec(node, ["iptables", "-L", "-v", "-x", "-n"]);
    return listing === undefined ? 0 : iptablesCutDrops(listing, peers);
  }

  async impair(node: string, impairments: readonly Impairment[]): Promise<void> {
    await this.repair(node);
    const settings = settingsOf(impairments);
    this.impairments.set(node, settings);
    await this.applyImpairments(node, settings);
  }

  async repair(node: string): Promise<void> {
    const settings = this.impairments.get(node);
    this.impairments.delete(node);
    if (!settings) return;
    if (this.path.kind === "netem") {
      await this.ns.exec(node, ["tc", "qdisc", "del", "dev", "eth0", "root"]);
      return;
    }
    for (const rule of this.fallbackRules(settings)) await this.ns.exec(node, ["iptables", "-D", ...rule]);
    if (needsQueue(settings)) await this.ns.unspawn?.(node);
  }

  /** Puts a node's faults back into its new namespace after a restart. */
  async restore(node: string): Promise<void> {
    for (const peer of this.cuts.get(node) ?? []) await this.cutPeer(node, peer);
    const settings = this.impairments.get(node);
    if (settings) await this.applyImpairments(node, settings);
  }

  private async applyImpairments(node: string, settings: ImpairmentSettings): Promise<void> {
    if (this.path.kind === "netem") {
      await this.ns.exec(node, ["tc", "qdisc", "replace", "dev", "eth0", "root", "netem", ...netemArgs(settings)]);
      return;
    }
    if (needsQueue(settings)) {
      if (!this.path.queue || !this.ns.spawn) throw new RuntimeError("This runtime cannot delay, duplicate or reorder packets without tc netem.");
      await this.ns.spawn(node, this.path.queue.command(settings));
    }
    // Appended: cuts are inserted at the top, so a cut drops a packet before
    // it could be lost or queued; the loss rule comes before the queue.
    for (const rule of this.fallbackRules(settings)) await this.ns.exec(node, ["iptables", "-A", ...rule]);
  }

  private fallbackRules(s: ImpairmentSettings): Rule[] {
    const rules: Rule[] = [];
    if (s.lossPercent > 0) {
      rules.push(["OUTPUT", "-o", "eth0", "-m", "statistic", "--mode", "random", "--probability", (s.lossPercent / 100).toFixed(4), "-j", "DROP"]);
    }
    if (needsQueue(s) && this.path.kind === "fallback" && this.path.queue) rules.push(this.path.queue.rule());
    return rules;
  }

  private async cutPeer(node: string, peer: string): Promise<void> {
    if (this.cutMechanism === "neighbour") {
      await this.ns.exec(node, ["ip", "neigh", "replace", peer, "lladdr", DEAD_MAC, "dev", "eth0", "nud", "permanent"]);
      return;
    }
    // Inserted at the top, so a cut drops a packet before it could be lost or queued.
    for (const [chain, ...rest] of dropRules(peer)) await this.ns.exec(node, ["iptables", "-I", chain!, "1", ...rest]);
  }
}

function dropRules(peer: string): Rule[] {
  return [["INPUT", "-s", peer, "-j", "DROP"], ["OUTPUT", "-d", peer, "-j", "DROP"]];
}

function needsQueue(s: ImpairmentSettings): boolean {
  return s.delayMs > 0 || s.jitterMs > 0 || s.duplicatePercent > 0 || s.reorderPercent > 0;
}


/**
 * Which mechanism makes each fault, for a runtime that cuts with iptables and
 * impairs with tc netem where the kernel has it; without netem, loss falls
 * back to iptables' statistic match and the rest to `withoutNetem`.
 */
export function namespaceMechanisms(o: {
  partition: string;
  /** How netem is applied, when the kernel has it. */
  netem: string | undefined;
  lossWithoutNetem: string;
  withoutNetem: FaultMechanism;
}): Record<FaultKind, FaultMechanism> {
  const netem: FaultMechanism | undefined = o.netem ? { available: true, how: o.netem } : undefined;
  const other = netem ?? o.withoutNetem;
  return {
    partition: { available: true, how: o.partition },
    delay: other,
    loss: netem ?? { available: true, how: o.lossWithoutNetem },
    duplicate: other,
    reorder: other,
  };
}
