import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientCalls, ClientDriver, START_WINDOW_MS } from "../../src/maelstrom/clients.js";
import { Network } from "../../src/maelstrom/network.js";
import type { Body, Message } from "../../src/maelstrom/protocol.js";
import { Scheduler } from "../../src/maelstrom/scheduler.js";
import { LinKv, LwwKv, SeqKv, type Service } from "../../src/maelstrom/services.js";
import { seeded } from "../../src/util/random.js";

// The engine's core pieces without processes: the scheduler's order, the
// client driver's pacing on a simulated clock, and the key-value services,
// which update in place and must answer exactly as the copy-on-write
// versions they replaced (kept below as the reference).

/** One event-loop turn (zero-latency hops arrive in it). */
const turn = () => new Promise((r) => setImmediate(r));
/** A network with no latency and no loss. */
const network = () => new Network({ latencyMs: 0, distribution: "constant", lossRate: 0, random: Math.random });

describe("scheduler", () => {
  it("runs zero-delay events on the next turn, in the order they were scheduled, and those they schedule after them", async () => {
    const s = new Scheduler();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) s.after(0, () => {
      seen.push(`a${i}`);
      if (i === 0) s.after(0, () => seen.push("late"));
    });
    s.after(-1, () => seen.push("b"));
    assert.deepEqual(seen, [], "nothing runs synchronously");
    await turn();
    await turn();
    assert.deepEqual(seen, ["a0", "a1", "a2", "a3", "a4", "b", "late"]);
  });

  it("keeps the order of events due at the same time, and runs delayed ones by due time", async () => {
    const s = new Scheduler();
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) s.after(40, () => seen.push(i));
    s.after(1, () => seen.push(-1));
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(seen, [-1, ...Array.from({ length: 50 }, (_, i) => i)]);
  });

  it("runs nothing once stopped", async () => {
    const s = new Scheduler();
    let ran = 0;
    s.after(0, () => ran++);
    s.after(1, () => ran++);
    s.stop();
    s.after(0, () => ran++);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(ran, 0);
    assert.equal(s.pending, 0);
  });
});

describe("network", () => {

  it("counts client and server traffic apart, by the peers' handles and by name alike", async () => {
    const net = network();
    const got: Message[] = [];
    const n1 = net.add("n1", { deliver: (m) => got.push(m) }, "server");
    const n2 = net.add("n2", { deliver: (m) => got.push(m) }, "server");
    const c1 = net.add("c1", { deliver: (m) => got.push(m) }, "client");
    net.sendBetween(c1, n1, { src: "c1", dest: "n1", body: { type: "echo", msg_id: 1 } });
    net.send({ src: "n1", dest: "n2", body: { type: "gossip", msg_id: 2 } });
    net.sendBetween(n2, n1, { src: "n2", dest: "n1", body: { type: "gossip_ok", in_reply_to: 2 } });
    net.send({ src: "n1", dest: "c1", body: { type: "echo_ok", in_reply_to: 1 } });
    await turn();
    assert.deepEqual(got.map((m) => m.body.type), ["echo", "gossip", "gossip_ok", "echo_ok"]);
    assert.deepEqual(net.counts.clients, { sendCount: 2, recvCount: 2, msgCount: 2, dropCount: 0 });
    assert.deepEqual(net.counts.servers, { sendCount: 2, recvCount: 2, msgCount: 2, dropCount: 0 });
    assert.deepEqual(net.journeys.map((j) => [j.src, j.dest, j.type, j.deliveredAt !== undefined]), [["c1", "n1", "echo", true], ["n1", "n2", "gossip", true], ["n2", "n1", "gossip_ok", true], ["n1", "c1", "echo_ok", true]]);
    net.stop();
  });

  it("delivers a message from a sender never added, as server traffic, and loses one to nobody", async () => {
    const net = network();
    const got: Message[] = [];
    net.add("n1", { deliver: (m) => got.push(m) }, "server");
    net.send({ src: "stranger", dest: "n1", body: { type: "", msg_id: 1 } });
    net.send({ src: "n1", dest: "nobody", body: { type: "hello" } });
    await turn();
    assert.deepEqual(got.map((m) => m.src), ["stranger"]);
    assert.deepEqual(net.counts.servers, { sendCount: 2, recvCount: 1, msgCount: 1, dropCount: 0 });
    assert.deepEqual(net.journeys.map((j) => [j.src, j.dest, j.type, j.deliveredAt !== undefined]), [["stranger", "n1", "", true], ["n1", "nobody", "hello", false]]);
    net.stop();
  });

  it("drops traffic between servers across a partition, never a client's", async () => {
    const net = network();
    const got: string[] = [];
    const n1 = net.add("n1", { deliver: (m) => got.push(m.body.type) }, "server");
    const n2 = net.add("n2", { deliver: (m) => got.push(m.body.type) }, "server");
    const c1 = net.add("c1", { deliver: (m) => got.push(m.body.type) }, "client");
    net.partition([["n1"], ["n2", "c1"]]);
    net.sendBetween(n1, n2, { src: "n1", dest: "n2", body: { type: "cut" } });
    net.sendBetween(c1, n1, { src: "c1", dest: "n1", body: { type: "through" } });
    await turn();
    assert.deepEqual(got, ["through"]);
    assert.deepEqual(net.counts.servers, { sendCount: 1, recvCount: 0, msgCount: 1, dropCount: 1 });
    assert.equal(net.journeys[0]!.dropped, "partition");
    net.stop();
  });
});

