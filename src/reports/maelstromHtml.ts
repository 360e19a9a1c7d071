import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { EngineOptions, EngineResult } from "../maelstrom/engine.js";
import type { Operation } from "../maelstrom/history.js";
import type { Journey } from "../maelstrom/network.js";
import { packageRoot } from "../util/packageRoot.js";
import { escapeHtml, pageStart, scriptSafe, scriptSafeJson } from "./htmlPage.js";

// One self-contained HTML page per Maelstrom run: the verdict and numbers,
// a timeline of client operations, a space-time (Lamport) diagram of the
// messages in a chosen window, and latency and rate plots. Everything the
// page needs (styles, scripts, uPlot, the run's data) is inlined, so it
// opens from disk with no network.

export const REPORT_FILE = "report.html";

/** Request and reply bodies longer than this (as JSON) are cut in the report; history.jsonl has them whole. */
const MAX_BODY_CHARS = 2000;

type Kind = "node" | "service" | "client";

/** An operation: [client, node, f, invokedAt, completedAt | null, outcome (0 ok, 1 fail, 2 info), final (0/1), request, reply | null]. */
type EncodedOp = [number, number, number, number, number | null, 0 | 1 | 2, 0 | 1, unknown, unknown];

/** Messages as columns; times in tenths of a millisecond. */
interface EncodedMessages {
  src: number[];
  dest: number[];
  type: number[];
  /** Send times, each the difference from the previous one. */
  sent: number[];
  /** Time from send to delivery; -1 dropped by a partition, -2 dropped by loss, -3 never arrived. */
  took: number[];
  id: (number | null)[];
  re: (number | null)[];
}

/** What the page's script reads from <script id="data">. */
export interface ReportData {
  workload: string;
  latencyMs: number;
  /** The end of the time axis, ms since the start. */
  endMs: number;
  procs: string[];
  kinds: Kind[];
  fs: string[];
  types: string[];
  ops: EncodedOp[];
  msgs: EncodedMessages;
  /** Messages sent in the whole run; more than msgs holds when the engine stopped recording. */
  sentCount: number;
  events: [number, string][];
  /** Partitions: [from, to, what]. */
  partitions: [number, number, string][];
  clientsStartedAt: number | null;
  finalAt: number | null;
}

