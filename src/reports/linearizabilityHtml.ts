import { describeOperation, describeProcess, show, type History } from "../checkers/linearizability/history.js";
import type { CheckResult, Outcome } from "../checkers/linearizability/result.js";
import { escapeHtml, pageStart, scriptSafe, scriptSafeJson } from "./htmlPage.js";

// One self-contained HTML page picturing a linearizability check, in the
// spirit of Porcupine's visualization: per part, a row per client and a bar
// per operation from call to return, the partial linearization the search
// found as a path through the bars, the operations that broke it in red, and
// the faults as bands behind. The page draws on a canvas and only what is in
// view, so a part of 100,000 operations stays quick to zoom and pan.

/** What the page's script reads from <script id="data">. Times are relative to the first call; null is "never" (JSON has no Infinity). */
interface PageData {
  title: string;
  model: string;
  outcome: Outcome;
  elapsedMs: number;
  failed: number;
  /** "ns": times are nanoseconds; "index": times are positions of events in the history (it had no times). */
  unit: "ns" | "index";
  /** The right end of the time axis: where unknown outcomes and unended faults fade out. */
  end: number;
  /** Process names as messages say them ("client 3"), in row order. */
  procs: string[];
  /** Operations as columns, indexed by operation id. */
  ops: {
    proc: number[];
    call: number[];
    /** null: the outcome is unknown. */
    ret: (number | null)[];
    /** describeOperation's words. */
    desc: string[];
    /** The value that came back, shown; null when none did. */
    out: (string | null)[];
    line: (number | null)[];
  };
  faults: { f: string; value: string; start: number; end: number | null }[];
  parts: PagePart[];
}

interface PagePart {
  label: string;
  outcome: Outcome;
  reason: string | null;
  ops: number[];
  prefix: number[];
  stuck: number[];
  states: string[];
  explanation: string[];
  steps: number;
  memo: number;
  elapsedMs: number;
}

