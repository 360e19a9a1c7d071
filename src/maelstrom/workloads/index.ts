import { broadcastWorkload } from "./broadcast.js";
import { echoWorkload } from "./echo.js";
import { gCounterWorkload } from "./gCounter.js";
import { kafkaWorkload } from "./kafka.js";
import { uniqueIdsWorkload } from "./uniqueIds.js";
import type { Workload, WorkloadOptions } from "./workload.js";

export const WORKLOADS = ["echo", "unique-ids", "broadcast", "g-counter", "kafka"] as const;

export function createWorkload(name: string, opts: WorkloadOptions): Workload {
  switch (name) {
    case "echo":
      return echoWorkload(opts);
    case "unique-ids":
      return uniqueIdsWorkload();
    case "broadcast":
      return broadcastWorkload(opts);
    case "g-counter":
      return gCounterWorkload(opts);
    case "kafka":
      return kafkaWorkload(opts);
    default:
      throw new Error(`unknown workload ${JSON.stringify(name)}; the workloads are ${WORKLOADS.join(", ")}`);
  }
}