/** The report page for one run. */
export function maelstromReport(opts: EngineOptions, r: EngineResult): string {
  const data = reportData(opts, r);
  const title = `clstr Maelstrom report: ${opts.workload}, ${verdictWord(r)}`;
  return [
    ...pageStart(title, [asset("uplot-css"), asset("report.css")]),
    headerHtml(opts, r),
    "<main>",
    sectionsHtml(),
    "</main>",
    '<div id="tooltip" hidden></div>',
    `<script type="application/json" id="data">${scriptSafeJson(data)}</script>`,
    `<script>${scriptSafe(asset("uplot-js"))}</script>`,
    `<script>${scriptSafe(asset("report.js"))}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Writes report.html into the run's store directory; returns its path. */
export async function writeMaelstromReport(opts: EngineOptions, r: EngineResult): Promise<string> {
  const path = join(r.storeDir, REPORT_FILE);
  writeFileSync(path, maelstromReport(opts, r));
  return path;
}

// ---- data ----

export function reportData(opts: EngineOptions, r: EngineResult): ReportData {
  const procs = processNames(r);
  const procIndex = indexOf(procs);
  const fs = distinct(r.history.map((o) => o.f));
  const types = distinct(r.journeys.map((j) => j.type));
  const { clientsStartedAt, finalAt } = phaseTimes(r);
  return {
    workload: opts.workload,
    latencyMs: opts.latencyMs,
    endMs: round1(endOfRun(r)),
    procs,
    kinds: procs.map((p) => kindOf(r, p)),
    fs,
    types,
    ops: r.history.map((op) => encodeOp(op, procIndex, indexOf(fs))),
    msgs: encodeMessages(r.journeys, procIndex, indexOf(types)),
    sentCount: r.net.all.sendCount,
    events: r.events.map((e) => [round1(e.at), e.what]),
    partitions: partitionSpans(r),
    clientsStartedAt,
    finalAt,
  };
}

/** Nodes, then the services that were used, then clients (c0, c1, ...), then anyone else; each participant's kind comes from the run. */
function processNames(r: EngineResult): string[] {
  const seen = new Set<string>();
  for (const j of r.journeys) seen.add(j.src).add(j.dest);
  for (const o of r.history) seen.add(o.client).add(o.node);
  const used = (kind: Kind) => r.participants.filter((p) => p.kind === kind && seen.has(p.name)).map((p) => p.name);
  const services = used("service");
  const clients = used("client");
  const known = new Set([...r.nodes, ...services, ...clients]);
  const others = [...seen].filter((p) => !known.has(p)).sort();
  return [...r.nodes, ...services, ...clients, ...others];
}

/** The kind the run recorded for a participant; a name it does not list (none should) is drawn as a node. */
function kindOf(r: EngineResult, name: string): Kind {
  return r.participants.find((p) => p.name === name)?.kind ?? "node";
}

function encodeOp(op: Operation, procIndex: Map<string, number>, fIndex: Map<string, number>): EncodedOp {
  const outcome = op.outcome === "ok" ? 0 : op.outcome === "fail" ? 1 : 2;
  return [
    procIndex.get(op.client)!,
    procIndex.get(op.node)!,
    fIndex.get(op.f)!,
    round1(op.invokedAt),
    op.completedAt === undefined ? null : round1(op.completedAt),
    outcome,
    op.final ? 1 : 0,
    cappedBody(op.request),
    op.reply === undefined ? null : cappedBody(op.reply),
  ];
}

/** A body as is, or its JSON cut short (a string) when it is long. */
function cappedBody(body: unknown): unknown {
  const json = JSON.stringify(body);
  if (json.length <= MAX_BODY_CHARS) return body;
  return `${json.slice(0, MAX_BODY_CHARS)}… (${json.length - MAX_BODY_CHARS} more characters; see history.jsonl)`;
}

function encodeMessages(journeys: readonly Journey[], procIndex: Map<string, number>, typeIndex: Map<string, number>): EncodedMessages {
  const m: EncodedMessages = { src: [], dest: [], type: [], sent: [], took: [], id: [], re: [] };
  let previous = 0;
  for (const j of journeys) {
    const sent = tenths(j.sentAt);
    m.src.push(procIndex.get(j.src)!);
    m.dest.push(procIndex.get(j.dest)!);
    m.type.push(typeIndex.get(j.type)!);
    m.sent.push(sent - previous);
    m.took.push(travelTime(j, sent));
    m.id.push(j.msgId ?? null);
    m.re.push(j.inReplyTo ?? null);
    previous = sent;
  }
  return m;
}

function travelTime(j: Journey, sentTenths: number): number {
  if (j.dropped === "partition") return -1;
  if (j.dropped === "loss") return -2;
  if (j.deliveredAt === undefined) return -3;
  return Math.max(0, tenths(j.deliveredAt) - sentTenths);
}

/** From each partition event to the heal that follows it (or the end of the run). */
function partitionSpans(r: EngineResult): [number, number, string][] {
  const spans: [number, number, string][] = [];
  let open: { at: number; what: string } | undefined;
  for (const e of r.events) {
    if (/^(partitioned|isolated) /.test(e.what)) {
      if (open) spans.push([round1(open.at), round1(e.at), open.what]);
      open = e;
    } else if (/^healed/.test(e.what) && open) {
      spans.push([round1(open.at), round1(e.at), open.what]);
      open = undefined;
    }
  }
  if (open) spans.push([round1(open.at), round1(endOfRun(r)), open.what]);
  return spans;
}

function phaseTimes(r: EngineResult): { clientsStartedAt: number | null; finalAt: number | null } {
  const at = (prefix: string) => {
    const e = r.events.find((x) => x.what.startsWith(prefix));
    return e ? round1(e.at) : null;
  };
  return { clientsStartedAt: at("clients started"), finalAt: at("final reads") };
}

/** The latest time anything happened. */
function endOfRun(r: EngineResult): number {
  let end = 0;
  for (const o of r.history) end = Math.max(end, o.completedAt ?? o.invokedAt);
  for (const j of r.journeys) end = Math.max(end, j.deliveredAt ?? j.sentAt);
  for (const e of r.events) end = Math.max(end, e.at);
  return end;
}

// ---- page ----

function headerHtml(opts: EngineOptions, r: EngineResult): string {
  const verdict = verdictWord(r);
  return [
    "<header>",
    '<div class="title-row">',
    `<h1>Maelstrom test: ${escapeHtml(opts.workload)}</h1>`,
    `<span class="verdict verdict-${verdict.toLowerCase()}" id="verdict">${verdict}</span>`,
    "</div>",
    `<p class="verdict-text">${escapeHtml(verdictSentence(r))}</p>`,
    optionsHtml(opts, r),
    problemsHtml(r),
    '<div class="tables">',
    operationsTable(r),
    networkTable(r),
    checkerTable(r),
    "</div>",
    `<p class="store">Results, history and node logs: <code>${escapeHtml(r.storeDir)}</code></p>`,
    "</header>",
  ].join("\n");
}

function verdictWord(r: EngineResult): "VALID" | "INVALID" | "UNKNOWN" {
  return r.valid === true ? "VALID" : r.valid === false ? "INVALID" : "UNKNOWN";
}

function verdictSentence(r: EngineResult): string {
  if (r.interrupted) return "The test was interrupted before it finished, so there is no verdict.";
  if (r.violation) return "The test stopped early: a node broke the Maelstrom protocol.";
  if (r.valid === true) return "The history passed every check.";
  if (r.valid === false) return "The history failed a check: see the problems below.";
  return "Nothing invalid was found, but the checker could not decide.";
}

function optionsHtml(opts: EngineOptions, r: EngineResult): string {
  const nodes = r.nodes.length > 6 ? `${r.nodes.slice(0, 3).join(", ")} … ${r.nodes.at(-1)}` : r.nodes.join(", ");
  const items: [string, string][] = [
    ["Nodes", `${opts.nodeCount} (${nodes})`],
    ["Clients", String(opts.concurrency)],
    ["Rate", `${opts.rate} operations/s`],
    ["Time limit", `${opts.timeLimitS} s`],
    ["Latency", `${opts.latencyMs} ms (${opts.latencyDist})`],
    ["Nemesis", opts.nemesis.length ? `${opts.nemesis.join(", ")} every ${opts.nemesisIntervalS} s` : "none"],
    ["Message loss", opts.lossRate ? `${(opts.lossRate * 100).toFixed(1)}%` : "none"],
    ["Topology", opts.topology],
    ...(opts.availability !== undefined ? [["Availability", String(opts.availability)] as [string, string]] : []),
    ...(opts.seed !== undefined ? [["Seed", String(opts.seed)] as [string, string]] : []),
    ["Ran for", `${(r.durationMs / 1000).toFixed(1)} s`],
  ];
  return `<dl class="options">${items.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join("")}</dl>`;
}

function problemsHtml(r: EngineResult): string {
  const lines = [...(r.violation ? [`Node ${r.violation.node} ${r.violation.problem}.`] : []), ...r.problems];
  if (lines.length === 0) return '<p class="no-problems">No problems found.</p>';
  return `<div class="problems"><h2>Problems</h2><ul>${lines.map((p) => `<li>${escapeHtml(p)}</li>`).join("")}</ul></div>`;
}

function operationsTable(r: EngineResult): string {
  const rows = Object.entries(r.stats).map(([f, s]) => [f, s.count, s.ok, s.fail, s.info]);
  return table("Operations", ["Operation", "Total", "OK", "Failed", "Unknown"], rows);
}

function networkTable(r: EngineResult): string {
  const label: Record<string, string> = { all: "All", clients: "To or from clients", servers: "Between nodes and services" };
  const rows = Object.entries(r.net).map(([k, c]) => [label[k] ?? k, c.msgCount, c.dropCount, c.msgsPerOp.toFixed(2)]);
  return table("Network", ["Messages", "Count", "Dropped", "Per operation"], rows);
}

function checkerTable(r: EngineResult): string {
  const facts = Object.entries(r.workload).filter(([k]) => k !== "valid" && k !== "problems");
  if (facts.length === 0) return "";
  return table("Checker", ["Fact", "Value"], facts.map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
}

function table(caption: string, head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(String(c))}</td>`).join("")}</tr>`).join("");
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** The interactive sections; report.js fills them in. */
function sectionsHtml(): string {
  return `
