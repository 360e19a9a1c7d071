import { NamespaceFaults, namespaceMechanisms, type NodeNamespace } from "../../faults/namespaceFaults.js";
import { unavailable, type FaultKind, type FaultMechanism } from "../../faults/mechanisms.js";
import type { Capabilities } from "./capabilities.js";
import { packetQueueCommand, packetQueueRule } from "./packetQueue.js";

/** Which mechanism the sandbox uses for each fault on a machine with these capabilities. */
export function sandboxMechanisms(caps: Capabilities): Record<FaultKind, FaultMechanism> {
  if (!caps.iptables.available) return unavailable(caps.iptables.reason ?? "iptables does not work here");
  return namespaceMechanisms({
    partition: "iptables in each node's namespace",
    netem: caps.netem.available ? "tc netem in the node's namespace" : undefined,
    lossWithoutNetem: "iptables statistic match, as the kernel has no netem",
    withoutNetem: caps.packetQueue.available
      ? { available: true, how: "user-space packet queue (iptables NFQUEUE), as the kernel has no netem" }
      : { available: false, reason: `this kernel has no netem, and ${caps.packetQueue.reason ?? "the packet queue does not work"}` },
  });
}

/** Faults inside the sandbox's node namespaces: netem where the kernel has it, else iptables and the packet queue. */
export function sandboxFaults(ns: NodeNamespace, caps: Capabilities): NamespaceFaults {
  return new NamespaceFaults(
    ns,
    sandboxMechanisms(caps),
    caps.netem.available ? { kind: "netem" } : { kind: "fallback", queue: { command: packetQueueCommand, rule: packetQueueRule } },
  );
}
