import { createWriteStream, type WriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { ProcessGroup } from "../runtimes/local/processSpawner.js";
import type { Reaper } from "../runtimes/local/reaperClient.js";
import { parseMessage, type Message } from "./protocol.js";

const KEPT_LINES = 20;

/** Something a node did that breaks the protocol: the run stops and says what and where. */
export interface ProtocolViolation {
  node: string;
  /** What went wrong, in a sentence. */
  problem: string;
  /** The offending line, when there is one. */
  line?: string;
  /** The node's last stderr lines. */
  stderr: string[];
}

export interface NodeProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** The node's stderr goes here (its log). */
  logFile: string;
  /** A message the node printed; `at` is `clock()` as the chunk it came in was read (when there is a clock). */
  onMessage: (message: Message, at?: number) => void;
  /** The test's clock, read once per chunk read from the node. */
  clock?: () => number;
  onViolation: (v: ProtocolViolation) => void;
  onStderr?: (line: string) => void;
  /** Kills the node's process group if the harness dies without stopping it. */
  reaper: Reaper;
}

/**
 * One Maelstrom node: the learner's binary, unchanged. Messages in on stdin,
 * messages out on stdout, one JSON object per line; stderr is its log.
 */
export class MaelstromProcess {
  readonly name: string;
  private readonly group: ProcessGroup;
  private readonly log: WriteStream;
  private readonly recentErr: string[] = [];
  private stopping = false;
  /** Stdout read so far after its last newline. */
  private partial = "";
  /** Lines for stdin not yet written: one write per event-loop turn. */
  private outbox = "";
  private flushQueued = false;
  readonly exited: Promise<void>;

  constructor(private readonly opts: NodeProcessOptions) {
    this.name = opts.name;
    this.log = createWriteStream(opts.logFile);
    this.group = new ProcessGroup({
      file: opts.command,
      args: opts.args,
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
      reaper: opts.reaper,
    });
    const child = this.group.child;
    child.stdin!.on("error", () => {}); // a node that died; reported by its exit
    // Chunked reads: lines are cut out of each chunk as it comes (the last, partial one waits for the next).
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.onChunk(chunk));
    child.stdout!.on("end", () => {
      this.chunkAt = opts.clock?.();
      if (this.partial !== "") this.onLine(this.partial);
      this.partial = "";
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      this.recentErr.push(line);
      if (this.recentErr.length > KEPT_LINES) this.recentErr.shift();
      this.log.write(line + "\n");
      opts.onStderr?.(line);
    });
    // Closed, not just exited: every line the node wrote has been read by then.
    this.exited = this.group.closed.then((end) => {
      if (end.kind === "failed") {
        this.violation(`could not be started (${end.error.code ?? end.error.message}); check the command given as --bin (or as run: in clstr.yaml)`);
      } else if (!this.stopping) {
        this.violation(`exited on its own (${end.signal ?? `exit code ${end.code}`}) while the test was running`);
      }
    });
  }

  get pid(): number | undefined {
    return this.group.pgid;
  }

  deliver(message: Message): void {
    if (this.stopping) return;
    this.outbox += JSON.stringify(message) + "\n";
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flush);
    }
  }

  /** Writes what the turn delivered in one write. */
  private readonly flush = (): void => {
    this.flushQueued = false;
    const text = this.outbox;
    this.outbox = "";
    if (this.stopping || text === "") return;
    this.group.child.stdin!.write(text);
  };

  /**
   * Ends the node: SIGTERM to its process group from the leaves up (so a shell
   * reaps the node it started), SIGKILL to what lingers after `graceMs`.
   */
  async stop(graceMs = 1000): Promise<void> {
    this.stopping = true;
    await this.group.stop("SIGTERM", graceMs);
    await this.exited;
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** When the chunk being cut into lines was read (`clock()`), or undefined. */
  private chunkAt: number | undefined;

  private onChunk(chunk: string): void {
    this.chunkAt = this.opts.clock?.();
    let start = 0;
    let nl = chunk.indexOf("\n");
    if (nl === -1) {
      this.partial += chunk;
      return;
    }
    if (this.partial !== "") {
      const first = this.partial + chunk.slice(0, nl);
      this.partial = "";
      this.onLine(first);
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    while (nl !== -1) {
      this.onLine(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf("\n", start);
    }
    if (start < chunk.length) this.partial = chunk.slice(start);
  }

  private onLine(line: string): void {
    if (this.stopping) return;
    // A line that starts with "{" is not blank; anything else may be (blank lines are skipped).
    if (line.charCodeAt(0) !== 123 && line.trim() === "") return;
    const message = parseMessage(line);
    if (typeof message === "string") {
      this.violation(`printed a line on stdout that is not a Maelstrom message (${message}); stdout is for messages only, write logs to stderr`, line);
      return;
    }
    if (message.src !== this.name) {
      this.violation(`sent a message with "src": ${JSON.stringify(message.src)}; a node's messages must come from its own id, ${JSON.stringify(this.name)}`, line);
      return;
    }
    this.opts.onMessage(message, this.chunkAt);
  }

  private violation(problem: string, line?: string): void {
    this.opts.onViolation({ node: this.name, problem, ...(line !== undefined ? { line } : {}), stderr: [...this.recentErr] });
  }
}
