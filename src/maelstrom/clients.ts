import type { Endpoint, Network, Peer } from "./network.js";
import { withMsgId, type Body, type Message } from "./protocol.js";
import { SLACK_MS } from "./scheduler.js";

/** Settles a request: with the reply's body, or undefined when none came in time. */
export type OnReply = (reply: Body | undefined) => void;

/** Whoever waits for a request's reply (an object with a method: no closure per request). */
export interface Waiter {
  settle(reply: Body | undefined): void;
}

/**
 * A client's requests waiting for replies: usually one (a client runs one
 * operation at a time), a few in a final round. Also the client's handle for
 * `request` (its peer on the network, looked up once).
 */
export class ClientSlot {
  /** The client's peer on the network, once it has been added. */
  peer: Peer | undefined;
  readonly ids: number[] = [];
  readonly waiters: Waiter[] = [];

  constructor(readonly name: string) {}

  /** True while the request `msgId` waits here for its reply. */
  waits(msgId: number): boolean {
    const ids = this.ids;
    for (let i = 0; i < ids.length; i++) if (ids[i] === msgId) return true;
    return false;
  }

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

/** The smallest FIFO of request timeouts worth sifting for answered entries. */
const SIFT_MIN = 4096;

/**
 * Request and reply for the harness's clients: each request gets a msg_id,
 * and the reply naming it (or nothing, after the timeout) settles it.
 * Requests with the usual timeout expire in the order they were sent, so they
 * wait in a FIFO with one timer for the oldest, not one timer entry each.
 * Answered requests leave the FIFO's head as new ones come, so it holds about
 * the requests in flight, not every request of the last timeout; behind a
 * request that is never answered (a lost or partitioned node's), the answered
 * ones are sifted out whenever the FIFO has doubled since the last sifting.
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
  /** The FIFO's size (from `head`) at which the answered entries behind its head are next sifted out. */
  private siftAt = SIFT_MIN;

  constructor(
    private readonly net: Network,
    private readonly timeoutMs: number,
  ) {}

  /** Adds the client to the network, where it receives replies; its handle for `request`. */
  join(client: string): ClientSlot {
    const slot = this.slot(client);
    slot.peer = this.net.add(client, {
      deliver: (message: Message) => {
        const msgId = message.body.in_reply_to;
        if (msgId === undefined) return;
        slot.take(msgId)?.settle(message.body);
      },
    } satisfies Endpoint, "client");
    return slot;
  }

  /** Sends a request from a client to a node; resolves with the reply's body, or undefined if none came in time. */
  call(client: string, node: string, body: Body, ms = this.timeoutMs): Promise<Body | undefined> {
    return new Promise((resolve) => this.request(client, node, body, { settle: resolve }, ms));
  }

  /**
   * `call` without a promise (the engine's hot path): `waiter.settle` gets the reply's body, or undefined if none came in time.
   * `client` is the client's name or its handle (from `join`), `node` the node's name or its peer;
   * `now`, when given, is the network's clock as the caller just read it.
   */
  request(client: string | ClientSlot, node: string | Peer, body: Body, waiter: Waiter, ms = this.timeoutMs, now = this.net.now()): void {
    const msgId = ++this.msgIds;
    const slot = typeof client === "string" ? this.slot(client) : client;
    slot.ids.push(msgId);
    slot.waiters.push(waiter);
    if (ms === this.timeoutMs) {
      this.dropAnswered();
      this.deadlineAt.push(now + ms);
      this.deadlineId.push(msgId);
      this.deadlineSlot.push(slot);
      if (!this.armed) this.arm();
    } else {
      this.expireLater(slot, msgId, ms);
    }
    const to = typeof node === "string" ? this.net.peer(node) : node;
    const dest = typeof node === "string" ? node : node.name;
    const message: Message = { src: slot.name, dest, body: withMsgId(body, msgId) };
    if (slot.peer && to) this.net.sendBetween(slot.peer, to, message, now);
    else this.net.send(message, now);
  }

  /** Entries in the FIFO of requests with the usual timeout (answered ones not yet dropped included). */
  get deadlinesKept(): number {
    return this.deadlineAt.length - this.head;
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
    if (!slot) this.slots.set(client, (slot = new ClientSlot(client)));
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
    // The arrays are read afresh each time: a waiter told of its timeout may send a request, which may compact them.
    while (this.head < this.deadlineAt.length && this.deadlineAt[this.head]! <= now + SLACK_MS) {
      const i = this.head++;
      this.deadlineSlot[i]!.take(this.deadlineId[i]!)?.settle(undefined);
    }
    this.compact();
    if (!this.armed) this.arm();
  };

  /**
   * Moves the head past the requests that were answered (the timer, if armed,
   * then finds nothing due and waits for the new head), and sifts out those
   * behind a head that still waits once the FIFO has doubled since the last
   * sifting (amortized: each sifting costs about what was queued since).
   */
  private dropAnswered(): void {
    const n = this.deadlineAt.length;
    while (this.head < n && !this.deadlineSlot[this.head]!.waits(this.deadlineId[this.head]!)) this.head++;
    if (n - this.head >= this.siftAt) this.sift();
    this.compact();
  }

