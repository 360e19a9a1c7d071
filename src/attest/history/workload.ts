import type { Value } from "../../checkers/linearizability/history.js";
import { deriveSeed, pick, seeded } from "../../util/random.js";
import { RequestError, type HttpResponse } from "../httpClient.js";
import { HistoryRecorder, type Completion } from "./recorder.js";
import { pause } from "../../util/pause.js";

// The kv-store workload: concurrent clients calling GET, PUT and DELETE on
// /kv/{key} (as the http-api and leader-election guides define them) for a
// while, every call recorded. A client follows a follower's 307 to the
// leader and, after a 503 (no leader yet) or a refused connection, asks the
// next node after a pause: none of these did anything, so the same operation
// goes on. What an answer means for the history is decided in
// one place, `classify`.

export type KvOp = "get" | "put" | "delete";

/** What a request to a node came to. */
export type Answer =
  | { kind: "response"; status: number; location?: string | undefined; body: string }
  /** No response: `delivered` is false only when the request certainly never reached the server (nothing listening, no route). */
  | { kind: "no-response"; delivered: boolean; reason: string };

/** What an answer means for the operation. */
export type Outcome =
  | { type: "ok"; value: Value }
  | { type: "fail"; reason: string }
  | { type: "info"; reason: string }
  /** Not served here, with no effect: ask the node the Location names. */
  | { type: "redirect"; location: string }
  /** Not served now, with no effect: ask again, the next node, after a pause. */
  | { type: "retry"; reason: string };

/** Network errors that mean the request never left the harness or was refused at connect: no effect. */
const NOT_DELIVERED = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOENT", "UND_ERR_CONNECT_TIMEOUT"]);

/** An error from the HTTP client as an Answer. */
export function answerOf(err: RequestError): Answer {
  return { kind: "no-response", delivered: err.timedOut || err.code === undefined || !NOT_DELIVERED.has(err.code), reason: err.message };
}

/**
 * What an answer to `op` means: 2xx (and 404 for a GET: not found) happened;
 * a documented refusal (4xx) did not; 307 and 503 did nothing and are asked
 * again; a timeout, a dropped connection or another 5xx may or may not have
 * happened, and only the checker can tell.
 */
export function classify(op: KvOp, answer: Answer): Outcome {
  if (answer.kind === "no-response") {
    return answer.delivered ? { type: "info", reason: answer.reason } : { type: "retry", reason: answer.reason };
  }
  const { status } = answer;
  if (status === 307 || status === 308) {
    return answer.location ? { type: "redirect", location: answer.location } : { type: "fail", reason: `${status} without a Location header` };
  }
  if (status === 503) return { type: "retry", reason: "503: no leader" };
  if (op === "get") {
    if (status === 200) return { type: "ok", value: answer.body };
    if (status === 404) return { type: "ok", value: null };
  } else if (status >= 200 && status < 300) {
    return { type: "ok", value: null };
  }
  if (status >= 400 && status < 500) return { type: "fail", reason: `${status}` };
  return { type: "info", reason: `${status}` };
}

/** What the workload needs of a cluster. */
export interface WorkloadTarget {
  /** Every node of the cluster, running or not, in order. */
  nodes: readonly string[];
  /** A node's address as Location headers name it ("10.0.42.101:8080"). */
  address(name: string): string;
  /** Throws RequestError when no answer came. */
  request(name: string, req: { method: string; path: string; body?: string; timeoutMs: number }): Promise<HttpResponse>;
  signal: AbortSignal;
}

export interface WorkloadOptions {
  /** Concurrent clients, each one operation at a time. */
  clients: number;
  durationMs: number;
  /** How many keys the clients share (few, so that operations overlap). */
  keys: number;
  /** Where every choice comes from: each client draws its own stream from it. */
  random: () => number;
  /** Runs alongside the clients (a fault schedule), with the recorder to put its faults in. */
  nemesis?: (recorder: HistoryRecorder) => Promise<void>;
  /** How long one operation may take, redirects and retries included, before its outcome is unknown (default 1 s). */
  opTimeoutMs?: number;
  /** A client's pause between operations (default 10 ms). */
  pauseMs?: number;
  /** Relative weights of the operations (default get 5, put 4, delete 1). */
  mix?: Readonly<Record<KvOp, number>>;
}

export interface WorkloadRun {
  recorder: HistoryRecorder;
  keys: string[];
  /** Why operations failed or ended unknown, with how often ("503: no leader": 12). */
  reasons: Record<string, number>;
}

const DEFAULT_MIX: Record<KvOp, number> = { get: 5, put: 4, delete: 1 };
/** Pauses before asking again after a 503 or a refused connection: 20, 40, 80, then 100 ms. */
const RETRY_MS = { first: 20, max: 100 };
const MAX_REDIRECTS = 5;

