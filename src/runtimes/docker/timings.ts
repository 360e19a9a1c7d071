import { writeFileSync } from "node:fs";

// Where a Docker run's time goes, per stage: for `scripts/bench-runtimes.mjs`.
// Set CLSTR_DOCKER_TIMINGS to a file path and the runtime writes its spans
// and docker CLI invocations there (JSON) when it closes; unset, nothing is
// written and recording costs a few array pushes.

export const TIMINGS_ENV = "CLSTR_DOCKER_TIMINGS";

export type Phase =
  /** `docker info` and the kernel's fault capabilities. */
  | "engine"
  /** `docker build`. */
  | "build"
  /** Finding and removing what an earlier run left behind. */
  | "leftovers"
  /** Creating the network. */
  | "network"
  /** A node's first start in a stage (its container created and started). */
  | "start"
  /** A stop or kill and the start after it, during a test. */
  | "restart"
  /** A stop or kill with no start after it in the stage: the stage's shutdown. */
  | "shutdown"
  /** Removing containers and volumes (and at close, the network). */
  | "cleanup";

export interface Span {
  phase: Phase;
  /** Wall-clock ms, on the same clock as the run's event log. */
  start: number;
  end: number;
  node?: string;
}

export interface StageTimings {
  stage: number;
  spans: Span[];
  /** docker CLI invocations by command ("run", "network create", ...). */
  calls: Record<string, number>;
}

/** Wall-clock milliseconds with sub-millisecond precision (as the event log). */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Records spans and docker invocations per stage; a stage begins where its nodes are created. */
export class DockerTimings {
  private readonly stages: StageTimings[] = [{ stage: 1, spans: [], calls: {} }];
  private stagesBegun = 0;
  /** Per node, its last stop or kill in this stage, until we know whether a start follows. */
  private readonly halts = new Map<string, Span>();

  private get current(): StageTimings {
    return this.stages[this.stages.length - 1]!;
  }

  /** The nodes of a new stage are being created: what follows belongs to it. */
  beginStage(): void {
    this.stagesBegun += 1;
    if (this.stagesBegun === 1) return;
    this.halts.clear();
    this.stages.push({ stage: this.stages.length + 1, spans: [], calls: {} });
  }

  async time<T>(phase: Phase, work: () => Promise<T>, node?: string): Promise<T> {
    const span: Span = { phase, start: now(), end: 0, ...(node ? { node } : {}) };
    try {
      return await work();
    } finally {
      span.end = now();
      this.current.spans.push(span);
    }
  }

  /** A node's stop or kill: part of a restart if the node starts again in this stage, else of the shutdown. */
  async halt<T>(node: string, work: () => Promise<T>): Promise<T> {
    const span: Span = { phase: "shutdown", start: now(), end: 0, node };
    this.halts.set(node, span);
    try {
      return await work();
    } finally {
      span.end = now();
      this.current.spans.push(span);
    }
  }

  /** A node starting again after a stop or kill. */
  restart<T>(node: string, work: () => Promise<T>): Promise<T> {
    const halt = this.halts.get(node);
    if (halt) halt.phase = "restart";
    this.halts.delete(node);
    return this.time("restart", work, node);
  }

  /** Counts one docker CLI invocation. */
  call(args: readonly string[]): void {
    const command = ["network", "volume", "image", "container"].includes(args[0] ?? "") ? args.slice(0, 2).join(" ") : (args[0] ?? "");
    const calls = this.current.calls;
    calls[command] = (calls[command] ?? 0) + 1;
  }

  /** Writes everything to the file named by CLSTR_DOCKER_TIMINGS, when set. */
  write(): void {
    const path = process.env[TIMINGS_ENV];
    if (!path) return;
    writeFileSync(path, JSON.stringify({ stages: this.stages }, null, 1));
  }
}
