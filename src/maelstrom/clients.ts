import type { Endpoint, Network } from "./network.js";
import { withMsgId, type Body, type Message } from "./protocol.js";
import { SLACK_MS } from "./scheduler.js";

/** Settles a request: with the reply's body, or undefined when none came in time. */
export type OnReply = (reply: Body | undefined) => void;

/** Whoever waits for a request's reply (an object with a method: no closure per request). */
export interface Waiter {
  settle(reply: Body | undefined): void;
}

/** A client's requests waiting for replies: usually one (a client runs one operation at a time), a few in a final round. */
class ClientSlot {
  readonly ids: number[] = [];
  readonly waiters: Waiter[] = [];

  /** Takes the waiter of `msgId` out, if it waits here. */
  take(msgId: number): Waiter | undefined {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] !== msgId) continue;
      const w = this.waiters[i]!;
      const last = ids.length - 1;
      ids[i] = ids[last]!;
      this.waiters[i] = this.waiters[last]!;
      ids.pop();
      this.waiters.pop();
      return w;
    }
    return undefined;
  }
}

/**
 * Request and reply for the harness's clients: each request gets a msg_id,
 * and the reply naming it (or nothing, after the timeout) settles it.
 * Requests with the usual timeout expire in the order they were sent, so they
 * wait in a FIFO with one timer for the oldest, not one timer entry each.
 * Waiting requests are kept by client (no map entry per request).
 */
export class ClientCalls {
  private readonly slots = new Map<string, ClientSlot>();
  private msgIds = 0;
  /** Deadlines of requests with the usual timeout, oldest first (from `head`), as parallel arrays. */
  private deadlineAt: number[] = [];
  private deadlineId: number[] = [];
  private deadlineSlot: ClientSlot[] = [];
  private head = 0;
  private armed = false;

  constructor(
    private readonly net: Network,
    private readonly timeoutMs: number,
  ) {}

  /** The endpoint a client receives replies on. */
  endpoint(client: string): Endpoint {
    const slot = this.slot(client);
    return {
      deliver: (message: Message) => {
        const msgId = message.body.in_reply_to;
        if (msgId === undefined) return;
        slot.take(msgId)?.settle(message.body);
      },
    };
  }

  /** Sends a request from a client to a node; resolves with the reply's body, or undefined if none came in time. */
  call(client: string, node: string, body: Body, ms = this.timeoutMs): Promise<Body | undefined> {
    return new Promise((resolve) => this.request(client, node, body, { settle: resolve }, ms));
  }

  /**
   * `call` without a promise (the engine's hot path): `waiter.settle` gets the reply's body, or undefined if none came in time.
   * `now`, when given, is the network's clock as the caller just read it.
   */
  request(client: string, node: string, body: Body, waiter: Waiter, ms = this.timeoutMs, now = this.net.now()): void {
    const msgId = ++this.msgIds;
    const slot = this.slot(client);
    slot.ids.push(msgId);
    slot.waiters.push(waiter);
    if (ms === this.timeoutMs) {
      this.deadlineAt.push(now + ms);
      this.deadlineId.push(msgId);
      this.deadlineSlot.push(slot);
      if (!this.armed) this.arm();
    } else {
      this.expireLater(slot, msgId, ms);
    }
    this.net.send({ src: client, dest: node, body: withMsgId(body, msgId) }, now);
  }

  /** Settles every request still waiting, with no reply (the run is over). */
  abandon(): void {
    const waiting: Waiter[] = [];
    for (const slot of this.slots.values()) {
      waiting.push(...slot.waiters);
      slot.ids.length = 0;
      slot.waiters.length = 0;
    }
    for (const w of waiting) w.settle(undefined);
  }

  private slot(client: string): ClientSlot {
    let slot = this.slots.get(client);
    if (!slot) this.slots.set(client, (slot = new ClientSlot()));
    return slot;
  }

  /** A request with its own timeout: a timer of its own (a closure here, not in `request`, whose every call would pay for its context). */
  private expireLater(slot: ClientSlot, msgId: number, ms: number): void {
    this.net.after(ms, () => slot.take(msgId)?.settle(undefined));
  }

  private arm(): void {
    if (this.head >= this.deadlineAt.length) return;
    this.armed = true;
    this.net.after(this.deadlineAt[this.head]! - this.net.now(), this.check);
  }

  private readonly check = (): void => {
    this.armed = false;
    const now = this.net.now();
    const at = this.deadlineAt;
    while (this.head < at.length && at[this.head]! <= now + SLACK_MS) {
      const i = this.head++;
      this.deadlineSlot[i]!.take(this.deadlineId[i]!)?.settle(undefined);
    }
    if (this.head > 4096 && this.head * 2 > at.length) {
      this.deadlineAt = at.slice(this.head);
      this.deadlineId = this.deadlineId.slice(this.head);
      this.deadlineSlot = this.deadlineSlot.slice(this.head);
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
  /**
   * Runs one operation on a client; the client is free again when it calls
   * `done` (with an error: the run fails), or when the promise it returns settles.
   */
  start: (client: string, done: (err?: unknown) => void) => void | PromiseLike<unknown>;
}

/**
 * Drives clients at a rate: free clients wait in a queue; one timer waits for
 * the next permitted start, and a completing operation wakes the loop when
 * every client was busy. Starts that fell due while every client was busy are
 * skipped, as a closed system would. Resolves when the time is up and every
 * operation has settled; rejects with the first operation that throws.
 *
 * A start due within the timer queue's resolution (`SLACK_MS`) starts now,
 * and the timer waits only for one beyond it: a timer armed for a start a few
 * µs away would fire at once in the same firing, over and over, until the
 * clock got there (a spin that cost most of the engine's CPU at high rates).
 */
export class ClientDriver {
  private readonly free: string[];
  /** Each client's `done`, made once (not a closure per operation), and whether it runs an operation. */
  private readonly states = new Map<string, { busy: boolean; done: (err?: unknown) => void }>();
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
    for (const client of opts.clients) {
      const state = {
        busy: false,
        done: (err?: unknown): void => {
          if (!state.busy) return;
          state.busy = false;
          if (err !== undefined) {
            this.ended = true;
            this.settle(err);
          }
          this.finished(client);
        },
      };
      this.states.set(client, state);
    }
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
      if (this.next > now + SLACK_MS || this.next >= endAt) {
        if (!this.timerArmed) {
          this.timerArmed = true;
          // Beyond the resolution, so that it waits for a later firing (the end of the run may come up to that much late).
          this.opts.after(Math.max(Math.min(this.next, endAt) - now, SLACK_MS + 0.01), this.onTimer);
        }
        return;
      }
      const client = this.take();
      this.next += this.interval;
      this.inflight++;
      const state = this.states.get(client)!;
      state.busy = true;
      const done = state.done;
      let started: void | PromiseLike<unknown>;
      try {
        started = this.opts.start(client, done);
      } catch (err) {
        done(err ?? new Error("an operation threw"));
        return;
      }
      if (started && typeof started.then === "function") started.then(() => done(), (err: unknown) => done(err ?? new Error("an operation failed")));
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
