import { broadcastWorkload } from "./broadcast.js";
import { counterWorkload } from "./counter.js";
import { echoWorkload } from "./echo.js";
import { gSetWorkload } from "./gSet.js";
import { kafkaWorkload } from "./kafka.js";
import { linKvWorkload } from "./linKv.js";
import { txnWorkload } from "./txn.js";
import { uniqueIdsWorkload } from "./uniqueIds.js";
import type { Workload, WorkloadOptions } from "./workload.js";

export const WORKLOADS = ["echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "kafka", "lin-kv", "txn-rw-register", "txn-list-append"] as const;

export function createWorkload(name: string, opts: WorkloadOptions): Workload {
  switch (name) {
    case "echo":
      return echoWorkload(opts);
    case "unique-ids":
      return uniqueIdsWorkload();
    case "broadcast":
      return broadcastWorkload(opts);
    case "g-set":
      return gSetWorkload(opts);
    case "g-counter":
    case "pn-counter":
      return counterWorkload(opts, name);
    case "kafka":
      return kafkaWorkload(opts);
    case "lin-kv":
      return linKvWorkload(opts);
    case "txn-rw-register":
    case "txn-list-append":
      return txnWorkload(opts, name);
    default:
      throw new Error(`unknown workload ${JSON.stringify(name)}; the workloads are ${WORKLOADS.join(", ")}`);
  }
}