  /** Keeps only the entries whose request still waits, in order (deadlines stay sorted). */
  private sift(): void {
    const at: number[] = [];
    const ids: number[] = [];
    const slots: ClientSlot[] = [];
    for (let i = this.head; i < this.deadlineAt.length; i++) {
      const slot = this.deadlineSlot[i]!;
      if (!slot.waits(this.deadlineId[i]!)) continue;
      at.push(this.deadlineAt[i]!);
      ids.push(this.deadlineId[i]!);
      slots.push(slot);
    }
    this.deadlineAt = at;
    this.deadlineId = ids;
    this.deadlineSlot = slots;
    this.head = 0;
    this.siftAt = Math.max(SIFT_MIN, 2 * at.length);
  }

  /** Drops the entries before the head once they are most of the FIFO. */
  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.deadlineAt.length) return;
    this.deadlineAt = this.deadlineAt.slice(this.head);
    this.deadlineId = this.deadlineId.slice(this.head);
    this.deadlineSlot = this.deadlineSlot.slice(this.head);
    this.head = 0;
  }
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
   * Runs one operation on a client (`index` is its place in `clients`); the
   * client is free again when it calls `done` (with an error: the run fails),
   * or when the promise it returns settles.
   */
  start: (client: string, done: (err?: unknown) => void, index: number) => void | PromiseLike<unknown>;
}

/**
 * How far ahead of their due time starts may begin: the starts due within
 * this window begin together, in one turn. At a high rate that makes one
 * batch of requests per node per window (one write each, one event-loop turn
 * for all), not a turn for every few; at a low rate, where starts are further
 * apart than this, each still begins on time. An operation's latency is
 * measured from when it began, so beginning early changes no figure.
 */
export const START_WINDOW_MS = 4;

/**
 * Drives clients at a rate: free clients wait in a queue; one timer waits for
 * the next permitted start, and a completing operation wakes the loop when
 * every client was busy. Starts that fell due while every client was busy are
 * skipped, as a closed system would. Resolves when the time is up and every
 * operation has settled; rejects with the first operation that throws.
 *
 * The starts due within `START_WINDOW_MS` begin at once, and the timer waits
 * only for one beyond it: a timer armed for a start a few µs away would fire
 * at once in the same firing, over and over, until the clock got there (a
 * spin that once cost most of the engine's CPU at high rates).
 *
 * Clients are kept by their index (a queue of free ones, a flag and a `done`
 * for each): no map lookup and no closure per operation.
 */
export class ClientDriver {
  /** Free clients, by index, from `head`. */
  private free: number[];
  private readonly busy: boolean[];
  /** Each client's `done`, made once. */
  private readonly dones: ((err?: unknown) => void)[];
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
    this.free = opts.clients.map((_, i) => i);
    this.busy = opts.clients.map(() => false);
    this.dones = opts.clients.map((_, i) => (err?: unknown): void => {
      if (!this.busy[i]) return;
      this.busy[i] = false;
      if (err !== undefined) {
        this.ended = true;
        this.settle(err);
      }
      this.finished(i);
    });
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

  private readonly onTimer = (): void => {
    this.timerArmed = false;
    this.pump();
  };

  private pump(): void {
    if (this.stopped || this.ended) return;
    const { clock, endAt, clients, start } = this.opts;
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
      if (this.head === this.free.length) {
        this.blocked = true; // a completion wakes the loop
        return;
      }
      if (this.next > now + START_WINDOW_MS || this.next >= endAt) {
        if (!this.timerArmed) {
          this.timerArmed = true;
          // Beyond the window, so that it waits for a later firing (the end of the run may come up to that much late).
          this.opts.after(Math.max(Math.min(this.next, endAt) - now, START_WINDOW_MS + 0.01), this.onTimer);
        }
        return;
      }
      const i = this.take();
      this.next += this.interval;
      this.inflight++;
      this.busy[i] = true;
      const done = this.dones[i]!;
      let started: void | PromiseLike<unknown>;
      try {
        started = start(clients[i]!, done, i);
      } catch (err) {
        done(err ?? new Error("an operation threw"));
        return;
      }
      if (started && typeof started.then === "function") started.then(() => done(), (err: unknown) => done(err ?? new Error("an operation failed")));
      if (this.next > now + START_WINDOW_MS) now = clock(); // the window may have moved on while starting
    }
  }

  private finished(i: number): void {
    this.inflight--;
    this.free.push(i);
    if (this.ended) {
      if (this.inflight === 0) this.settle();
      return;
    }
    if (!this.timerArmed) this.pump();
  }

  private take(): number {
    const i = this.free[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.free.length) {
      this.free = this.free.slice(this.head);
      this.head = 0;
    }
    return i;
  }
}