/** The picture of one check as an HTML page that needs nothing else (no network, no files). */
export function renderLinearizabilityHtml(history: History, result: CheckResult, options: { title?: string } = {}): string {
  const title = options.title ?? `Linearizability check (${result.model}): ${result.outcome}`;
  const data = pageData(history, result, title);
  return [
    ...pageStart(title, [CSS]),
    BODY,
    `<script type="application/json" id="data">${scriptSafeJson(data)}</script>`,
    `<script>(${scriptSafe(page.toString())})();</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function pageData(history: History, result: CheckResult, title: string): PageData {
  const ops = history.operations;
  const t0 = ops.length === 0 ? 0 : minMax(ops.map((o) => o.call))[0];
  const finite = [...ops.flatMap((o) => (Number.isFinite(o.ret) ? [o.call, o.ret] : [o.call])), ...history.nemesis.flatMap((f) => (Number.isFinite(f.end) ? [f.start, f.end] : [f.start]))];
  const last = finite.length === 0 ? t0 + 1 : minMax(finite)[1];
  const span = Math.max(last - t0, 1);
  const procs = processOrder(ops.map((o) => o.process));
  const procIndex = new Map(procs.map((p, i) => [p, i]));
  const rel = (t: number) => t - t0;
  return {
    title,
    model: result.model,
    outcome: result.outcome,
    elapsedMs: result.elapsedMs,
    failed: history.failed,
    unit: looksLikeIndices(history, last) ? "index" : "ns",
    end: span + Math.max(span * 0.04, 1),
    procs: procs.map(describeProcess),
    ops: {
      proc: ops.map((o) => procIndex.get(o.process)!),
      call: ops.map((o) => rel(o.call)),
      ret: ops.map((o) => (Number.isFinite(o.ret) ? rel(o.ret) : null)),
      desc: ops.map(describeOperation),
      out: ops.map((o) => (o.status === "ok" && o.output !== undefined ? show(o.output) : null)),
      line: ops.map((o) => o.line ?? null),
    },
    faults: history.nemesis.map((f) => ({ f: f.f, value: f.value === null ? "" : show(f.value), start: rel(f.start), end: Number.isFinite(f.end) ? rel(f.end) : null })),
    parts: result.parts.map((p) => ({
      label: p.label,
      outcome: p.outcome,
      reason: p.reason ?? null,
      ops: p.operations,
      prefix: p.prefix ?? [],
      stuck: p.stuck ?? [],
      states: p.states ?? [],
      explanation: p.explanation ?? [],
      steps: p.steps,
      memo: p.memo,
      elapsedMs: p.elapsedMs,
    })),
  };
}

/** Math.min/max over a spread overflow the stack at 100k values. */
function minMax(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Histories without times use event positions: small integers, never more than the events there were. */
function looksLikeIndices(history: History, last: number): boolean {
  const events = 2 * (history.operations.length + history.failed) + 4 * history.nemesis.length;
  return Number.isInteger(last) && last <= events && history.operations.every((o) => Number.isInteger(o.call));
}

/** Numbered clients first, in number order, then named ones. */
function processOrder(processes: readonly (number | string)[]): (number | string)[] {
  const asNumber = (p: number | string) => (typeof p === "number" ? p : /^\d+$/.test(p) ? Number(p) : NaN);
  return [...new Set(processes)].sort((a, b) => {
    const na = asNumber(a);
    const nb = asNumber(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb || String(a).localeCompare(String(b));
    if (!Number.isNaN(na)) return -1;
    if (!Number.isNaN(nb)) return 1;
    return String(a).localeCompare(String(b));
  });
}



const BODY = `<header>
<h1 id="title"></h1>
<p id="summary"></p>
<label class="part-picker">Part <select id="part"></select></label>
</header>
<main>
<section id="detail">
<p id="status"></p>
<ul id="explanation"></ul>
<p id="states"></p>
<p id="search"></p>
</section>
<div id="controls">
<button type="button" id="failure">Show the failure</button>
<button type="button" id="whole">Whole part</button>
<button type="button" id="zoom-in" title="Zoom in">+</button>
<button type="button" id="zoom-out" title="Zoom out">&minus;</button>
<span class="hint">Wheel: zoom &middot; drag: pan &middot; hover: details</span>
<span id="legend"></span>
</div>
<div id="picture"><canvas id="canvas"></canvas></div>
<p id="rows-note"></p>
<pre id="errors" hidden></pre>
</main>
<div id="tooltip" hidden></div>`;

const CSS = `
:root { --text: #1f2933; --muted: #5f6b7a; --line: #dee2e6; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--text); background: #f8f9fa; }
header { padding: 14px 20px 10px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 2px; font-size: 19px; }
#summary { margin: 0 0 8px; color: var(--muted); }
.part-picker { font-weight: 600; }
select { font: inherit; margin-left: 6px; padding: 2px 4px; max-width: 70vw; }
main { padding: 12px 20px 20px; }
#detail { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin-bottom: 10px; }
#status { margin: 0; font-weight: 600; font-size: 15px; }
#status.illegal { color: #c92a2a; }
#status.ok { color: #2b8a3e; }
#status.unknown { color: #e67700; }
#explanation { margin: 6px 0 0; padding-left: 20px; }
#explanation:empty, #states:empty, #search:empty { display: none; }
#states { margin: 6px 0 0; }
#search { margin: 6px 0 0; color: var(--muted); font-size: 12px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
#controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-bottom: 6px; }
button { font: inherit; padding: 2px 10px; border: 1px solid #ced4da; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover { background: #f1f3f5; }
button:disabled { color: #adb5bd; cursor: default; }
.hint { color: var(--muted); font-size: 12px; margin: 0 8px; }
#legend { display: inline-flex; flex-wrap: wrap; gap: 10px; font-size: 12px; }
.swatch { display: inline-block; width: 14px; height: 10px; border: 1px solid; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
#picture { background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
canvas { display: block; width: 100%; cursor: grab; touch-action: none; }
canvas.dragging { cursor: grabbing; }
#rows-note { margin: 4px 0 0; color: var(--muted); font-size: 12px; }
#rows-note:empty { display: none; }
#errors { color: #c92a2a; white-space: pre-wrap; }
#tooltip { position: fixed; z-index: 10; pointer-events: none; max-width: 460px; background: #212529; color: #f8f9fa; padding: 7px 10px; border-radius: 5px; font-size: 12.5px; line-height: 1.5; box-shadow: 0 2px 8px rgba(0,0,0,.25); }
#tooltip b { font: 600 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
#tooltip .muted { color: #adb5bd; }
#tooltip .bad { color: #ffa8a8; }
`;

/**
 * The page's script, type-checked here and inlined as source: it must not
 * use anything outside itself. It reads PageData, fills the text, and draws
 * the selected part on the canvas (only the rows and operations in view).
 */
function page(): void {
  const errors = document.getElementById("errors")!;
  const fail = (message: string) => {
    errors.hidden = false;
    errors.textContent += `${message}\n`;
  };
  window.addEventListener("error", (e) => fail(`error: ${e.message}`));
  try {
    main();
  } catch (e) {
    fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
  }

  function main(): void {
    const started = performance.now();
    const data = JSON.parse(document.getElementById("data")!.textContent!) as PageData;
    const ops = data.ops;
    const count = ops.call.length;
    const END = data.end;
    const retOf = (id: number) => ops.ret[id] ?? END;

    const ROW_H = 26;
    const BAR_H = 16;
    const AXIS_H = 28;
    const LANE_H = 17;
    const MAX_ROWS = 24;
    const COLOR = {
      // fill, edge, and the tone of a bar too thin to have an edge
      plain: ["#d3f9d8", "#2f9e44", "#8ce99a"],
      linearized: ["#d0ebff", "#1c7ed6", "#74c0fc"],
      unreached: ["#f1f3f5", "#adb5bd", "#ced4da"],
      stuck: ["#ffe3e3", "#e03131", "#e03131"],
      first: ["#ff8787", "#c92a2a", "#c92a2a"],
      path: "#1864ab",
      fault: "rgba(250, 176, 5, 0.16)",
      faultEdge: "rgba(230, 119, 0, 0.55)",
      faultText: "#a35200",
      grid: "#eef0f2",
      stripe: "#fafbfc",
      text: "#1f2933",
      muted: "#5f6b7a",
    } as const;
    /** Per operation, how it is drawn in the selected part. */
    const ROLE = { none: 0, plain: 1, linearized: 2, unreached: 3, stuck: 4, first: 5 } as const;
    const roleColor = [COLOR.unreached, COLOR.plain, COLOR.linearized, COLOR.unreached, COLOR.stuck, COLOR.first] as const;

    interface Row {
      name: string;
      /** Completed operations by call time, and the running maximum of their returns (to find the first in view). */
      done: number[];
      calls: number[];
      reach: number[];
      /** Operations of unknown outcome, by call time. */
      open: number[];
    }
    interface View {
      part: PagePart;
      rows: Row[];
      rowOf: Map<number, number>;
      role: Uint8Array;
      /** Position in the linearization, 1-based; 0 when not in it. */
      order: Uint32Array;
      /** A point in time in each linearized operation, non-decreasing, and its row. */
      pathT: number[];
      pathRow: number[];
      start: number;
      stop: number;
    }

    const canvas = document.getElementById("canvas") as HTMLCanvasElement;
    const ctx = canvas.getContext("2d")!;
    const tooltip = document.getElementById("tooltip")!;
    const select = document.getElementById("part") as HTMLSelectElement;
    const lanes = faultLanes();
    const laneCount = lanes.length === 0 ? 0 : Math.max(...lanes) + 1;
    const rowsTop = AXIS_H + laneCount * LANE_H;

    let view: View;
    let v0 = 0;
    let v1 = 1;
    let scrollY = 0;
    let gutter = 90;
    let frame = 0;

    document.getElementById("title")!.textContent = data.title;
    document.getElementById("summary")!.textContent = summary();
    data.parts.forEach((p, i) => select.add(new Option(`${partName(p)}: ${p.outcome} (${p.ops.length} operations)`, String(i))));
    const firstIllegal = data.parts.findIndex((p) => p.outcome === "illegal");
    select.addEventListener("change", () => choose(Number(select.value)));
    wireControls();
    if (data.parts.length === 0) {
      select.disabled = true;
      document.getElementById("status")!.textContent = "no parts were checked";
      view = build({ label: "", outcome: data.outcome, reason: null, ops: [], prefix: [], stuck: [], states: [], explanation: [], steps: 0, memo: 0, elapsedMs: 0 });
      draw();
    } else {
      select.value = String(Math.max(firstIllegal, 0));
      choose(Math.max(firstIllegal, 0));
    }
    document.body.dataset.renderMs = String(Math.round(performance.now() - started));
    document.body.dataset.ready = "1";
    (window as unknown as { clstrPicture: unknown }).clstrPicture = { locate, setWindow };

    // ---- text ----

    function partName(p: PagePart): string {
      return p.label === "" ? "the history" : `part ${p.label}`;
    }

    function summary(): string {
      const tally = new Map<string, number>();
      for (const p of data.parts) tally.set(p.outcome, (tally.get(p.outcome) ?? 0) + 1);
      const parts = data.parts.length === 1 ? "1 part" : `${data.parts.length} parts (${[...tally].map(([o, k]) => `${k} ${o}`).join(", ")})`;
      const failed = data.failed === 0 ? "" : `, ${data.failed} failed invocation${data.failed === 1 ? "" : "s"} left out`;
      return `Model ${data.model} · ${count} operations${failed} · ${parts} · checked in ${data.elapsedMs} ms`;
    }

    function describePart(p: PagePart): void {
      const status = document.getElementById("status")!;
      status.className = p.outcome;
      const name = partName(p);
      if (p.outcome === "illegal") status.textContent = `${name}: illegal, ${p.prefix.length} of ${p.ops.length} operations linearized`;
      else if (p.outcome === "ok") status.textContent = `${name}: ok, ${p.ops.length} operations`;
      else status.textContent = `${name}: unknown, ${p.ops.length} operations${p.reason ? ` (${p.reason})` : ""}`;
      const list = document.getElementById("explanation")!;
      list.replaceChildren(...p.explanation.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
      const shown = p.states.slice(0, 12);
      const more = p.states.length - shown.length;
      const states = document.getElementById("states")!;
      states.replaceChildren();
      if (shown.length > 0) {
        states.append(`After the linearized operations the object could be: `);
        shown.forEach((s, i) => {
          if (i > 0) states.append(i === shown.length - 1 && more === 0 ? " or " : ", ");
          states.append(Object.assign(document.createElement("code"), { textContent: s }));
        });
        if (more > 0) states.append(`, or ${more} more`);
      }
      document.getElementById("search")!.textContent = `Search: ${p.steps} steps, ${p.memo} memo entries, ${p.elapsedMs} ms.`;
      const failureButton = document.getElementById("failure") as HTMLButtonElement;
      failureButton.disabled = p.outcome !== "illegal" || (p.stuck.length === 0 && p.prefix.length === 0);
      legend(p);
    }

    function legend(p: PagePart): void {
      const items: [string, readonly string[]][] =
        p.outcome === "illegal"
          ? [["linearized, in order", COLOR.linearized], ["could not be placed", COLOR.stuck], ["first to fail", COLOR.first], ["not reached", COLOR.unreached]]
          : [["operation", p.outcome === "ok" ? COLOR.plain : COLOR.unreached]];
      const el = document.getElementById("legend")!;
      el.replaceChildren(
        ...items.map(([word, [fill, edge]]) => {
          const span = document.createElement("span");
          const swatch = Object.assign(document.createElement("span"), { className: "swatch" });
          swatch.style.background = fill!;
          swatch.style.borderColor = edge!;
          span.append(swatch, word);
          return span;
        }),
      );
      const fade = document.createElement("span");
      const sw = Object.assign(document.createElement("span"), { className: "swatch" });
      sw.style.background = "linear-gradient(to right, #adb5bd, transparent)";
      sw.style.borderColor = "transparent";
      fade.append(sw, "outcome unknown");
      el.append(fade);
      if (data.faults.length > 0) {
        const f = document.createElement("span");
        const s = Object.assign(document.createElement("span"), { className: "swatch" });
        s.style.background = COLOR.fault;
        s.style.borderColor = COLOR.faultEdge;
        f.append(s, "fault");
        el.append(f);
      }
    }

    // ---- the selected part ----

    function choose(index: number): void {
      const p = data.parts[index]!;
      view = build(p);
      describePart(p);
      scrollY = 0;
      if (p.outcome === "illegal" && p.ops.length > 200) showFailure();
      else showWhole();
    }

    function build(p: PagePart): View {
      const known = (id: number) => Number.isInteger(id) && id >= 0 && id < count;
      const ids = p.ops.filter(known).sort((a, b) => ops.call[a]! - ops.call[b]!);
      const byProc = new Map<number, number[]>();
      for (const id of ids) {
        const list = byProc.get(ops.proc[id]!);
        if (list) list.push(id);
        else byProc.set(ops.proc[id]!, [id]);
      }
      const rowOf = new Map<number, number>();
      const rows = [...byProc.keys()]
        .sort((a, b) => a - b)
        .map((proc, r): Row => {
          const list = byProc.get(proc)!;
          for (const id of list) rowOf.set(id, r);
          const done = list.filter((id) => ops.ret[id] !== null);
          let reach = -Infinity;
          return { name: data.procs[proc]!, done, calls: done.map((id) => ops.call[id]!), reach: done.map((id) => (reach = Math.max(reach, ops.ret[id]!))), open: list.filter((id) => ops.ret[id] === null) };
        });
      const role = new Uint8Array(count);
      const order = new Uint32Array(count);
      const prefix = p.prefix.filter((id) => known(id) && rowOf.has(id));
      const stuck = p.stuck.filter((id) => known(id) && rowOf.has(id));
      const illegal = p.outcome === "illegal";
      for (const id of ids) role[id] = illegal ? ROLE.unreached : p.outcome === "ok" ? ROLE.plain : ROLE.none;
      prefix.forEach((id, i) => {
        role[id] = ROLE.linearized;
        order[id] = i + 1;
      });
      stuck.forEach((id, i) => (role[id] = i === 0 ? ROLE.first : ROLE.stuck));
      // A point in each linearized operation, in order: at least the previous point and the call, at most every later return.
      const latest: number[] = new Array(prefix.length);
      let bound = Infinity;
      for (let i = prefix.length - 1; i >= 0; i--) latest[i] = bound = Math.min(bound, retOf(prefix[i]!));
      let t = -Infinity;
      const pathT = prefix.map((id, i) => {
        const lo = Math.max(t, ops.call[id]!);
        const hi = Math.max(lo, Math.min(latest[i]!, retOf(id)));
        t = lo + (hi - lo) / 2;
        return t;
      });
      let start = Infinity;
      let stop = -Infinity;
      for (const id of ids) {
        start = Math.min(start, ops.call[id]!);
        stop = Math.max(stop, ops.ret[id] ?? END);
      }
      if (ids.length === 0) [start, stop] = [0, END];
      return { part: p, rows, rowOf, role, order, pathT, pathRow: prefix.map((id) => rowOf.get(id)!), start, stop };
    }

    // ---- the window ----

    function setWindow(a: number, b: number): void {
      const full = Math.max(END, view.stop) - Math.min(0, view.start);
      const minSpan = data.unit === "index" ? 2 : 10;
      let span = Math.min(Math.max(b - a, minSpan), full * 1.5);
      const mid = (a + b) / 2;
      let lo = mid - span / 2;
      const left = Math.min(0, view.start) - full * 0.25;
      const right = END + full * 0.25;
      if (lo < left) lo = left;
      if (lo + span > right) lo = Math.max(left, right - span);
      span = Math.min(span, right - lo);
      v0 = lo;
      v1 = lo + span;
      schedule();
    }

    function showWhole(): void {
      const span = Math.max(view.stop - view.start, 1);
      setWindow(view.start - span * 0.02, view.stop + span * 0.03);
    }

    /** The first operation that could not be placed, with the last few that were. */
    function showFailure(): void {
      const p = view.part;
      const first = p.stuck.find((id) => view.rowOf.has(id));
      const times: number[] = [];
      if (first !== undefined) times.push(ops.call[first]!, ops.ret[first] ?? ops.call[first]!);
      const tail = p.prefix.slice(-8).filter((id) => view.rowOf.has(id));
      for (const id of tail) times.push(ops.call[id]!, ops.ret[id] ?? ops.call[id]!);
      if (times.length === 0) return showWhole();
      const a = Math.min(...times);
      const b = Math.max(...times);
      const pad = Math.max((b - a) * 0.15, data.unit === "index" ? 2 : 10);
      setWindow(a - pad, b + pad);
      if (first !== undefined) scrollTo(view.rowOf.get(first)!);
    }

    function scrollTo(row: number): void {
      const visible = Math.min(view.rows.length, MAX_ROWS);
      scrollY = clampScroll((row - Math.floor(visible / 2)) * ROW_H);
    }

    function clampScroll(y: number): number {
      const visible = Math.min(view.rows.length, MAX_ROWS);
      return Math.max(0, Math.min(y, (view.rows.length - visible) * ROW_H));
    }

    // ---- drawing ----

    function schedule(): void {
      if (frame === 0) frame = requestAnimationFrame(() => draw());
    }

    function geometry() {
      const width = canvas.clientWidth || 800;
      const visibleRows = Math.max(1, Math.min(view.rows.length, MAX_ROWS));
      const height = rowsTop + visibleRows * ROW_H + 4;
      const left = gutter;
      const right = width - 12;
      return { width, height, left, right, bottom: height };
    }

    function draw(): void {
      frame = 0;
      const began = performance.now();
      const dpr = window.devicePixelRatio || 1;
      ctx.font = "12px system-ui, sans-serif";
      gutter = Math.min(220, Math.max(70, ...view.rows.map((r) => ctx.measureText(r.name).width + 20)));
      const g = geometry();
      canvas.style.height = `${g.height}px`;
      if (canvas.width !== Math.round(g.width * dpr) || canvas.height !== Math.round(g.height * dpr)) {
        canvas.width = Math.round(g.width * dpr);
        canvas.height = Math.round(g.height * dpr);
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, g.width, g.height);
      const x = (t: number) => g.left + ((t - v0) / (v1 - v0)) * (g.right - g.left);
      const first = Math.floor(scrollY / ROW_H);
      const last = Math.min(view.rows.length - 1, Math.floor((scrollY + g.height - rowsTop) / ROW_H));
      const rowY = (r: number) => rowsTop + r * ROW_H - scrollY;

      ctx.save();
      ctx.beginPath();
      ctx.rect(g.left, rowsTop, g.right - g.left, g.height - rowsTop);
      ctx.clip();
      for (let r = first; r <= last; r++) {
        if (r % 2 === 1) {
          ctx.fillStyle = COLOR.stripe;
          ctx.fillRect(g.left, rowY(r), g.right - g.left, ROW_H);
        }
      }
      const ticks = axisTicks(g.right - g.left);
      if (ticks.length === 0) ticks.push(v0);
      ctx.strokeStyle = COLOR.grid;
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (const t of ticks) {
        const px = Math.round(x(t)) + 0.5;
        ctx.moveTo(px, rowsTop);
        ctx.lineTo(px, g.height);
      }
      ctx.stroke();
      ctx.restore();

      drawFaults(g, x);

      ctx.save();
      ctx.beginPath();
      ctx.rect(g.left, rowsTop, g.right - g.left, g.height - rowsTop);
      ctx.clip();
      let drawn = 0;
      for (let r = first; r <= last; r++) drawn += drawRow(view.rows[r]!, rowY(r) + (ROW_H - BAR_H) / 2, x, g.right);
      const points = drawPath(x, rowY, g);
      drawStuck(x, rowY);
      ctx.restore();

      drawGutter(g, first, last, rowY);
      drawAxis(g, x, ticks);

      canvas.dataset.drawn = String(drawn);
      canvas.dataset.path = String(Math.max(points, 0));
      canvas.dataset.window = `${v0},${v1}`;
      canvas.dataset.drawMs = String(Math.round(performance.now() - began));
      const note = document.getElementById("rows-note")!;
      const visible = Math.min(view.rows.length, MAX_ROWS);
      const notes = [];
      if (view.rows.length > visible) notes.push(`Clients ${first + 1}–${Math.min(first + visible, view.rows.length)} of ${view.rows.length}: drag up or down to see the others.`);
      if (points < 0) notes.push(`${-points} linearized operations in view: zoom in to see the path through them.`);
      note.textContent = notes.join(" ");
    }

    /** Draws a row's operations in view; returns how many bars it drew. */
    function drawRow(row: Row, y: number, x: (t: number) => number, right: number): number {
      let drawn = 0;
      let lastPx = -Infinity;
      for (const id of row.open) {
        if (ops.call[id]! > v1) break;
        const x1 = x(ops.call[id]!);
        if (Math.floor(x1) === lastPx) continue;
        lastPx = Math.floor(x1);
        const [, edge, tone] = roleColor[view.role[id]!]!;
        const x2 = Math.max(x(END), x1 + 30);
        const grad = ctx.createLinearGradient(x1, 0, Math.min(x2, Math.max(x1 + 60, right)), 0);
        grad.addColorStop(0, tone);
        grad.addColorStop(1, "rgba(255,255,255,0)");
        ctx.fillStyle = grad;
        ctx.fillRect(x1, y, x2 - x1, BAR_H);
        ctx.fillStyle = edge;
        ctx.fillRect(x1, y, 2, BAR_H);
        // Its words go in the room before the next completed operation.
        const next = row.calls[lowerBound(row.calls, ops.call[id]! + 1e-9)];
        if (x1 >= gutter) label(id, x1 + 5, Math.min(x2, right, next === undefined ? Infinity : x(next)) - x1 - 8, y);
        drawn++;
      }
      let i = lowerBound(row.reach, v0);
      lastPx = -Infinity;
      let lastRole = -1;
      for (; i < row.done.length; i++) {
        const id = row.done[i]!;
        const call = ops.call[id]!;
        if (call > v1) break;
        const x1 = x(call);
        const x2 = x(ops.ret[id]!);
        const role = view.role[id]!;
        if (x2 - x1 < 1 && Math.floor(x1) === lastPx && role === lastRole) continue;
        lastPx = Math.floor(x1);
        lastRole = role;
        drawBar(id, x1, x2, y);
        drawn++;
      }
      return drawn;
    }

    function drawBar(id: number, x1: number, x2: number, y: number): void {
      const [fill, edge, tone] = roleColor[view.role[id]!]!;
      const w = Math.max(1, x2 - x1 - 1);
      if (w < 3) {
        ctx.fillStyle = tone;
        ctx.fillRect(x1, y, w, BAR_H);
        return;
      }
      ctx.fillStyle = fill;
      ctx.fillRect(x1, y, w, BAR_H);
      ctx.strokeStyle = edge;
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.round(x1) + 0.5, y + 0.5, Math.max(1, Math.round(w) - 1), BAR_H - 1);
      const mark = view.role[id] === ROLE.first ? 9 : 0;
      label(id, x1 + 4 + mark, w - 8 - mark, y);
    }

    function label(id: number, at: number, room: number, y: number): void {
      if (room < 24) return;
      let text = ops.desc[id]!;
      const start = Math.max(at, gutter + 4);
      room -= start - at;
      if (room < 24) return;
      ctx.font = "11.5px ui-monospace, SFMono-Regular, Menlo, monospace";
      if (ctx.measureText(text).width > room) {
        while (text.length > 1 && ctx.measureText(`${text}…`).width > room) text = text.slice(0, Math.max(1, Math.floor(text.length * 0.8)));
        text = `${text}…`;
        if (ctx.measureText(text).width > room) return;
      }
      ctx.fillStyle = view.role[id] === ROLE.first ? "#fff" : COLOR.text;
      ctx.textBaseline = "middle";
      ctx.fillText(text, start, y + BAR_H / 2 + 0.5);
    }

    /** The linearization as a path through the bars; returns how many of its points are in view (negative: too many to draw). */
    function drawPath(x: (t: number) => number, rowY: (r: number) => number, g: { left: number; right: number }): number {
      const T = view.pathT;
      if (T.length === 0) return 0;
      const a = Math.max(0, lowerBound(T, v0) - 1);
      const b = Math.min(T.length - 1, lowerBound(T, v1));
      const centre = (i: number) => rowY(view.pathRow[i]!) + ROW_H / 2;
      const inView = b - a + 1;
      if (inView > (g.right - g.left) / 3) return -inView;
      ctx.strokeStyle = COLOR.path;
      ctx.lineWidth = 1.6;
      ctx.lineJoin = "round";
      // Many points to a pixel column (zoomed out): one vertical stroke per column, so the path stays cheap to draw.
      ctx.beginPath();
      ctx.moveTo(x(T[a]!), centre(a));
      for (let i = a + 1; i <= b; ) {
        const px = x(T[i]!);
        const column = Math.floor(px);
        let top = centre(i);
        let bottom = top;
        let j = i + 1;
        while (j <= b && Math.floor(x(T[j]!)) === column) {
          const y = centre(j);
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          j++;
        }
        ctx.lineTo(px, centre(i));
        if (j - i > 2) {
          ctx.lineTo(px, top);
          ctx.lineTo(px, bottom);
        }
        if (j - i > 1) ctx.lineTo(x(T[j - 1]!), centre(j - 1));
        i = j;
      }
      ctx.stroke();
      if ((g.right - g.left) / inView > 6) {
        ctx.fillStyle = COLOR.path;
        for (let i = a; i <= b; i++) {
          ctx.beginPath();
          ctx.arc(x(T[i]!), centre(i), 3, 0, Math.PI * 2);
          ctx.fill();
        }
      }
      if ((g.right - g.left) / inView > 22) {
        ctx.font = "bold 10px system-ui, sans-serif";
        ctx.textBaseline = "bottom";
        ctx.fillStyle = COLOR.path;
        ctx.strokeStyle = "rgba(255,255,255,0.9)";
        ctx.lineWidth = 3;
        for (let i = a; i <= b; i++) {
          ctx.strokeText(String(i + 1), x(T[i]!) + 4, centre(i) - 3);
          ctx.fillText(String(i + 1), x(T[i]!) + 4, centre(i) - 3);
        }
      }
      return inView;
    }

    /** The first operation that could not be placed: outlined, with a dashed line from the last point of the path to where it would go. */
    function drawStuck(x: (t: number) => number, rowY: (r: number) => number): void {
      const p = view.part;
      if (p.outcome !== "illegal") return;
      for (const id of p.stuck) {
        const r = view.rowOf.get(id);
        if (r === undefined) continue;
        const first = view.role[id] === ROLE.first;
        const y = rowY(r) + (ROW_H - BAR_H) / 2;
        const x1 = x(ops.call[id]!);
        const x2 = ops.ret[id] === null ? x1 + 30 : x(ops.ret[id]!);
        ctx.strokeStyle = COLOR.first[1];
        ctx.lineWidth = first ? 2.5 : 1.5;
        ctx.strokeRect(x1 - 1.5, y - 1.5, Math.max(2, x2 - x1) + 2, BAR_H + 3);
        if (!first) continue;
        const T = view.pathT;
        const lastT = T.length === 0 ? ops.call[id]! : T[T.length - 1]!;
        const at = Math.min(Math.max(lastT, ops.call[id]!), retOf(id));
        const cy = rowY(r) + ROW_H / 2;
        if (T.length > 0) {
          ctx.setLineDash([4, 3]);
          ctx.lineWidth = 1.6;
          ctx.beginPath();
          ctx.moveTo(x(lastT), rowY(view.pathRow[T.length - 1]!) + ROW_H / 2);
          ctx.lineTo(x(at), cy);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        const cx = x(at);
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.moveTo(cx - 5, cy - 5);
        ctx.lineTo(cx + 5, cy + 5);
        ctx.moveTo(cx + 5, cy - 5);
        ctx.lineTo(cx - 5, cy + 5);
        ctx.stroke();
      }
    }

    function drawFaults(g: { left: number; right: number; height: number }, x: (t: number) => number): void {
      ctx.save();
      ctx.beginPath();
      ctx.rect(g.left, AXIS_H, g.right - g.left, g.height - AXIS_H);
      ctx.clip();
      data.faults.forEach((f, i) => {
        const x1 = x(f.start);
        const x2 = x(f.end ?? END);
        if (x2 < g.left || x1 > g.right) return;
        ctx.fillStyle = COLOR.fault;
        ctx.fillRect(x1, AXIS_H, Math.max(2, x2 - x1), g.height - AXIS_H);
        ctx.strokeStyle = COLOR.faultEdge;
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(Math.round(x1) + 0.5, AXIS_H);
        ctx.lineTo(Math.round(x1) + 0.5, g.height);
        if (f.end !== null) {
          ctx.moveTo(Math.round(x2) + 0.5, AXIS_H);
          ctx.lineTo(Math.round(x2) + 0.5, g.height);
        }
        ctx.stroke();
        const y = AXIS_H + lanes[i]! * LANE_H;
        ctx.fillStyle = "rgba(250, 176, 5, 0.35)";
        ctx.fillRect(x1, y + 1, Math.max(2, x2 - x1), LANE_H - 2);
        ctx.font = "11px system-ui, sans-serif";
        ctx.textBaseline = "middle";
        ctx.fillStyle = COLOR.faultText;
        const text = `${f.f}${f.value ? ` ${f.value}` : ""}`;
        ctx.save();
        ctx.beginPath();
        ctx.rect(Math.max(x1, g.left), y, Math.min(x2, g.right) - Math.max(x1, g.left), LANE_H);
        ctx.clip();
        ctx.fillText(text, Math.max(x1, g.left) + 4, y + LANE_H / 2);
        ctx.restore();
      });
      ctx.restore();
    }

    function drawGutter(g: { height: number }, first: number, last: number, rowY: (r: number) => number): void {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, gutter, g.height);
      ctx.font = "12px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "right";
      ctx.fillStyle = COLOR.text;
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, rowsTop, gutter, g.height - rowsTop);
      ctx.clip();
      for (let r = first; r <= last; r++) {
        let name = view.rows[r]!.name;
        while (name.length > 2 && ctx.measureText(name).width > gutter - 16) name = `${name.slice(0, -2)}…`;
        ctx.fillText(name, gutter - 8, rowY(r) + ROW_H / 2);
      }
      ctx.restore();
      ctx.fillStyle = COLOR.muted;
      ctx.font = "11px system-ui, sans-serif";
      if (laneCount > 0) ctx.fillText("faults", gutter - 8, AXIS_H + (laneCount * LANE_H) / 2);
      ctx.textAlign = "left";
      ctx.strokeStyle = "#dee2e6";
      ctx.beginPath();
      ctx.moveTo(gutter - 0.5, 0);
      ctx.lineTo(gutter - 0.5, g.height);
      ctx.stroke();
    }

    function drawAxis(g: { width: number; left: number; right: number }, x: (t: number) => number, ticks: number[]): void {
      ctx.fillStyle = "#fff";
      ctx.fillRect(g.left, 0, g.width - g.left, AXIS_H);
      ctx.strokeStyle = "#ced4da";
      ctx.beginPath();
      ctx.moveTo(g.left, AXIS_H - 0.5);
      ctx.lineTo(g.right, AXIS_H - 0.5);
      ctx.stroke();
      ctx.font = "11px system-ui, sans-serif";
      ctx.textBaseline = "middle";
      ctx.fillStyle = COLOR.muted;
      const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : v1 - v0;
      // Far from the start, ticks count from the first one ("+50 µs"), which says where it is.
      const base = Math.abs(ticks[0]!) / step > 1000 ? ticks[0]! : undefined;
      ctx.textAlign = "center";
      for (const t of ticks) {
        const px = x(t);
        if (px < g.left + 14 || px > g.right - 14) continue;
        ctx.fillRect(Math.round(px), AXIS_H - 5, 1, 5);
        const text = base === undefined ? tickLabel(t, step) : t === base ? exactTime(t, step) : `+${tickLabel(t - base, step)}`;
        ctx.fillText(text, px, AXIS_H / 2 - 2);
      }
      ctx.textAlign = "right";
      ctx.fillText(data.unit === "index" ? "event" : "time", gutter - 8, AXIS_H / 2 - 2);
      ctx.textAlign = "left";
    }

    function axisTicks(pixels: number): number[] {
      const span = v1 - v0;
      const want = Math.max(2, pixels / 110);
      let step = 10 ** Math.floor(Math.log10(span / want));
      for (const k of [1, 2, 5, 10]) {
        if (span / (step * k) <= want) {
          step *= k;
          break;
        }
      }
      if (data.unit === "index") step = Math.max(1, Math.round(step));
      const out: number[] = [];
      for (let t = Math.ceil(v0 / step) * step; t <= v1 && out.length < 200; t += step) out.push(t);
      return out;
    }

    /** The unit of a tick label follows the step between ticks: 250 µs, 1.5 ms, 2 s. */
    function tickLabel(t: number, step: number): string {
      if (data.unit === "index") return String(Math.round(t));
      const [unit, size] = step >= 1e9 ? ["s", 1e9] : step >= 1e6 ? ["ms", 1e6] : step >= 1e3 ? ["µs", 1e3] : ["ns", 1];
      const digits = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / size) - 1e-9)));
      return `${(t / size).toFixed(digits)} ${unit}`;
    }

    /** A time far from the start, precise to a step: "4.99940 s". */
    function exactTime(t: number, step: number): string {
      if (data.unit === "index") return String(Math.round(t));
      const [unit, size] = Math.abs(t) >= 1e9 ? ["s", 1e9] : Math.abs(t) >= 1e6 ? ["ms", 1e6] : ["µs", 1e3];
      const digits = Math.max(0, Math.min(9, Math.ceil(Math.log10(size / step) - 1e-9)));
      return `${(t / size).toFixed(digits)} ${unit}`;
    }

    /** A time or a duration in the unit that suits it: 830 ns, 12.4 µs, 3.215 ms, 1.2 s. */
    function duration(t: number): string {
      if (data.unit === "index") return `event ${Math.round(t)}`;
      const a = Math.abs(t);
      if (a < 1e3) return `${Math.round(t)} ns`;
      if (a < 1e6) return `${+(t / 1e3).toFixed(3)} µs`;
      if (a < 1e9) return `${+(t / 1e6).toFixed(3)} ms`;
      return `${+(t / 1e9).toFixed(3)} s`;
    }

    /** Lanes for fault labels, so that overlapping faults do not write over each other. */
    function faultLanes(): number[] {
      const ends: number[] = [];
      return data.faults.map((f) => {
        let lane = ends.findIndex((end) => end <= f.start);
        if (lane === -1) lane = ends.length;
        ends[lane] = f.end ?? Infinity;
        return lane;
      });
    }

    // ---- interaction ----

    function wireControls(): void {
      document.getElementById("whole")!.addEventListener("click", () => showWhole());
      document.getElementById("failure")!.addEventListener("click", () => showFailure());
      document.getElementById("zoom-in")!.addEventListener("click", () => zoom(0.5, (v0 + v1) / 2));
      document.getElementById("zoom-out")!.addEventListener("click", () => zoom(2, (v0 + v1) / 2));
      window.addEventListener("resize", () => schedule());
      canvas.addEventListener(
        "wheel",
        (e) => {
          e.preventDefault();
          const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
          const g = geometry();
          if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
            const dx = (e.shiftKey ? e.deltaY || e.deltaX : e.deltaX) * scale;
            const dt = (dx / (g.right - g.left)) * (v1 - v0);
            setWindow(v0 + dt, v1 + dt);
            return;
          }
          const at = v0 + ((offsetX(e) - g.left) / (g.right - g.left)) * (v1 - v0);
          zoom(Math.exp(e.deltaY * scale * 0.0015), at);
        },
        { passive: false },
      );
      let drag: { x: number; y: number; v0: number; v1: number; scroll: number } | undefined;
      canvas.addEventListener("pointerdown", (e) => {
        drag = { x: e.clientX, y: e.clientY, v0, v1, scroll: scrollY };
        canvas.setPointerCapture(e.pointerId);
        canvas.classList.add("dragging");
        tooltip.hidden = true;
      });
      canvas.addEventListener("pointermove", (e) => {
        if (!drag) return hover(e);
        const g = geometry();
        const dt = ((e.clientX - drag.x) / (g.right - g.left)) * (drag.v1 - drag.v0);
        scrollY = clampScroll(drag.scroll - (e.clientY - drag.y));
        setWindow(drag.v0 - dt, drag.v1 - dt);
      });
      const end = () => {
        drag = undefined;
        canvas.classList.remove("dragging");
      };
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
      canvas.addEventListener("pointerleave", () => (tooltip.hidden = true));
    }

    function offsetX(e: MouseEvent): number {
      return e.clientX - canvas.getBoundingClientRect().left;
    }

    function zoom(factor: number, at: number): void {
      setWindow(at - (at - v0) * factor, at + (v1 - at) * factor);
    }

    function hover(e: PointerEvent): void {
      const box = canvas.getBoundingClientRect();
      const px = e.clientX - box.left;
      const py = e.clientY - box.top;
      const g = geometry();
      const tOf = (x: number) => v0 + ((x - g.left) / (g.right - g.left)) * (v1 - v0);
      let html: string | undefined;
      if (px >= g.left && py >= AXIS_H && py < rowsTop) {
        const lane = Math.floor((py - AXIS_H) / LANE_H);
        const t = tOf(px);
        const i = data.faults.findIndex((f, k) => lanes[k] === lane && f.start <= t && t <= (f.end ?? END));
        if (i >= 0) html = faultTip(i);
      } else if (px >= g.left && py >= rowsTop) {
        const r = Math.floor((py - rowsTop + scrollY) / ROW_H);
        const row = view.rows[r];
        const id = row && opAt(row, tOf(px), ((v1 - v0) / (g.right - g.left)) * 3);
        if (id !== undefined) html = opTip(id);
      }
      if (html === undefined) {
        tooltip.hidden = true;
        return;
      }
      tooltip.innerHTML = html;
      tooltip.hidden = false;
      const w = tooltip.offsetWidth;
      const h = tooltip.offsetHeight;
      tooltip.style.left = `${Math.min(e.clientX + 14, window.innerWidth - w - 8)}px`;
      tooltip.style.top = `${e.clientY + 16 + h > window.innerHeight ? e.clientY - h - 10 : e.clientY + 16}px`;
    }

    /** The completed operation under the pointer (within a few pixels), else the latest of unknown outcome called before it. */
    function opAt(row: Row, t: number, slack: number): number | undefined {
      let best: number | undefined;
      let bestGap = Infinity;
      for (let i = lowerBound(row.reach, t - slack); i < row.done.length; i++) {
        const id = row.done[i]!;
        if (ops.call[id]! > t + slack) break;
        const gap = t < ops.call[id]! ? ops.call[id]! - t : t > ops.ret[id]! ? t - ops.ret[id]! : 0;
        if (gap <= slack && gap < bestGap) [best, bestGap] = [id, gap];
      }
      if (best !== undefined) return best;
      const open = row.open;
      let lo = 0;
      let hi = open.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ops.call[open[mid]!]! <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? open[lo - 1] : undefined;
    }

    function opTip(id: number): string {
      const call = ops.call[id]!;
      const ret = ops.ret[id] ?? null;
      const lines = [`<b>${esc(ops.desc[id]!)}</b>`, `${esc(data.procs[ops.proc[id]!]!)} · ${ret === null ? "outcome unknown (info)" : "ok"}`];
      lines.push(ret === null ? `called at ${duration(call)}, no answer` : `called at ${duration(call)}, returned at ${duration(ret)} (took ${data.unit === "index" ? `${ret - call} event${ret - call === 1 ? "" : "s"}` : duration(ret - call)})`);
      if (ops.out[id] !== null) lines.push(`output: ${esc(ops.out[id]!)}`);
      const role = view.role[id];
      if (role === ROLE.linearized) lines.push(`linearized ${view.order[id]} of ${view.pathT.length}`);
      else if (role === ROLE.first) lines.push(`<span class="bad">could not be placed after the linearized operations: the first to fail</span>`);
      else if (role === ROLE.stuck) lines.push(`<span class="bad">could not be placed after the linearized operations</span>`);
      else if (role === ROLE.unreached) lines.push(`not reached by the linearization`);
      const line = ops.line[id];
      lines.push(`<span class="muted">operation ${id}${line !== null && line !== undefined ? `, line ${line}` : ""}</span>`);
      return lines.join("<br>");
    }

    function faultTip(i: number): string {
      const f = data.faults[i]!;
      return [`<b>fault: ${esc(f.f)}${f.value ? ` ${esc(f.value)}` : ""}</b>`, `from ${duration(f.start)} ${f.end === null ? "to the end (never ended)" : `to ${duration(f.end)}`}`].join("<br>");
    }

    function esc(s: string): string {
      return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }

    /** First index whose value is at least t, in a non-decreasing list. */
    function lowerBound(list: number[], t: number): number {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    /** For tests and the curious: where an operation's bar is on screen (its visible middle), after drawing. */
    function locate(id: number): { x: number; y: number } | undefined {
      if (frame !== 0) {
        cancelAnimationFrame(frame);
        draw();
      }
      const r = view.rowOf.get(id);
      if (r === undefined) return undefined;
      const g = geometry();
      const box = canvas.getBoundingClientRect();
      const x = (t: number) => g.left + ((t - v0) / (v1 - v0)) * (g.right - g.left);
      const a = Math.max(g.left, x(ops.call[id]!));
      const b = Math.min(g.right, ops.ret[id] === null ? a + 20 : x(ops.ret[id]!));
      const y = rowsTop + r * ROW_H - scrollY + ROW_H / 2;
      if (b < a || y < rowsTop || y > g.height) return undefined;
      return { x: box.left + (a + b) / 2, y: box.top + y };
    }
  }
}