/** A simulated clock and timer queue: `run` advances time to each due time and runs what is due there. */
class SimClock {
  t = 0;
  private q = new Map<number, (() => void)[]>();
  after = (ms: number, fn: () => void) => {
    const at = this.t + Math.max(0, ms);
    const list = this.q.get(at);
    if (list) list.push(fn);
    else this.q.set(at, [fn]);
  };
  clock = () => this.t;
  async run(until: number): Promise<void> {
    for (;;) {
      await turn(); // let settled operations' callbacks run
      if (this.q.size === 0) return;
      const at = Math.min(...this.q.keys());
      if (at > until) return;
      const due = this.q.get(at)!;
      this.q.delete(at);
      this.t = Math.max(this.t, at);
      for (const fn of due) fn();
    }
  }
}

/** When a driver began its operations, on a simulated clock: `clients` clients at `rate` until `endAt`, each operation taking `opMs`. */
async function startTimes(o: { clients: number; rate: number; endAt: number; opMs: number }): Promise<number[]> {
  const sim = new SimClock();
  const starts: number[] = [];
  const driver = new ClientDriver({
    clients: Array.from({ length: o.clients }, (_, i) => `c${i + 1}`),
    rate: o.rate,
    endAt: o.endAt,
    clock: sim.clock,
    after: sim.after,
    start: () => {
      starts.push(sim.t);
      return new Promise<void>((resolve) => sim.after(o.opMs, resolve));
    },
  });
  await sim.run(o.endAt * 5);
  await driver.done;
  return starts;
}

describe("client calls", () => {
  /** A network with node n1, which answers every request but those of type "silent", and a ClientCalls with this timeout. */
  const setup = (timeoutMs: number) => {
    const net = network();
    net.add("n1", { deliver: (m) => m.body.type !== "silent" && net.send({ src: "n1", dest: m.src, body: { type: "ok", in_reply_to: m.body.msg_id } }) }, "server");
    const calls = new ClientCalls(net, timeoutMs);
    return { net, calls, c1: calls.join("c1") };
  };

  it("settles a request with its reply, and one never answered with nothing once its timeout passed", async () => {
    const { net, calls, c1 } = setup(250);
    const silent = calls.call("c1", "n1", { type: "silent" });
    const answers = Array.from({ length: 2000 }, () => calls.call("c1", "n1", { type: "echo" }));
    const replies = await Promise.all(answers);
    assert.ok(replies.every((r) => r?.type === "ok"));
    const sent = performance.now();
    assert.equal(await silent, undefined);
    assert.ok(performance.now() - sent < 3000, "timed out about when due");
    assert.deepEqual(c1.ids, [], "nothing left waiting");
    net.stop();
  });

  it("keeps about the requests in flight in its timeout FIFO, not every request of the last timeout", async () => {
    const { net, calls } = setup(60_000);
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 500 }, () => calls.call("c1", "n1", { type: "echo" })));
    }
    // 10,000 requests answered within the timeout; those of the last round or two are still in the FIFO, dropped as new ones come.
    assert.ok(calls.deadlinesKept <= 1024 + 500, `${calls.deadlinesKept} entries kept`);
    net.stop();
  });

  it("sifts the answered requests out from behind one never answered, which still times out", async () => {
    const { net, calls, c1 } = setup(1000);
    const silent = calls.call("c1", "n1", { type: "silent" });
    let most = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 1000 }, () => calls.call("c1", "n1", { type: "echo" })));
      most = Math.max(most, calls.deadlinesKept);
    }
    // 20,000 requests queued behind the silent one: without sifting all would wait for its timeout in the FIFO.
    assert.ok(most <= 2 * 4096 + 1000, `up to ${most} entries kept`);
    assert.equal(await silent, undefined);
    assert.deepEqual(c1.ids, [], "nothing left waiting");
    net.stop();
  });
});

