import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

// One run's timeline: node output and lifecycle events, one JSON object per
// line, read back by `clstr logs`. Node "**" is the cluster itself.

export const CLUSTER = "**";

export type LogEntry =
  | { t: number; node: string; msg: string }
  | { t: number; node: string; event: string };

/** Wall-clock milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export class EventLog {
  private readonly out: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: "w" });
  }

  output(node: string, msg: string, t = now()): void {
    this.out.write(JSON.stringify({ t, node, msg }) + "\n");
  }

  event(node: string, event: string, t = now()): void {
    this.out.write(JSON.stringify({ t, node, event }) + "\n");
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
