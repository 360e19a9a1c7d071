import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sourcePath } from "../../util/packageRoot.js";
import type { ImpairmentSettings } from "../../faults/impairments.js";

/** The user-space packet queue (a python3 script beside this module's source). */
export const packetQueueScript: string = join(sourcePath(fileURLToPath(new URL(".", import.meta.url))), "packetQueue.py");

/** Packets the queue writes again (duplicates) carry this mark; the queue rule lets them pass. */
export const DUPLICATE_MARK = 0x4c;
export const QUEUE_NUMBER = 0;

/** The command that runs the queue in a node's namespace with these settings. */
export function packetQueueCommand(s: ImpairmentSettings): string[] {
  return ["python3", packetQueueScript, String(QUEUE_NUMBER), String(DUPLICATE_MARK),
    String(s.delayMs), String(s.jitterMs), String(s.reorderPercent), String(s.duplicatePercent)];
}

/** The iptables rule that hands the node's outgoing packets on eth0 to the queue. */
export function packetQueueRule(): string[] {
  return ["OUTPUT", "-o", "eth0", "-m", "mark", "!", "--mark", String(DUPLICATE_MARK), "-j", "NFQUEUE",
    "--queue-num", String(QUEUE_NUMBER), "--queue-bypass"];
}