describe("client driver", () => {
  it("starts operations at the rate on free clients, and many clients at a high rate all make progress", async () => {
    const sim = new SimClock();
    const clients = Array.from({ length: 1000 }, (_, i) => `c${i + 1}`);
    const perClient = new Map<string, number>();
    let inflight = 0;
    let maxInflight = 0;
    const driver = new ClientDriver({
      clients,
      rate: 100_000,
      endAt: 200,
      clock: sim.clock,
      after: sim.after,
      start: (client) => {
        perClient.set(client, (perClient.get(client) ?? 0) + 1);
        maxInflight = Math.max(maxInflight, ++inflight);
        return new Promise<void>((resolve) => sim.after(2, () => {
          inflight--;
          resolve();
        }));
      },
    });
    await sim.run(2000);
    await driver.done;
    const total = [...perClient.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > 18_000 && total <= 20_001, `${total} operations in a simulated 200 ms at 100,000/s`);
    assert.equal(perClient.size, 1000, "every client was used");
    assert.ok(maxInflight <= 1000);
  });

  it("begins the starts due within the window together at a high rate, and each start on time at a low rate", async () => {
    // 10,000/s: a start every 0.1 ms, begun in batches, one batch per window.
    const fastStarts = await startTimes({ clients: 500, rate: 10_000, endAt: 100, opMs: 20 });
    assert.ok(fastStarts.length >= 990 && fastStarts.length <= 1001, `${fastStarts.length} starts in 100 ms at 10,000/s`);
    const instants = new Set(fastStarts).size;
    assert.ok(instants <= Math.ceil(100 / START_WINDOW_MS) + 2, `starts were begun at ${instants} instants in 100 ms; one batch per ${START_WINDOW_MS} ms window makes at most ${Math.ceil(100 / START_WINDOW_MS) + 2}`);
    for (let i = 0; i < fastStarts.length; i++) {
      assert.ok(fastStarts[i]! >= i * 0.1 - START_WINDOW_MS - 1e-9, `start ${i} (due at ${(i * 0.1).toFixed(1)} ms) began at ${fastStarts[i]} ms, more than the window early`);
    }
    // 10/s: a start every 100 ms, each when it is due, none early.
    assert.deepEqual(await startTimes({ clients: 2, rate: 10, endAt: 1000, opMs: 5 }), Array.from({ length: 10 }, (_, i) => i * 100));
  });

  it("skips starts that fell due while every client was busy, instead of bursting afterwards", async () => {
    // One start every 10 ms; each operation takes 95 ms.
    const starts = await startTimes({ clients: 1, rate: 100, endAt: 1000, opMs: 95 });
    assert.ok(starts.length >= 10 && starts.length <= 11, `${starts.length} starts`);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 95, `start ${i} came ${starts[i]! - starts[i - 1]!} ms after the one before`);
  });

  it("rejects with an operation's error and stops starting", async () => {
    const sim = new SimClock();
    let n = 0;
    const driver = new ClientDriver({
      clients: ["c1", "c2"],
      rate: 10,
      endAt: 1000,
      clock: sim.clock,
      after: sim.after,
      start: async () => {
        if (++n === 3) throw new Error("boom");
      },
    });
    await sim.run(2000);
    await assert.rejects(driver.done, /boom/);
    assert.equal(n, 3);
  });
});

