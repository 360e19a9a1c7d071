// What the harness needs from a place that runs nodes: processes on this
// machine, processes in network namespaces, or Docker containers.

import type { FaultKind, FaultMechanism, NetworkFaults } from "../faults/mechanisms.js";

export interface NodeExit {
  code: number | null;
  signal: string | null;
  /** Wall-clock ms. */
  at: number;
}

export interface RuntimeNode {
  readonly name: string;
  /** The node's own address as its peers see it (the ADDR it is given). */
  readonly address: string;
  /** Base URL through which the harness reaches the node's port 8080. */
  readonly url: string;
  /** When set, the harness connects through this unix socket instead of to `url`'s host. */
  readonly socketPath: string | undefined;
  readonly running: boolean;
  /** Set when the node's process ended on its own, cleared on start. */
  readonly crashed: NodeExit | undefined;
  /** Spawns the node; readiness is the harness's business. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL once `graceMs` has passed. */
  stop(graceMs: number): Promise<void>;
  /** SIGKILL, no grace. */
  kill(): Promise<void>;
  /** Resolves true once the process has exited, false after `ms` if it has not. */
  exitWithin(ms: number): Promise<boolean>;
  /** The last lines the node printed (stdout and stderr). */
  recentOutput(): string[];
}

export interface RuntimeEvents {
  /** A line the node printed; `at` (wall-clock ms) when the runtime knows when it was printed. */
  output(node: string, line: string, at?: number): void;
  /** The node's process ended without the harness asking it to. */
  crashed(node: string, exit: NodeExit): void;
}

export interface Runtime {
  /** One line for the run header: which runtime, where nodes live. */
  readonly description: string;
  /** Absent where this runtime cannot inject network faults. */
  readonly faults: NetworkFaults | undefined;
  /** Which mechanism would inject each kind of fault, known before any node starts. */
  readonly faultMechanisms: Readonly<Record<FaultKind, FaultMechanism>>;
  /** Prepares everything nodes need (a build step, an image). */
  build(): Promise<void>;
  /**
   * Creates every node of a stage, none started: `names` in order (their
   * addresses follow it), of which `members` form the cluster. The others
   * are spares, which a test starts to have them join (see `joinEnv`).
   */
  createNodes(names: readonly string[], events: RuntimeEvents, members: readonly string[]): Promise<RuntimeNode[]>;
  /** Stops every node and removes everything the run created. Idempotent. */
  close(): Promise<void>;
}

/** What a node is told about the cluster at start: PEERS, and JOIN for a spare. */
export interface ClusterEnv {
  peers: string[];
  join: boolean;
}

/**
 * A member's PEERS are the other members' addresses, never a spare's (a
 * spare is not in the configuration until it joins); a spare knows nobody
 * and starts with JOIN=true, to be told whom to join.
 */
export function clusterEnv(names: readonly string[], addresses: readonly string[], members: readonly string[], index: number): ClusterEnv {
  if (!members.includes(names[index]!)) return { peers: [], join: true };
  return { peers: addresses.filter((_, j) => j !== index && members.includes(names[j]!)), join: false };
}
