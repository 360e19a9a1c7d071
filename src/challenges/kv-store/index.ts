import { fileURLToPath } from "node:url";
import { sourcePath } from "../../util/packageRoot.js";
import type { Challenge } from "../types.js";

const suiteOf = (load: () => Promise<{ default: import("../../attest/suite.js").Suite }>) => async () =>
  (await load()).default;

export const kvStore: Challenge = {
  key: "kv-store",
  name: "Distributed Key-Value Store",
  summary: "Build a distributed key-value store from scratch using the Raft consensus algorithm.",
  family: "http",
  docsDir: sourcePath(fileURLToPath(new URL(".", import.meta.url))),
  stages: [
    { key: "http-api", name: "Store and Retrieve Data", kind: "suite", load: suiteOf(() => import("./httpApi.js")) },
    { key: "persistence", name: "Data Survives SIGTERM", kind: "suite", load: suiteOf(() => import("./persistence.js")) },
    { key: "crash-recovery", name: "Data Survives SIGKILL", kind: "suite", load: suiteOf(() => import("./crashRecovery.js")) },
    { key: "leader-election", name: "Cluster Elects and Maintains Leader", kind: "suite", load: suiteOf(() => import("./leaderElection.js")) },
    { key: "log-replication", name: "Data Replicates to All Nodes", kind: "suite", load: suiteOf(() => import("./logReplication.js")) },
    { key: "log-compaction", name: "System Manages Log Growth", kind: "suite", load: suiteOf(() => import("./logCompaction.js")) },
    { key: "membership-changes", name: "Add and Remove Nodes One at a Time", kind: "suite", load: suiteOf(() => import("./membershipChanges.js")) },
    { key: "joint-consensus", name: "Add and Remove Nodes in Bulk", kind: "suite", load: suiteOf(() => import("./jointConsensus.js")) },
  ],
};