// The copy-on-write services as they were: a new Map per write, seq-kv keeping whole states.
function keyOf(body: Body): string {
  return JSON.stringify(body.key ?? null);
}
function refApply(state: Map<string, unknown>, body: Body): { state?: Map<string, unknown>; reply: Body } {
  const key = keyOf(body);
  const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  switch (body.type) {
    case "read":
      return state.has(key) ? { reply: { type: "read_ok", value: state.get(key) } } : { reply: { type: "error", code: 20, text: "key does not exist" } };
    case "write":
      return { state: new Map(state).set(key, body.value), reply: { type: "write_ok" } };
    case "cas":
      if (!state.has(key)) {
        if (!body.create_if_not_exists) return { reply: { type: "error", code: 20, text: "key does not exist" } };
        return { state: new Map(state).set(key, body.to), reply: { type: "cas_ok" } };
      }
      if (!eq(state.get(key), body.from)) return { reply: { type: "error", code: 22, text: `current value ${JSON.stringify(state.get(key))} is not ${JSON.stringify(body.from)}` } };
      return { state: new Map(state).set(key, body.to), reply: { type: "cas_ok" } };
    default:
      return { reply: { type: "error", code: 10, text: `unsupported request type ${JSON.stringify(body.type)}` } };
  }
}
class RefLinKv {
  private state = new Map<string, unknown>();
  handle(_src: string, body: Body, reply: (b: Body) => void): void {
    const r = refApply(this.state, body);
    if (r.state) this.state = r.state;
    reply(r.reply);
  }
}
class RefSeqKv {
  private readonly versions: Map<string, unknown>[] = [new Map()];
  private readonly seen = new Map<string, number>();
  constructor(private readonly random: () => number) {}
  handle(src: string, body: Body, reply: (b: Body) => void): void {
    const latest = this.versions.length - 1;
    const floor = this.seen.get(src) ?? 0;
    if (body.type === "read") {
      const v = this.random() < 0.5 ? latest : floor + Math.floor(this.random() * (latest - floor + 1));
      this.seen.set(src, v);
      reply(refApply(this.versions[v]!, body).reply);
      return;
    }
    const r = refApply(this.versions[latest]!, body);
    if (r.state) {
      this.versions.push(r.state);
      if (this.versions.length > 1000) {
        const drop = this.versions.length - 500;
        this.versions.splice(0, drop);
        for (const [k, v] of this.seen) this.seen.set(k, Math.max(0, v - drop));
      }
    }
    this.seen.set(src, this.versions.length - 1);
    reply(r.reply);
  }
}
class RefLwwKv {
  private readonly replicas = [0, 1, 2].map(() => new Map<string, { value: unknown; at: number }>());
  private clock = 0;
  constructor(private readonly random: () => number) {}
  handle(_src: string, body: Body, reply: (b: Body) => void): void {
    const replica = this.replicas[Math.floor(this.random() * this.replicas.length)]!;
    const plain = new Map([...replica].map(([k, v]) => [k, v.value]));
    const r = refApply(plain, body);
    if (r.state) replica.set(keyOf(body), { value: r.state.get(keyOf(body)), at: ++this.clock });
    if (this.random() < 0.2) {
      for (const a of this.replicas) for (const b of this.replicas) for (const [k, v] of a) {
        const other = b.get(k);
        if (!other || other.at < v.at) b.set(k, v);
      }
    }
    reply(r.reply);
  }
}

/** Random requests over a few keys (some hot), from a few clients. */
function requests(seed: number, count: number): { src: string; body: Body }[] {
  const r = seeded(seed);
  const out: { src: string; body: Body }[] = [];
  for (let i = 0; i < count; i++) {
    const key = r() < 0.5 ? "hot" : `k${Math.floor(r() * 20)}`;
    const src = `n${Math.floor(r() * 4)}`;
    const x = r();
    const v = Math.floor(r() * 5);
    const body: Body =
      x < 0.4 ? { type: "read", key }
      : x < 0.6 ? { type: "write", key, value: v }
      : x < 0.98 ? { type: "cas", key, from: Math.floor(r() * 5), to: v, ...(r() < 0.3 ? { create_if_not_exists: true } : {}) }
      : { type: "nope", key };
    out.push({ src, body });
  }
  return out;
}

function answers(service: { handle(src: string, body: Body, reply: (b: Body) => void): void }, reqs: { src: string; body: Body }[]): string[] {
  const out: string[] = [];
  for (const { src, body } of reqs) service.handle(src, body, (b) => out.push(JSON.stringify(b)));
  return out;
}

describe("key-value services, updated in place", () => {
  const reqs = requests(11, 6000); // seq-kv compacts its versions several times over
  it("lin-kv answers as the copy-on-write version did", () => {
    assert.deepEqual(answers(new LinKv() satisfies Service, reqs), answers(new RefLinKv(), reqs));
  });
  it("seq-kv serves the same stale reads from the same seed (versions kept per key)", () => {
    const got = answers(new SeqKv(seeded(5)), reqs);
    assert.deepEqual(got, answers(new RefSeqKv(seeded(5)), reqs));
    assert.ok(new Set(got).size > 10);
  });
  it("lww-kv answers as the copy-on-write version did", () => {
    assert.deepEqual(answers(new LwwKv(seeded(9)), reqs), answers(new RefLwwKv(seeded(9)), reqs));
  });
});
