import type { Body, Message } from "./protocol.js";

// Maelstrom's services, as nodes on the network: lin-kv (linearizable),
// seq-kv (sequentially consistent: may serve a stale but per-client
// monotonic state), lww-kv (last-write-wins replicas that converge lazily:
// pathological by design) and lin-tso (a linearizable timestamp oracle).

type Reply = (body: Body) => void;

export interface Service {
  readonly name: string;
  handle(src: string, body: Body, reply: Reply): void;
}

function keyOf(body: Body): string {
  return JSON.stringify(body.key ?? null);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Applies read/write/cas to a map; the common core of the key-value services. */
function apply(state: Map<string, unknown>, body: Body): { state?: Map<string, unknown>; reply: Body } {
  const key = keyOf(body);
  switch (body.type) {
    case "read":
      return state.has(key)
        ? { reply: { type: "read_ok", value: state.get(key) } }
        : { reply: { type: "error", code: 20, text: "key does not exist" } };
    case "write": {
      const next = new Map(state);
      next.set(key, body.value);
      return { state: next, reply: { type: "write_ok" } };
    }
    case "cas": {
      if (!state.has(key)) {
        if (!body.create_if_not_exists) return { reply: { type: "error", code: 20, text: "key does not exist" } };
        const next = new Map(state);
        next.set(key, body.to);
        return { state: next, reply: { type: "cas_ok" } };
      }
      if (!equal(state.get(key), body.from)) {
        return { reply: { type: "error", code: 22, text: `current value ${JSON.stringify(state.get(key))} is not ${JSON.stringify(body.from)}` } };
      }
      const next = new Map(state);
      next.set(key, body.to);
      return { state: next, reply: { type: "cas_ok" } };
    }
    default:
      return { reply: { type: "error", code: 10, text: `unsupported request type ${JSON.stringify(body.type)}` } };
  }
}

export class LinKv implements Service {
  readonly name = "lin-kv";
  private state = new Map<string, unknown>();

  handle(_src: string, body: Body, reply: Reply): void {
    const r = apply(this.state, body);
    if (r.state) this.state = r.state;
    reply(r.reply);
  }
}

/**
 * Sequentially consistent: one total order of writes, but a read may see an
 * older state, never older than what that client saw or wrote before.
 */
export class SeqKv implements Service {
  readonly name = "seq-kv";
  private readonly versions: Map<string, unknown>[] = [new Map()];
  private readonly seen = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  handle(src: string, body: Body, reply: Reply): void {
    const latest = this.versions.length - 1;
    const floor = this.seen.get(src) ?? 0;
    if (body.type === "read") {
      // Usually fresh; sometimes a state between the client's last one and now.
      const v = this.random() < 0.5 ? latest : floor + Math.floor(this.random() * (latest - floor + 1));
      this.seen.set(src, v);
      reply(apply(this.versions[v]!, body).reply);
      return;
    }
    const r = apply(this.versions[latest]!, body);
    if (r.state) {
      this.versions.push(r.state);
      if (this.versions.length > 1000) this.compact();
    }
    this.seen.set(src, this.versions.length - 1);
    reply(r.reply);
  }

  private compact(): void {
    const drop = this.versions.length - 500;
    this.versions.splice(0, drop);
    for (const [k, v] of this.seen) this.seen.set(k, Math.max(0, v - drop));
  }
}

/** Three replicas, each request to a random one; replicas exchange state now and then, newest write wins. */
export class LwwKv implements Service {
  readonly name = "lww-kv";
  private readonly replicas = [0, 1, 2].map(() => new Map<string, { value: unknown; at: number }>());
  private clock = 0;

  constructor(private readonly random: () => number) {}

  handle(_src: string, body: Body, reply: Reply): void {
    const replica = this.replicas[Math.floor(this.random() * this.replicas.length)]!;
    const plain = new Map([...replica].map(([k, v]) => [k, v.value]));
    const r = apply(plain, body);
    if (r.state) {
      const key = keyOf(body);
      replica.set(key, { value: r.state.get(key), at: ++this.clock });
    }
    if (this.random() < 0.2) this.gossip();
    reply(r.reply);
  }

  private gossip(): void {
    for (const a of this.replicas) {
      for (const b of this.replicas) {
        for (const [k, v] of a) {
          const other = b.get(k);
          if (!other || other.at < v.at) b.set(k, v);
        }
      }
    }
  }
}

export class LinTso implements Service {
  readonly name = "lin-tso";
  private ts = 0;

  handle(_src: string, body: Body, reply: Reply): void {
    if (body.type === "ts") reply({ type: "ts_ok", ts: this.ts++ });
    else reply({ type: "error", code: 10, text: `unsupported request type ${JSON.stringify(body.type)}` });
  }
}

/** The services every test offers, by the names nodes send to. */
export const SERVICE_NAMES: readonly string[] = ["lin-kv", "seq-kv", "lww-kv", "lin-tso"];

export function createServices(random: () => number): Service[] {
  return [new LinKv(), new SeqKv(random), new LwwKv(random), new LinTso()];
}

/** Wraps a service as a network endpoint: answers each request with in_reply_to set. */
export function serviceEndpoint(service: Service, send: (m: Message) => void) {
  let nextId = 0;
  return {
    deliver(message: Message): void {
      const req = message.body;
      if (req.msg_id === undefined) return; // not a request: nothing to answer
      service.handle(message.src, req, (body) =>
        send({ src: service.name, dest: message.src, body: { ...body, msg_id: nextId++, in_reply_to: req.msg_id } }),
      );
    },
  };
}
