// `clstr check txn --html`: one self-contained page (no script, opens from
// disk) with the verdict, and for each anomaly its witness drawn as a small
// graph (the transactions on a circle, each edge an arrow labelled with its
// type, the reason beside it) and the witness's transactions on a timeline.

import { describeTxn, type TxnHistory } from "../checkers/transactions/history.js";
import type { Anomaly, TxnCheckResult } from "../checkers/transactions/result.js";
import { escapeHtml, pageStart } from "./htmlPage.js";

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #222; padding: 0 16px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-top: 1px solid #ddd; padding-top: 16px; }
.ok { color: #17803d; } .bad { color: #b3261e; } .unknown { color: #a66a00; }
.why { font-family: ui-monospace, monospace; font-size: 12.5px; white-space: pre-wrap; background: #f6f6f6; padding: 8px 10px; border-radius: 6px; }
svg text { font: 12px ui-monospace, monospace; } .edge-ww { stroke: #1f5fbf; } .edge-wr { stroke: #17803d; } .edge-rw { stroke: #b3261e; }
.edge-realtime, .edge-process { stroke: #777; stroke-dasharray: 5 3; }
.row { display: flex; gap: 20px; flex-wrap: wrap; align-items: flex-start; }
`;

const COLOURS: Record<string, string> = { ww: "#1f5fbf", wr: "#17803d", rw: "#b3261e", realtime: "#777", process: "#777" };

export function renderTxnHtml(history: TxnHistory, result: TxnCheckResult, options: { title: string }): string {
  const verdictClass = result.outcome === "ok" ? "ok" : result.outcome === "illegal" ? "bad" : "unknown";
  const counts = Object.entries(result.counts).map(([n, c]) => `${n}${c > 1 ? ` ×${c}` : ""}`);
  const parts = [
    ...pageStart(options.title, [STYLE]),
    `<h1>${escapeHtml(options.title)}</h1>`,
    `<p class="${verdictClass}"><b>${escapeHtml(result.outcome === "ok" ? `valid for ${result.models.join(", ")}` : result.outcome === "illegal" ? `not ${result.models.filter((m) => result.ruledOut.includes(m)).join(", ")}` : "unknown")}</b>: the history is ${escapeHtml(result.summary)}.</p>`,
    `<p>${result.stats.txns} transactions (${result.stats.committed} committed, ${result.stats.aborted} aborted, ${result.stats.indeterminate} indeterminate), ${result.stats.edges} dependency edges; ${counts.length > 0 ? `found ${escapeHtml(counts.join(", "))}` : "no anomaly found"}.</p>`,
  ];
  if (result.incomplete) parts.push(`<p class="unknown">${escapeHtml(result.incomplete)}: an anomaly may have been missed.</p>`);
  result.anomalies.forEach((a, i) => parts.push(...anomalySection(history, a, i)));
  parts.push("</body>", "</html>");
  return parts.join("\n");
}

function anomalySection(history: TxnHistory, a: Anomaly, i: number): string[] {
  const out = [`<h2 id="a${i}">${escapeHtml(a.name)}</h2>`, '<div class="row">'];
  if (a.cycle) out.push(cycleSvg(a), timelineSvg(history, a.txns));
  else out.push(timelineSvg(history, a.txns));
  out.push("</div>", `<div class="why">${escapeHtml(a.explanation.join("\n"))}</div>`);
  return out;
}

/** The cycle's transactions on a circle, each edge an arrow with its type. */
function cycleSvg(a: Anomaly): string {
  const steps = a.cycle!;
  const ids = steps.map((s) => s.from);
  const n = ids.length;
  const size = 300;
  const c = size / 2;
  const r = n === 2 ? 80 : 105;
  const pos = new Map(ids.map((id, k) => [id, { x: c + r * Math.cos((2 * Math.PI * k) / n - Math.PI / 2), y: c + r * Math.sin((2 * Math.PI * k) / n - Math.PI / 2) }]));
  const lines: string[] = [`<svg width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escapeHtml(a.name)} cycle">`, "<defs>"];
  for (const [type, colour] of Object.entries(COLOURS)) {
    lines.push(`<marker id="arrow-${type}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`);
  }
  lines.push("</defs>");
  steps.forEach((s) => {
    const p = pos.get(s.from)!;
    const q = pos.get(s.to)!;
    // Bend each edge to the right of its direction, so that two opposite edges do not overlap.
    const dx = q.x - p.x;
    const dy = q.y - p.y;
    const len = Math.hypot(dx, dy) || 1;
    const bend = n === 2 ? 40 : 18;
    const mx = (p.x + q.x) / 2 - (dy / len) * bend;
    const my = (p.y + q.y) / 2 + (dx / len) * bend;
    const shrink = (x: number, y: number, tx: number, ty: number) => {
      const d = Math.hypot(tx - x, ty - y) || 1;
      return { x: x + ((tx - x) / d) * 22, y: y + ((ty - y) / d) * 22 };
    };
    const a0 = shrink(p.x, p.y, mx, my);
    const a1 = shrink(q.x, q.y, mx, my);
    lines.push(`<path class="edge-${s.type}" d="M${a0.x.toFixed(1)},${a0.y.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${a1.x.toFixed(1)},${a1.y.toFixed(1)}" fill="none" stroke-width="2" marker-end="url(#arrow-${s.type})"><title>${escapeHtml(s.why)}</title></path>`);
    lines.push(`<text x="${mx.toFixed(1)}" y="${my.toFixed(1)}" text-anchor="middle" dy="4" fill="${COLOURS[s.type]}" stroke="white" stroke-width="3" paint-order="stroke">${s.type}</text>`);
  });
  for (const [id, p] of pos) {
    lines.push(`<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="20" fill="#fff" stroke="#333" stroke-width="1.5"/>`);
    lines.push(`<text x="${p.x.toFixed(1)}" y="${p.y.toFixed(1)}" text-anchor="middle" dy="4">T${id}</text>`);
  }
  lines.push("</svg>");
  return lines.join("\n");
}

/** The transactions as bars from invocation to completion (an open end when it never completed). */
function timelineSvg(history: TxnHistory, ids: readonly number[]): string {
  const txns = [...new Set(ids)].map((id) => history.txns[id]!).sort((x, y) => x.call - y.call);
  const start = Math.min(...txns.map((t) => t.call));
  const finite = txns.map((t) => t.ret).filter(Number.isFinite);
  const end = Math.max(start + 1, ...finite, ...txns.map((t) => t.call));
  const width = 560;
  const left = 50;
  const span = (end - start) * 1.15 || 1;
  const x = (t: number) => left + ((t - start) / span) * (width - left - 10);
  const rowH = 26;
  const lines = [`<svg width="${width}" height="${txns.length * rowH + 24}" role="img" aria-label="timeline">`];
  txns.forEach((t, i) => {
    const y = 10 + i * rowH;
    const x0 = x(t.call);
    const x1 = Number.isFinite(t.ret) ? x(t.ret) : width - 10;
    const fill = t.status === "ok" ? "#dfe9f8" : t.status === "fail" ? "#f6d9d6" : "#eee";
    lines.push(`<text x="4" y="${y + 15}">T${t.id}</text>`);
    lines.push(`<rect x="${x0.toFixed(1)}" y="${y}" width="${Math.max(3, x1 - x0).toFixed(1)}" height="${rowH - 6}" rx="3" fill="${fill}" stroke="#888"><title>${escapeHtml(describeTxn(t))}</title></rect>`);
  });
  lines.push(`<text x="${left}" y="${txns.length * rowH + 20}" fill="#777">time → (invocation to completion; hover a bar for the transaction)</text>`, "</svg>");
  return lines.join("\n");
}
