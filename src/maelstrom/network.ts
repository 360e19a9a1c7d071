import { performance } from "node:perf_hooks";
import type { Message } from "./protocol.js";
import { Scheduler } from "./scheduler.js";

// The simulated network: every message between nodes, clients and services
// goes through here, with a latency, subject to partitions and loss, and
// counted for the net stats (msgs-per-op).

export type LatencyDistribution = "constant" | "uniform" | "exponential";

export interface NetworkOptions {
  /** Mean one-way latency in ms. */
  latencyMs: number;
  distribution: LatencyDistribution;
  /** Share (0..1) of node-to-node messages dropped at random. */
  lossRate: number;
  random: () => number;
  /** Sees every message as it is sent and as it is delivered. */
  onMessage?: (what: "send" | "recv", message: Message) => void;
}

export interface Endpoint {
  deliver(message: Message): void;
}

export interface NetCounts {
  sendCount: number;
  recvCount: number;
  /** Messages delivered or dropped, each counted once. */
  msgCount: number;
  /** Messages dropped by a partition or by loss. */
  dropCount: number;
}

export type Kind = "client" | "server";

/** Where a message from a sender that was never added would be answered: nowhere. */
const NOWHERE: Endpoint = { deliver: () => {} };

/** A message's journey, for the Lamport diagram: sent at, delivered at (or dropped). */
export interface Journey {
  src: string;
  dest: string;
  type: string;
  msgId?: number;
  inReplyTo?: number;
  sentAt: number;
  deliveredAt?: number;
  dropped?: "partition" | "loss";
}

/**
 * The journeys of the first `limit` messages, kept as columns (no object per
 * message while the run goes); `list()` builds the Journey objects once, for
 * the report.
 */
class Journeys {
  private n = 0;
  /** Names (participants, message types) by number: the columns hold numbers. */
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  private src = new Int32Array(0);
  private dest = new Int32Array(0);
  private type = new Int32Array(0);
  private msgId = new Float64Array(0);
  private inReplyTo = new Float64Array(0);
  private sentAt = new Float64Array(0);
  private deliveredAt = new Float64Array(0);
  /** 0: in flight or delivered; 1: dropped by a partition; 2: by loss. */
  private dropped = new Uint8Array(0);
  private built: Journey[] | undefined;
  /**
   * The last two message types numbered, and their numbers: most messages
   * have the type of one of the two before them (a request, its reply).
   */
  private lastType: string | undefined;
  private lastTypeId = -1;
  private otherType: string | undefined;
  private otherTypeId = -1;

  constructor(readonly limit: number) {}

  /** The number of a name (a participant's or a message type). */
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** Records a message sent at `at` from and to the participants numbered `src` and `dest`; its index, or -1 past the limit. */
  add(src: number, dest: number, body: Message["body"], at: number): number {
    const i = this.n;
    if (i >= this.limit) return -1;
    if (i === this.msgId.length) this.grow();
    this.n = i + 1;
    this.built = undefined;
    this.src[i] = src;
    this.dest[i] = dest;
    const type = body.type;
    if (type !== this.lastType) {
      const id = type === this.otherType ? this.otherTypeId : this.id(type);
      this.otherType = this.lastType;
      this.otherTypeId = this.lastTypeId;
      this.lastType = type;
      this.lastTypeId = id;
    }
    this.type[i] = this.lastTypeId;
    const msgId = body.msg_id;
    const inReplyTo = body.in_reply_to;
    this.msgId[i] = typeof msgId === "number" ? msgId : NaN;
    this.inReplyTo[i] = typeof inReplyTo === "number" ? inReplyTo : NaN;
    this.sentAt[i] = at;
    this.deliveredAt[i] = NaN;
    return i;
  }

  delivered(i: number, at: number): void {
    this.deliveredAt[i] = at;
    this.built = undefined;
  }

  drop(i: number, why: "partition" | "loss"): void {
    this.dropped[i] = why === "partition" ? 1 : 2;
    this.built = undefined;
  }

  get length(): number {
    return this.n;
  }

  list(): Journey[] {
    if (this.built) return this.built;
    const out: Journey[] = new Array(this.n);
    const names = this.names;
    for (let i = 0; i < this.n; i++) {
      const j = { src: names[this.src[i]!]!, dest: names[this.dest[i]!]!, type: names[this.type[i]!]! } as Journey;
      if (!Number.isNaN(this.msgId[i]!)) j.msgId = this.msgId[i]!;
      if (!Number.isNaN(this.inReplyTo[i]!)) j.inReplyTo = this.inReplyTo[i]!;
      j.sentAt = this.sentAt[i]!;
      if (!Number.isNaN(this.deliveredAt[i]!)) j.deliveredAt = this.deliveredAt[i]!;
      if (this.dropped[i] !== 0) j.dropped = this.dropped[i] === 1 ? "partition" : "loss";
      out[i] = j;
    }
    this.built = out;
    return out;
  }

  private grow(): void {
    const size = Math.min(this.limit, Math.max(1024, this.msgId.length * 2));
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.src = i32(this.src);
    this.dest = i32(this.dest);
    this.type = i32(this.type);
    this.msgId = f64(this.msgId);
    this.inReplyTo = f64(this.inReplyTo);
    this.sentAt = f64(this.sentAt);
    this.deliveredAt = f64(this.deliveredAt);
    const d = new Uint8Array(size);
    d.set(this.dropped);
    this.dropped = d;
  }
}

/** A participant on the network: where its messages go, and which counts they join (a handle for `sendBetween`). */
export interface Peer {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly client: boolean;
  /** Its number in the journeys' columns. */
  readonly id: number;
}

