// A small library for writing Maelstrom nodes in TypeScript.
//
// A Maelstrom node is a process that reads JSON messages from stdin, one per
// line, and writes JSON messages to stdout, one per line:
//
//   {"src": "c1", "dest": "n1", "body": {"type": "echo", "msg_id": 1, "echo": "hi"}}
//
// stderr is the node's log: anything else printed on stdout breaks the protocol.
//
// Usage:
//
//   const node = new MaelstromNode();
//   node.handle("echo", async (msg) => node.reply(msg, { type: "echo_ok", echo: msg.body.echo }));
//   await node.run();

import { createInterface } from "node:readline";

/** A message body: a `type`, optional ids, and the workload's own fields. */
export interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

/** One message on the wire. */
export interface Message<B extends Body = Body> {
  src: string;
  dest: string;
  body: B;
}

/** Maelstrom's error codes. */
export const ErrorCode = {
  Timeout: 0,
  NodeNotFound: 1,
  NotSupported: 10,
  TemporarilyUnavailable: 11,
  MalformedRequest: 12,
  Crash: 13,
  Abort: 14,
  KeyDoesNotExist: 20,
  KeyAlreadyExists: 21,
  PreconditionFailed: 22,
  TxnConflict: 30,
} as const;

/**
 * An error reply. Throw one from a handler to answer the request with
 * `{type: "error", code, text}`; `rpc()` rejects with one when the other side
 * answers with an error, or with code 0 (timeout) when it does not answer.
 */
export class RPCError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(`RPC error ${code}: ${text}`);
    this.name = "RPCError";
  }

  /** The error as a reply body. */
  toBody(): Body {
    return { type: "error", code: this.code, text: this.text };
  }
}

/** Handles one request; the promise settles when the handler is done. */
export type Handler = (msg: Message) => Promise<void> | void;

export interface RpcOptions {
  /** How long to wait for the reply before rejecting with RPCError code 0. Default 1000 ms. */
  timeoutMs?: number;
}

export interface RetryOptions extends RpcOptions {
  /** Give up (rethrow the last error) once this much time has passed. Default: never. */
  deadlineMs?: number;
  /** First wait between attempts; doubles after each failure. Default 50 ms. */
  minBackoffMs?: number;
  /** Longest wait between attempts. Default 1000 ms. */
  maxBackoffMs?: number;
  /** Which errors are worth another try. Default: timeouts (0), crash (13) and temporarily-unavailable (11). */
  retryable?: (err: RPCError) => boolean;
}

const RETRYABLE: ReadonlySet<number> = new Set([ErrorCode.Timeout, ErrorCode.TemporarilyUnavailable, ErrorCode.Crash]);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Pending {
  resolve: (body: Body) => void;
  reject: (err: RPCError) => void;
  timer: NodeJS.Timeout;
}

export class MaelstromNode {
  /** This node's id, e.g. "n1"; set by the init message. */
  id = "";
  /** Every node in the cluster, this one included; set by the init message. */
  nodeIds: string[] = [];
  /** Resolves once init has been answered (id and nodeIds are set). */
  readonly initialized: Promise<void>;

