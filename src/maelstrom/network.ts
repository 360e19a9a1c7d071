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

export class Network {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly kinds = new Map<string, Kind>();
  /** Node name → partition component; nodes in different components cannot talk. */
  private component = new Map<string, number>();
  private readonly scheduler = new Scheduler();
  readonly counts = {
    all: zero(),
    clients: zero(),
    servers: zero(),
  };
  readonly journeys: Journey[] = [];
  private readonly t0 = performance.now();

  constructor(
    private readonly opts: NetworkOptions,
    /** Keep journeys of node-to-node messages for the report (bounded). */
    private readonly journeyLimit = 200_000,
  ) {}

  add(name: string, endpoint: Endpoint, kind: Kind): void {
    this.endpoints.set(name, endpoint);
    this.kinds.set(name, kind);
  }

  has(name: string): boolean {
    return this.endpoints.has(name);
  }

  isClient(name: string): boolean {
    return this.kinds.get(name) === "client";
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

  /** Sends a message; it arrives after the network's latency unless a partition or loss drops it. */
  send(message: Message): void {
    const { src, dest } = message;
    const fromClient = this.kinds.get(src) === "client";
    const toClient = this.kinds.get(dest) === "client";
    const counts = fromClient || toClient ? this.counts.clients : this.counts.servers;
    const all = this.counts.all;
    this.opts.onMessage?.("send", message);
    all.sendCount++;
    counts.sendCount++;
    let journey: Journey | undefined;
    if (this.journeys.length < this.journeyLimit) {
      const body = message.body;
      journey = { src, dest, type: body.type } as Journey;
      if (typeof body.msg_id === "number") journey.msgId = body.msg_id;
      if (typeof body.in_reply_to === "number") journey.inReplyTo = body.in_reply_to;
      journey.sentAt = this.now();
      this.journeys.push(journey);
    }
    const between = !fromClient && !toClient;
    if (between && this.cut(src, dest)) return this.drop(counts, journey, "partition");
    if (between && this.opts.lossRate > 0 && this.opts.random() < this.opts.lossRate) return this.drop(counts, journey, "loss");
    this.scheduler.after(this.latency(), () => {
      const endpoint = this.endpoints.get(dest);
      if (!endpoint) return;
      all.recvCount++;
      all.msgCount++;
      counts.recvCount++;
      counts.msgCount++;
      if (journey) journey.deliveredAt = this.now();
      this.opts.onMessage?.("recv", message);
      endpoint.deliver(message);
    });
  }

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

  private drop(counts: NetCounts, journey: Journey | undefined, why: "partition" | "loss"): void {
    for (const c of [this.counts.all, counts]) {
      c.msgCount++;
      c.dropCount++;
    }
    if (journey) journey.dropped = why;
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