/** Runs the clients (and the nemesis) for the duration, then waits for every operation in flight to end. */
export async function runWorkload(target: WorkloadTarget, options: WorkloadOptions): Promise<WorkloadRun> {
  if (!(Number.isInteger(options.clients) && options.clients >= 1)) throw new Error("a workload needs at least one client");
  if (!(Number.isInteger(options.keys) && options.keys >= 1)) throw new Error("a workload needs at least one key");
  const recorder = new HistoryRecorder();
  const keys = Array.from({ length: options.keys }, (_, i) => `k${i + 1}`);
  const reasons: Record<string, number> = {};
  const base = Math.floor(options.random() * 2 ** 32);
  const endAt = performance.now() + options.durationMs;
  const ctx: ClientContext = {
    target,
    recorder,
    keys,
    reasons,
    endAt,
    clients: options.clients,
    opTimeoutMs: options.opTimeoutMs ?? 1_000,
    pauseMs: options.pauseMs ?? 10,
    mix: options.mix ?? DEFAULT_MIX,
  };
  const clients = Array.from({ length: options.clients }, (_, i) => runClient(ctx, i, seeded(deriveSeed(base, "client", i))));
  const [nemesis] = await Promise.allSettled([options.nemesis?.(recorder), Promise.all(clients)]);
  if (nemesis.status === "rejected") throw nemesis.reason;
  return { recorder, keys, reasons };
}

interface ClientContext {
  target: WorkloadTarget;
  recorder: HistoryRecorder;
  keys: readonly string[];
  reasons: Record<string, number>;
  endAt: number;
  clients: number;
  opTimeoutMs: number;
  pauseMs: number;
  mix: Readonly<Record<KvOp, number>>;
}

/** One client: Jepsen process `index` at first, a new process (index + clients, ...) after each operation of unknown outcome. */
async function runClient(ctx: ClientContext, index: number, random: () => number): Promise<void> {
  let process = index;
  let written = 0;
  while (performance.now() < ctx.endAt && !ctx.target.signal.aborted) {
    // Three draws per operation, whatever happens to it: the sequence of calls depends on the seed alone.
    const f = weighted(random, ctx.mix);
    const key = pick(random, ctx.keys);
    const node = pick(random, ctx.target.nodes);
    const value: Value = f === "put" ? `${index}-${written++}` : null;
    ctx.recorder.invoke(process, f, key, value);
    const done = await perform(ctx, f, key, value, node);
    ctx.recorder.complete(process, done.type, f, key, done.type === "ok" && f === "get" ? done.value : value);
    if (done.type !== "ok") ctx.reasons[`${done.type}: ${done.reason}`] = (ctx.reasons[`${done.type}: ${done.reason}`] ?? 0) + 1;
    // A process with an operation of unknown outcome may still have it in flight: Jepsen gives the client a new one.
    if (done.type === "info") process += ctx.clients;
    if (ctx.pauseMs > 0) await pause(ctx.pauseMs, ctx.target.signal);
  }
}

type Done = { type: "ok"; value: Value } | { type: Exclude<Completion, "ok">; reason: string };

/** Calls the operation until it is served, certainly refused, or its time is up. */
async function perform(ctx: ClientContext, f: KvOp, key: string, value: Value, first: string): Promise<Done> {
  const { target } = ctx;
  const deadline = performance.now() + ctx.opTimeoutMs;
  const method = f === "get" ? "GET" : f === "put" ? "PUT" : "DELETE";
  let node = first;
  let redirects = 0;
  let retryMs = RETRY_MS.first;
  for (;;) {
    const left = Math.floor(deadline - performance.now());
    // Only refusals and redirects so far, none of which did anything: out of time, the operation certainly failed.
    if (left <= 0) return { type: "fail", reason: `not served within ${ctx.opTimeoutMs}ms` };
    let answer: Answer;
    try {
      const res = await target.request(node, { method, path: `/kv/${key}`, ...(f === "put" ? { body: String(value) } : {}), timeoutMs: left });
      answer = { kind: "response", status: res.status, location: res.headers["location"], body: res.body };
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      answer = answerOf(err);
    }
    const outcome = classify(f, answer);
    switch (outcome.type) {
      case "ok":
      case "fail":
      case "info":
        return outcome;
      case "redirect": {
        const to = nodeAt(target, outcome.location);
        if (!to) return { type: "fail", reason: `redirect to ${outcome.location}, not a node of the cluster` };
        if (++redirects > MAX_REDIRECTS) return { type: "fail", reason: `more than ${MAX_REDIRECTS} redirects` };
        node = to;
        continue;
      }
      case "retry": {
        // Asked again only while an answer can still come in time; else it certainly did nothing.
        if (performance.now() + retryMs >= deadline) return { type: "fail", reason: outcome.reason };
        // The next node may know a leader, or be up: round the nodes in order (no random draw, so the calls stay the seed's).
        node = target.nodes[(target.nodes.indexOf(node) + 1) % target.nodes.length]!;
        await pause(retryMs, target.signal);
        retryMs = Math.min(retryMs * 2, RETRY_MS.max);
        continue;
      }
    }
  }
}

/** The node a Location header names ("http://10.0.42.103:8080/kv/x" → "n3"). */
function nodeAt(target: WorkloadTarget, location: string): string | undefined {
  let host: string;
  try {
    host = new URL(location).host;
  } catch {
    return undefined;
  }
  return target.nodes.find((n) => target.address(n) === host);
}

function weighted<K extends string>(random: () => number, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let x = random() * total;
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}
