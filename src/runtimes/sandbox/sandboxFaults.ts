import { NamespaceFaults, type NodeNamespace } from "../../faults/namespaceFaults.js";
import { unavailable, type FaultKind, type FaultMechanism } from "../../faults/mechanisms.js";
import type { Capabilities } from "./capabilities.js";
import { packetQueueCommand, packetQueueRule } from "./packetQueue.js";

/**
 * Which mechanism the sandbox uses for each fault on a machine with these
 * capabilities. Partitions need iproute2 alone; impairments use tc netem
 * where the kernel has it, else iptables (loss) and the packet queue (the rest).
 */
export function sandboxMechanisms(caps: Capabilities): Record<FaultKind, FaultMechanism> {
  if (!caps.sandbox.available) return unavailable(caps.sandbox.reason ?? "the network sandbox does not work here");
  const netem: FaultMechanism | undefined = caps.netem.available ? { available: true, how: "tc netem in the node's namespace" } : undefined;
  const queue: FaultMechanism = caps.packetQueue.available
    ? { available: true, how: "user-space packet queue (iptables NFQUEUE and python3), as the kernel has no netem" }
    : { available: false, reason: `this kernel has no netem, and ${caps.packetQueue.reason ?? "the packet queue does not work"}` };
  const loss: FaultMechanism = caps.iptables.available
    ? { available: true, how: "iptables statistic match, as the kernel has no netem" }
    : { available: false, reason: `this kernel has no netem, and ${caps.iptables.reason ?? "iptables does not work"}` };
  return {
    partition: {
      available: true,
      how: "dead neighbour entries in each node's namespace (iproute2, packets vanish as behind a DROP rule, counted at the bridge's sink port)",
    },
    delay: netem ?? queue,
    loss: netem ?? loss,
    duplicate: netem ?? queue,
    reorder: netem ?? queue,
  };
}

/** Faults inside the sandbox's node namespaces: partitions by neighbour entries; netem where the kernel has it, else iptables and the packet queue. */
export function sandboxFaults(ns: NodeNamespace, caps: Capabilities): NamespaceFaults {
  return new NamespaceFaults(
    ns,
    sandboxMechanisms(caps),
    caps.netem.available ? { kind: "netem" } : { kind: "fallback", queue: { command: packetQueueCommand, rule: packetQueueRule } },
    "neighbour",
  );
}