  private markInitialized!: () => void;
  private nextMsgId = 1;
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.initialized = new Promise((resolve) => (this.markInitialized = resolve));
  }

  /** The other nodes of the cluster. */
  get peers(): string[] {
    return this.nodeIds.filter((n) => n !== this.id);
  }

  /** Registers the handler for requests of this `type`. */
  handle(type: string, handler: Handler): this {
    this.handlers.set(type, handler);
    return this;
  }

  /** Sends a message, fire and forget. Every message gets a fresh msg_id. */
  send(dest: string, body: Body): void {
    const message: Message = { src: this.id, dest, body: { ...body, msg_id: this.nextMsgId++ } };
    process.stdout.write(JSON.stringify(message) + "\n");
  }

  /** Answers a request: `body` goes back to its sender with in_reply_to set. */
  reply(req: Message, body: Body): void {
    this.send(req.src, { ...body, in_reply_to: req.body.msg_id });
  }

  /**
   * Sends a request and waits for its reply body. Rejects with an RPCError
   * when the reply is an error, or with code 0 after `timeoutMs`.
   */
  rpc(dest: string, body: Body, { timeoutMs = 1000 }: RpcOptions = {}): Promise<Body> {
    const msgId = this.nextMsgId++;
    return new Promise<Body>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        reject(new RPCError(ErrorCode.Timeout, `no reply from ${dest} to ${body.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(msgId, { resolve, reject, timer });
      const message: Message = { src: this.id, dest, body: { ...body, msg_id: msgId } };
      process.stdout.write(JSON.stringify(message) + "\n");
    });
  }

  /**
   * `rpc()` again and again, with exponential backoff, until it succeeds, it
   * fails with an error that is not worth retrying, or `deadlineMs` has passed.
   */
  async retryRpc(dest: string, body: Body, opts: RetryOptions = {}): Promise<Body> {
    const { deadlineMs = Infinity, minBackoffMs = 50, maxBackoffMs = 1000 } = opts;
    const retryable = opts.retryable ?? ((err: RPCError) => RETRYABLE.has(err.code));
    const giveUpAt = Date.now() + deadlineMs;
    let backoff = minBackoffMs;
    for (;;) {
      try {
        return await this.rpc(dest, body, opts);
      } catch (err) {
        if (!(err instanceof RPCError) || !retryable(err) || Date.now() + backoff >= giveUpAt) throw err;
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, maxBackoffMs);
    }
  }

  /** Runs `fn` every `ms` once the node is initialized; one run at a time. */
  every(ms: number, fn: () => Promise<void> | void): void {
    void this.initialized.then(() => {
      let running = false;
      setInterval(() => {
        if (running) return;
        running = true;
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) => this.log("periodic task failed:", err))
          .finally(() => (running = false));
      }, ms);
    });
  }

  /** Writes a line to stderr, the node's log. */
  log(...parts: unknown[]): void {
    const text = parts.map((p) => (typeof p === "string" ? p : p instanceof Error ? (p.stack ?? p.message) : JSON.stringify(p))).join(" ");
    process.stderr.write(text + "\n");
  }

  /** Reads messages from stdin until it closes. Handles init by itself. */
  async run(): Promise<void> {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      let msg: Message;
      try {
        msg = JSON.parse(line) as Message;
      } catch {
        this.log("ignoring a line that is not JSON:", line);
        continue;
      }
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    const body = msg.body;
    if (body.in_reply_to !== undefined) {
      // A reply: hand it to the rpc() waiting for it (late replies are dropped).
      const waiting = this.pending.get(body.in_reply_to);
      if (!waiting) return;
      this.pending.delete(body.in_reply_to);
      clearTimeout(waiting.timer);
      if (body.type === "error") waiting.reject(new RPCError(Number(body.code), String(body.text ?? "")));
      else waiting.resolve(body);
      return;
    }
    if (body.type === "init") return this.init(msg);
    const handler = this.handlers.get(body.type);
    if (!handler) {
      this.reply(msg, new RPCError(ErrorCode.NotSupported, `unsupported message type ${JSON.stringify(body.type)}`).toBody());
      return;
    }
    // Handlers run concurrently: one waiting on an rpc() does not block the others.
    void (async () => {
      try {
        await handler(msg);
      } catch (err) {
        if (err instanceof RPCError) return this.reply(msg, err.toBody());
        this.log(`handler for ${body.type} crashed:`, err);
        this.reply(msg, new RPCError(ErrorCode.Crash, String(err instanceof Error ? err.message : err)).toBody());
      }
    })();
  }

  private init(msg: Message): void {
    this.id = String(msg.body.node_id);
    this.nodeIds = (msg.body.node_ids as string[] | undefined) ?? [this.id];
    this.reply(msg, { type: "init_ok" });
    this.markInitialized();
  }
}

/** A client for Maelstrom's key-value services: "lin-kv", "seq-kv" or "lww-kv". */
export class KV {
  constructor(
    private readonly node: MaelstromNode,
    readonly service: string,
    private readonly opts: RpcOptions = {},
  ) {}

  /** The key's value; rejects with RPCError 20 when there is none. */
  async read<T = unknown>(key: string | number): Promise<T> {
    const reply = await this.node.rpc(this.service, { type: "read", key }, this.opts);
    return reply.value as T;
  }

  /** The key's value, or `fallback` when the key does not exist. */
  async readOr<T>(key: string | number, fallback: T): Promise<T> {
    try {
      return await this.read<T>(key);
    } catch (err) {
      if (err instanceof RPCError && err.code === ErrorCode.KeyDoesNotExist) return fallback;
      throw err;
    }
  }

  async write(key: string | number, value: unknown): Promise<void> {
    await this.node.rpc(this.service, { type: "write", key, value }, this.opts);
  }

  /**
   * Sets the key to `to` if it is `from`; rejects with RPCError 22 if it is
   * not, or 20 if it does not exist (unless `createIfNotExists`, which then
   * creates it with `to`).
   */
  async cas(key: string | number, from: unknown, to: unknown, createIfNotExists = false): Promise<void> {
    await this.node.rpc(this.service, { type: "cas", key, from, to, create_if_not_exists: createIfNotExists }, this.opts);
  }
}

/** A client for "lin-tso", the linearizable timestamp oracle. */
export class TSO {
  constructor(
    private readonly node: MaelstromNode,
    private readonly opts: RpcOptions = {},
  ) {}

  /** A timestamp greater than any handed out before. */
  async ts(): Promise<number> {
    const reply = await this.node.rpc("lin-tso", { type: "ts" }, this.opts);
    return Number(reply.ts);
  }
}
