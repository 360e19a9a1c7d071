// What the harness needs from a place that runs nodes: processes on this
// machine, processes in network namespaces, or Docker containers.

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
  output(node: string, line: string): void;
  /** The node's process ended without the harness asking it to. */
  crashed(node: string, exit: NodeExit): void;
}

/** Network faults a runtime can inject between its nodes. */
export interface NetworkFaults {
  /** For the run header: which mechanism does what. */
  readonly description: string;
  /** Drops all traffic between `node` and each address in `peers`, both ways. */
  cut(node: string, peers: readonly string[]): Promise<void>;
  /** Loses a share (0..1) of the node's outgoing packets. */
  lose(node: string, share: number): Promise<void>;
  /** Removes every rule from the node. */
  clear(node: string): Promise<void>;
}

export interface Runtime {
  /** One line for the run header: which runtime, where nodes live. */
  readonly description: string;
  /** Absent where this runtime cannot inject network faults. */
  readonly faults: NetworkFaults | undefined;
  /** Prepares everything nodes need (a build step, an image). */
  build(): Promise<void>;
  createNodes(names: readonly string[], events: RuntimeEvents): Promise<RuntimeNode[]>;
  /** Stops every node and removes everything the run created. Idempotent. */
  close(): Promise<void>;
}

/** A problem the learner can fix; shown as one sentence (and its details). */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly details?: string,
  ) {
    super(message);
    this.name = "RuntimeError";
  }
}
