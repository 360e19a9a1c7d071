import type { NetworkFaults } from "../runtime.js";

/** Runs a command in a node's network namespace (the sandbox's `exec`). */
export type NodeExec = (node: string, argv: string[]) => Promise<void>;

/**
 * Partitions and packet loss with iptables inside the nodes' namespaces.
 * The rules of a node are remembered and put back when the node restarts
 * (a restarted node gets a fresh namespace; the network it sits in has not
 * changed).
 */
export class IptablesFaults implements NetworkFaults {
  readonly description = "partition and loss by iptables in each node's namespace; no delay (kernel has no netem)";
  private readonly rules = new Map<string, string[][]>();

  constructor(private readonly exec: NodeExec) {}

  async cut(node: string, peers: readonly string[]): Promise<void> {
    for (const peer of peers) {
      await this.add(node, ["-A", "INPUT", "-s", peer, "-j", "DROP"]);
      await this.add(node, ["-A", "OUTPUT", "-d", peer, "-j", "DROP"]);
    }
  }

  async lose(node: string, share: number): Promise<void> {
    await this.add(node, ["-A", "OUTPUT", "-m", "statistic", "--mode", "random", "--probability", share.toFixed(4), "-j", "DROP"]);
  }

  async clear(node: string): Promise<void> {
    this.rules.delete(node);
    await this.exec(node, ["iptables", "-F"]);
  }

  /** Re-applies a node's rules to its new namespace after a restart. */
  async restore(node: string): Promise<void> {
    for (const rule of this.rules.get(node) ?? []) await this.exec(node, ["iptables", ...rule]);
  }

  private async add(node: string, rule: string[]): Promise<void> {
    const list = this.rules.get(node) ?? [];
    list.push(rule);
    this.rules.set(node, list);
    await this.exec(node, ["iptables", ...rule]);
  }
}
