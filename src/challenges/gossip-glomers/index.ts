import { fileURLToPath } from "node:url";
import { sourcePath } from "../../util/packageRoot.js";
import type { Challenge } from "../types.js";

// The Gossip Glomers series (fly.io/dist-sys) as staged challenges, each stage
// running the exact Maelstrom test of its challenge page on our engine.
export const gossipGlomers: Challenge = {
  key: "gossip-glomers",
  name: "Gossip Glomers",
  summary: "Maelstrom-protocol nodes, from echo to a Kafka-style log and totally-available transactions: the fly.io distributed-systems challenges with staged verdicts.",
  family: "maelstrom",
  docsDir: sourcePath(fileURLToPath(new URL(".", import.meta.url))),
  stages: [
    { key: "echo", name: "Echo", kind: "maelstrom", tests: [{ workload: "echo", nodeCount: 1, timeLimitS: 10, rate: 5 }] },
    {
      key: "unique-ids",
      name: "Unique ID Generation",
      kind: "maelstrom",
      tests: [{ workload: "unique-ids", nodeCount: 3, timeLimitS: 30, rate: 1000, availability: "total", nemesis: "partition" }],
    },
    { key: "single-node-broadcast", name: "Single-Node Broadcast", kind: "maelstrom", tests: [{ workload: "broadcast", nodeCount: 1, timeLimitS: 20, rate: 10 }] },
    { key: "multi-node-broadcast", name: "Multi-Node Broadcast", kind: "maelstrom", tests: [{ workload: "broadcast", nodeCount: 5, timeLimitS: 20, rate: 10 }] },
    {
      key: "fault-tolerant-broadcast",
      name: "Fault-Tolerant Broadcast",
      kind: "maelstrom",
      tests: [{ workload: "broadcast", nodeCount: 5, timeLimitS: 20, rate: 10, nemesis: "partition" }],
    },
    {
      key: "efficient-broadcast-1",
      name: "Efficient Broadcast, Part I",
      kind: "maelstrom",
      tests: [
        {
          workload: "broadcast",
          nodeCount: 25,
          timeLimitS: 20,
          rate: 100,
          latencyMs: 100,
          thresholds: { msgsPerOp: 30, medianLatencyMs: 400, maxLatencyMs: 600 },
        },
      ],
    },
    {
      key: "efficient-broadcast-2",
      name: "Efficient Broadcast, Part II",
      kind: "maelstrom",
      tests: [
        {
          workload: "broadcast",
          nodeCount: 25,
          timeLimitS: 20,
          rate: 100,
          latencyMs: 100,
          thresholds: { msgsPerOp: 20, medianLatencyMs: 1000, maxLatencyMs: 2000 },
        },
      ],
    },
    {
      key: "g-counter",
      name: "Grow-Only Counter",
      kind: "maelstrom",
      tests: [{ workload: "g-counter", nodeCount: 3, timeLimitS: 20, rate: 100, nemesis: "partition" }],
    },
    {
      key: "single-node-kafka",
      name: "Single-Node Kafka-Style Log",
      kind: "maelstrom",
      tests: [{ workload: "kafka", nodeCount: 1, timeLimitS: 20, rate: 1000, concurrency: "2n" }],
    },
    {
      key: "multi-node-kafka",
      name: "Multi-Node Kafka-Style Log",
      kind: "maelstrom",
      tests: [{ workload: "kafka", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n" }],
    },
    {
      key: "efficient-kafka",
      name: "Efficient Kafka-Style Log",
      kind: "maelstrom",
      tests: [{ workload: "kafka", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n" }],
    },
    {
      key: "single-node-transactions",
      name: "Single-Node, Totally-Available Transactions",
      kind: "maelstrom",
      tests: [{ workload: "txn-rw-register", nodeCount: 1, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total" }],
    },
    {
      key: "read-uncommitted-transactions",
      name: "Totally-Available, Read Uncommitted Transactions",
      kind: "maelstrom",
      // The challenge page runs the test twice: on a healthy network, then with partitions.
      tests: [
        { label: "without partitions", workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total" },
        { label: "with partitions", workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-uncommitted", availability: "total", nemesis: "partition" },
      ],
    },
    {
      key: "read-committed-transactions",
      name: "Totally-Available, Read Committed Transactions",
      kind: "maelstrom",
      tests: [{ workload: "txn-rw-register", nodeCount: 2, timeLimitS: 20, rate: 1000, concurrency: "2n", consistencyModels: "read-committed", availability: "total", nemesis: "partition" }],
    },
  ],
};
