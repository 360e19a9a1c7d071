import type { Body, Message } from "./protocol.js";

// Maelstrom's services, as nodes on the network: lin-kv (linearizable),
// seq-kv (sequentially consistent: may serve a stale but per-client
// monotonic state), lww-kv (last-write-wins replicas that converge lazily:
// pathological by design) and lin-tso (a linearizable timestamp oracle).

/** Answers a request; every reply is a new body, which the endpoint gives its msg_id and in_reply_to in place. */
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

/** A key-value state the services read and update in place. */
interface Store {
  has(key: string): boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** Applies read/write/cas to a store, in place; `changed` when a write or cas took effect. */
function apply(state: Store, body: Body): { changed: boolean; reply: Body } {
  const key = keyOf(body);
  switch (body.type) {
    case "read":
      return state.has(key)
        ? { changed: false, reply: { type: "read_ok", value: state.get(key) } }
        : { changed: false, reply: { type: "error", code: 20, text: "key does not exist" } };
    case "write":
      state.set(key, body.value);
      return { changed: true, reply: { type: "write_ok" } };
    case "cas": {
      if (!state.has(key)) {
        if (!body.create_if_not_exists) return { changed: false, reply: { type: "error", code: 20, text: "key does not exist" } };
        state.set(key, body.to);
        return { changed: true, reply: { type: "cas_ok" } };
      }
      if (!equal(state.get(key), body.from)) {
        return { changed: false, reply: { type: "error", code: 22, text: `current value ${JSON.stringify(state.get(key))} is not ${JSON.stringify(body.from)}` } };
      }
      state.set(key, body.to);
      return { changed: true, reply: { type: "cas_ok" } };
    }
    default:
      return { changed: false, reply: { type: "error", code: 10, text: `unsupported request type ${JSON.stringify(body.type)}` } };
  }
}

export class LinKv implements Service {
  readonly name = "lin-kv";
  private readonly state = new Map<string, unknown>();

  handle(_src: string, body: Body, reply: Reply): void {
    reply(apply(this.state, body).reply);
  }
}

/** A key's values over versions, oldest first: `at[i]` is the version that set `values[i]`. */
interface KeyHistory {
  at: number[];
  values: unknown[];
}

/** How many versions seq-kv keeps readable: once 1,000 accumulate, the oldest are dropped down to 500. */
const SEQ_KV_MAX_VERSIONS = 1000;
const SEQ_KV_KEPT_VERSIONS = 500;

/**
 * Sequentially consistent: one total order of writes, but a read may see an
 * older state, never older than what that client saw or wrote before.
 * Versions are numbered; each key keeps the values it had in the versions
 * still readable (the window [base, latest]), so a write costs the key's
 * entry, not a copy of the whole state.
 */
export class SeqKv implements Service {
  readonly name = "seq-kv";
  private readonly keys = new Map<string, KeyHistory>();
  /** Oldest readable version and the latest one (version 0: the empty state). */
  private base = 0;
  private latest = 0;
  /** Per client, the oldest version it may still read (absolute). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  handle(src: string, body: Body, reply: Reply): void {
    const latest = this.latest - this.base;
    const floor = Math.max(0, (this.seen.get(src) ?? this.base) - this.base);
    if (body.type === "read") {
      // Usually fresh; sometimes a state between the client's last one and now.
      const v = this.random() < 0.5 ? latest : floor + Math.floor(this.random() * (latest - floor + 1));
      this.seen.set(src, this.base + v);
      reply(apply(this.at(this.base + v), body).reply);
      return;
    }
    const version = this.latest + 1;
    const r = apply(this.writer(version), body);
    if (r.changed) {
      this.latest = version;
      if (this.latest - this.base + 1 > SEQ_KV_MAX_VERSIONS) this.base = this.latest - SEQ_KV_KEPT_VERSIONS + 1;
    }
    this.seen.set(src, this.latest);
    reply(r.reply);
  }

  /** The state as of a version (read only). */
  private at(version: number): Store {
    const find = (key: string): number => {
      const h = this.keys.get(key);
      if (!h) return -1;
      // The last entry set at or before the version.
      let lo = 0;
      let hi = h.at.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (h.at[mid]! <= version) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found;
    };
    return {
      has: (key) => find(key) !== -1,
      get: (key) => {
        const i = find(key);
        return i === -1 ? undefined : this.keys.get(key)!.values[i];
      },
      set: () => {
        throw new Error("seq-kv: a read does not write");
      },
    };
  }

  /** The latest state, whose writes make `version`. */
  private writer(version: number): Store {
    const latest = this.at(this.latest);
    return {
      has: latest.has,
      get: latest.get,
      set: (key, value) => {
        let h = this.keys.get(key);
        if (!h) this.keys.set(key, (h = { at: [], values: [] }));
        h.at.push(version);
        h.values.push(value);
        // Entries older than the one in force at the oldest readable version are never read again.
        let keep = 0;
        while (keep + 1 < h.at.length && h.at[keep + 1]! <= this.base) keep++;
        if (keep >= 32 || (keep > 0 && keep * 2 >= h.at.length)) {
          h.at.splice(0, keep);
          h.values.splice(0, keep);
        }
      },
    };
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
    const r = apply(
      {
        has: (key) => replica.has(key),
        get: (key) => replica.get(key)?.value,
        set: (key, value) => replica.set(key, { value, at: ++this.clock }),
      },
      body,
    );
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
      service.handle(message.src, req, (body) => {
        // The services build a new body for every reply: it gets its ids in place (no copy).
        body.msg_id = nextId++;
        body.in_reply_to = req.msg_id;
        send({ src: service.name, dest: message.src, body });
      });
    },
  };
}
