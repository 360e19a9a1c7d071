import type { Endpoint, Network } from "./network.js";
import type { Body, Message } from "./protocol.js";

interface Pending {
  client: string;
  resolve: (b: Body | undefined) => void;
}

/**
 * Request and reply for the harness's clients: each request gets a msg_id,
 * and the reply naming it (or nothing, after the timeout) settles its promise.
 * Requests with the usual timeout expire in the order they were sent, so they
 * wait in a FIFO with one timer for the oldest, not one timer entry each.
 */
export class ClientCalls {
  private readonly pending = new Map<number, Pending>();
  private msgIds = 0;
  /** Deadlines of requests with the usual timeout, oldest first (from `head`). */
  private deadlines: { at: number; msgId: number }[] = [];
  private head = 0;
  private armed = false;

  constructor(
    private readonly net: Network,
    private readonly timeoutMs: number,
  ) {}

  /** The endpoint a client receives replies on. */
  endpoint(client: string): Endpoint {
    return {
      deliver: (message: Message) => {
        const msgId = message.body.in_reply_to;
        if (msgId === undefined) return;
        const p = this.pending.get(msgId);
        if (p && p.client === client) {
          this.pending.delete(msgId);
          p.resolve(message.body);
        }
      },
    };
  }

  /** Sends a request from a client to a node; resolves with the reply's body, or undefined if none came in time. */
  call(client: string, node: string, body: Body, ms = this.timeoutMs): Promise<Body | undefined> {
    const msgId = ++this.msgIds;
    return new Promise((resolve) => {
      this.pending.set(msgId, { client, resolve });
      if (ms === this.timeoutMs) {
        this.deadlines.push({ at: this.net.now() + ms, msgId });
        if (!this.armed) this.arm();
      } else {
        this.net.after(ms, () => this.expire(msgId));
      }
      this.net.send({ src: client, dest: node, body: { ...body, msg_id: msgId } });
    });
  }

  /** Settles every request still waiting, with no reply (the run is over). */
  abandon(): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.resolve(undefined);
  }

  private expire(msgId: number): void {
    const p = this.pending.get(msgId);
    if (p) {
      this.pending.delete(msgId);
      p.resolve(undefined);
    }
  }

  private arm(): void {
    const first = this.deadlines[this.head];
    if (!first) return;
    this.armed = true;
    this.net.after(first.at - this.net.now(), this.check);
  }

  private readonly check = (): void => {
    this.armed = false;
    const now = this.net.now();
    const d = this.deadlines;
    while (this.head < d.length && d[this.head]!.at <= now + 0.5) this.expire(d[this.head++]!.msgId);
    if (this.head > 4096 && this.head * 2 > d.length) {
      this.deadlines = d.slice(this.head);
      this.head = 0;
    }
    this.arm();
  };
}

export interface DriveOptions {
  clients: readonly string[];
  /** Operations per second, all clients together. */
  rate: number;
  /** When to stop starting operations (on `clock`). */
  endAt: number;
  clock: () => number;
  /** Runs `fn` after `ms` (the network's timer queue). */
  after: (ms: number, fn: () => void) => void;
  /** Runs one operation on a client; the client is free again when it settles. */
  start: (client: string) => Promise<unknown>;
}

/**
 * Drives clients at a rate: free clients wait in a queue; one timer waits for
 * the next permitted start, and a completing operation wakes the loop when
 * every client was busy. Starts that fell due while every client was busy are
 * skipped, as a closed system would. Resolves when the time is up and every
 * operation has settled; rejects with the first operation that throws.
 */
export class ClientDriver {
  private readonly free: string[];
  private head = 0;
  private inflight = 0;
  private next: number;
  private readonly interval: number;
  private timerArmed = false;
  private ended = false;
  private stopped = false;
  private blocked = false;
  private settle!: (err?: unknown) => void;
  readonly done: Promise<void>;

  constructor(private readonly opts: DriveOptions) {
    this.free = [...opts.clients];
    this.interval = 1000 / Math.max(0.001, opts.rate);
    this.next = opts.clock();
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    this.done.catch(() => {}); // whoever awaits `done` sees the error; it is not unhandled meanwhile
    this.pump();
  }

  /** Starts nothing more (the run is over); operations in flight finish on their own. */
  stop(): void {
    this.stopped = true;
  }

  private get freeCount(): number {
    return this.free.length - this.head;
  }

  private readonly onTimer = (): void => {
    this.timerArmed = false;
    this.pump();
  };

  private pump(): void {
    if (this.stopped || this.ended) return;
    const { clock, endAt } = this.opts;
    let now = clock();
    if (this.blocked) {
      // Starts due while every client was busy are skipped.
      this.blocked = false;
      if (this.next < now) this.next += Math.floor((now - this.next) / this.interval) * this.interval;
    }
    for (;;) {
      if (now >= endAt) {
        this.ended = true;
        if (this.inflight === 0) this.settle();
        return;
      }
      if (this.freeCount === 0) {
        this.blocked = true; // a completion wakes the loop
        return;
      }
      if (this.next > now) {
        if (!this.timerArmed) {
          this.timerArmed = true;
          this.opts.after(Math.min(this.next, endAt) - now, this.onTimer);
        }
        return;
      }
      const client = this.take();
      this.next += this.interval;
      this.inflight++;
      this.opts.start(client).then(
        () => this.finished(client),
        (err) => {
          this.ended = true;
          this.settle(err);
          this.finished(client);
        },
      );
      now = clock();
    }
  }

  private finished(client: string): void {
    this.inflight--;
    this.free.push(client);
    if (this.ended) {
      if (this.inflight === 0) this.settle();
      return;
    }
    if (!this.timerArmed) this.pump();
  }

  private take(): string {
    const client = this.free[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.free.length) {
      this.free.splice(0, this.head);
      this.head = 0;
    }
    return client;
  }
}