<section id="timeline-section">
  <h2>Client operations</h2>
  <p class="help">One row per client. Each bar runs from when the client sent a request to when it got the reply.
  Hover over a bar to see the request and the reply. Drag across the chart to choose the time window of the message diagram below; click a bar to show that operation's messages.</p>
  <div class="legend" id="timeline-legend"></div>
  <div class="canvas-wrap"><canvas id="timeline"></canvas></div>
  <p class="count" id="timeline-count"></p>
</section>
<section id="lamport-section">
  <h2>Messages (space-time diagram)</h2>
  <p class="help">One row per process; time runs left to right. Each arrow is a message, from when it was sent to when it arrived.
  A cross marks a message the network dropped. Hover over an arrow for its details.</p>
  <div class="controls">
    <label>From <input type="number" id="window-start" step="1" min="0"> ms</label>
    <label>to <input type="number" id="window-end" step="1" min="0"> ms</label>
    <button type="button" id="window-earlier">&larr; Earlier</button>
    <button type="button" id="window-later">Later &rarr;</button>
    <label class="check"><input type="checkbox" id="hide-clients"> Hide client messages</label>
    <label class="check"><input type="checkbox" id="hide-services"> Hide service messages</label>
  </div>
  <div class="legend" id="lamport-legend"></div>
  <p class="count" id="lamport-count"></p>
  <div class="svg-wrap" id="lamport-wrap"></div>