export class Network {
  private readonly peers = new Map<string, Peer>();
  /** Node name → partition component; nodes in different components cannot talk. */
  private component = new Map<string, number>();
  private readonly scheduler = new Scheduler();
  readonly counts = {
    all: zero(),
    clients: zero(),
    servers: zero(),
  };
  private readonly journal: Journeys;
  private readonly t0 = performance.now();

  constructor(
    private readonly opts: NetworkOptions,
    /** Keep journeys of node-to-node messages for the report (bounded). */
    journeyLimit = 200_000,
  ) {
    this.journal = new Journeys(journeyLimit);
  }

  /** Every message's journey so far (the first `journeyLimit`), for the report's space-time diagram. */
  get journeys(): Journey[] {
    return this.journal.list();
  }

  /** Adds a participant; its handle, for `sendBetween`. */
  add(name: string, endpoint: Endpoint, kind: Kind): Peer {
    const peer: Peer = { name, endpoint, client: kind === "client", id: this.journal.id(name) };
    this.peers.set(name, peer);
    return peer;
  }

  /** The participant of this name, if there is one. */
  peer(name: string): Peer | undefined {
    return this.peers.get(name);
  }

  /** Cuts the network into these components; names in none of them stay with everyone. */
  partition(components: readonly (readonly string[])[]): void {
    this.component = new Map();
    components.forEach((c, i) => c.forEach((name) => this.component.set(name, i)));
  }

  heal(): void {
    this.component = new Map();
  }

  get partitioned(): boolean {
    return this.component.size > 0;
  }

  /**
   * Sends a message; it arrives after the network's latency unless a partition or loss drops it.
   * `now`, when given, is the network's clock as the caller just read it (saves reading it again).
   */
  send(message: Message, now?: number): void {
    const from = this.peers.get(message.src);
    const to = this.peers.get(message.dest);
    // From a name never added (a test's own sender): it sends as a server does.
    if (to) return this.sendBetween(from ?? { name: message.src, endpoint: NOWHERE, client: false, id: this.journal.id(message.src) }, to, message, now);
    // To nobody: counted and journeyed, then lost.
    this.sent(from?.client === true ? this.counts.clients : this.counts.servers, from ? from.id : this.journal.id(message.src), this.journal.id(message.dest), message, now);
  }

  /**
   * `send` between participants already looked up (the engine's hot path).
   * `from` and `to` must be the peers of the message's src and dest: the
   * counts, the journey and the delivery go by them, partitions by the names.
   */
  sendBetween(from: Peer, to: Peer, message: Message, now?: number): void {
    const client = from.client || to.client;
    const counts = client ? this.counts.clients : this.counts.servers;
    const journey = this.sent(counts, from.id, to.id, message, now);
    if (!client && this.component.size > 0 && this.cut(message.src, message.dest)) return this.drop(counts, journey, "partition");
    if (!client && this.opts.lossRate > 0 && this.opts.random() < this.opts.lossRate) return this.drop(counts, journey, "loss");
    this.scheduler.post(this.latency(), this.arrive, message, to, client ? -2 - journey : journey + 1);
  }

  /** Counts a message as sent and starts its journey (between the participants numbered `fromId` and `toId`); the journey's index, or -1. */
  private sent(counts: NetCounts, fromId: number, toId: number, message: Message, now: number | undefined): number {
    this.opts.onMessage?.("send", message);
    this.counts.all.sendCount++;
    counts.sendCount++;
    const journal = this.journal;
    return journal.length < journal.limit ? journal.add(fromId, toId, message.body, now ?? this.now()) : -1;
  }

  /**
   * A message reaches its destination (scheduled by `sendBetween`). `tag`
   * says which counts it joins, without looking up who sent it, and its
   * journey's index (-1 when it has none): the index + 1 (0 or more) for
   * traffic between servers, -2 - the index (-1 or less) for traffic with a client.
   */
  private readonly arrive = (message: Message, to: Peer, tag: number): void => {
    const client = tag < 0;
    const journey = client ? -2 - tag : tag - 1;
    const counts = client ? this.counts.clients : this.counts.servers;
    const all = this.counts.all;
    all.recvCount++;
    all.msgCount++;
    counts.recvCount++;
    counts.msgCount++;
    // Delivered as the batch of arrivals it is in began: one clock read for the batch.
    if (journey >= 0) this.journal.delivered(journey, this.scheduler.batchStart - this.t0);
    this.opts.onMessage?.("recv", message);
    to.endpoint.deliver(message);
  };

  /** ms since the network started: the test's clock. */
  now(): number {
    return performance.now() - this.t0;
  }

  /** Runs `fn` after `ms` on the network's clock (one timer queue for everything). */
  after(ms: number, fn: () => void): void {
    this.scheduler.after(ms, fn);
  }

  stop(): void {
    this.scheduler.stop();
  }

  private cut(a: string, b: string): boolean {
    const ca = this.component.get(a);
    const cb = this.component.get(b);
    return ca !== undefined && cb !== undefined && ca !== cb;
  }

  private drop(counts: NetCounts, journey: number, why: "partition" | "loss"): void {
    for (const c of [this.counts.all, counts]) {
      c.msgCount++;
      c.dropCount++;
    }
    if (journey >= 0) this.journal.drop(journey, why);
  }

  private latency(): number {
    const mean = this.opts.latencyMs;
    if (mean <= 0) return 0;
    switch (this.opts.distribution) {
      case "constant":
        return mean;
      case "uniform":
        return this.opts.random() * 2 * mean;
      case "exponential":
        return -Math.log(1 - this.opts.random()) * mean;
    }
  }
}

function zero(): NetCounts {
  return { sendCount: 0, recvCount: 0, msgCount: 0, dropCount: 0 };
}