</section>
<section id="latency-section">
  <h2>Latency</h2>
  <p class="help">How long each operation took, by when it was sent. Shaded bands are network partitions.</p>
  <div class="chart" id="latency-chart"></div>
</section>
<section id="rate-section">
  <h2>Throughput</h2>
  <p class="help">Operations completed per second, by outcome (left axis), and messages sent per second (right axis).</p>
  <div class="chart" id="rate-chart"></div>
</section>`;
}

// ---- assets and escaping ----

const assets = new Map<string, string>();

/** The page's CSS and scripts, read once: ours from src/reports/html, uPlot's from node_modules. */
function asset(name: "report.css" | "report.js" | "uplot-js" | "uplot-css"): string {
  let text = assets.get(name);
  if (text === undefined) {
    text = readFileSync(assetPath(name), "utf8");
    assets.set(name, text);
  }
  return text;
}

function assetPath(name: string): string {
  if (name === "uplot-js" || name === "uplot-css") {
    const uplotDir = join(createRequire(import.meta.url).resolve("uplot/package.json"), "..", "dist");
    return join(uplotDir, name === "uplot-js" ? "uPlot.iife.min.js" : "uPlot.min.css");
  }
  return join(packageRoot, "src", "reports", "html", name);
}




// ---- small helpers ----

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function indexOf(values: readonly string[]): Map<string, number> {
  return new Map(values.map((v, i) => [v, i]));
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function tenths(ms: number): number {
  return Math.round(ms * 10);
}
