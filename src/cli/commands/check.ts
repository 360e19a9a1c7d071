import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, extname } from "node:path";
import pc from "picocolors";
import { checkHistory, DEFAULT_TIMEOUT_MS } from "../../checkers/linearizability/check.js";
import { parseHistory, type HistoryFormat } from "../../checkers/linearizability/formats/index.js";
import { HistoryError, pairOperations, type History } from "../../checkers/linearizability/history.js";
import { MODELS } from "../../checkers/linearizability/models.js";
import { CheckerPool } from "../../checkers/linearizability/pool.js";
import type { CheckResult, PartResult } from "../../checkers/linearizability/result.js";
import { checkTransactions } from "../../checkers/transactions/check.js";
import { parseTxnHistory, type TxnFormat } from "../../checkers/transactions/formats/index.js";
import { isModel as isTxnModel, MODEL_NAMES as TXN_MODELS, type ModelName as TxnModelName } from "../../checkers/transactions/models.js";
import { renderLinearizabilityHtml } from "../../reports/linearizabilityHtml.js";
import { renderTxnHtml } from "../../reports/txnHtml.js";
import { UserError } from "../../util/errors.js";

// `clstr check linearizable`: checks recorded histories on their own, one
// verdict per file. Exit 0: all linearizable; 1: one is not; 2: one could
// not be decided (and none is illegal); 3: one could not be read.

export const EXIT = { ok: 0, illegal: 1, unknown: 2, unreadable: 3 } as const;

export interface CheckCommandOptions {
  model: string;
  format?: HistoryFormat;
  timeout?: string;
  html?: string;
  json?: boolean;
  partition: boolean;
}

interface FileVerdict {
  file: string;
  format?: HistoryFormat;
  /** When the file could not be read: why (with the line). */
  error?: string;
  operations?: number;
  result?: CheckResult;
  html?: string;
}

export default async function checkLinearizable(files: string[], options: CheckCommandOptions): Promise<number> {
  if (!MODELS[options.model]) throw new UserError(`There is no model "${options.model}"; choose one of ${Object.keys(MODELS).join(", ")}.`, EXIT.unreadable);
  const timeoutMs = parseTimeout(options.timeout);
  if (files.length === 0) throw new UserError("Name a history file to check (or - for standard input).", EXIT.unreadable);
  if (files.filter((f) => f === "-").length > 1) throw new UserError("Standard input (-) can be read only once.", EXIT.unreadable);

  const started = Date.now();
  // Several histories share one pool of threads (used by the big ones), and are printed in order.
  const pool = files.length > 1 ? new CheckerPool(availableParallelism()) : undefined;
  const verdicts: FileVerdict[] = [];
  try {
    const pending: Promise<FileVerdict>[] = [];
    const window = (pool?.size ?? 1) * 2;
    for (let i = 0; i < files.length; i++) {
      while (pending.length < Math.min(files.length, i + window)) pending.push(checkFile(files[pending.length]!, options, timeoutMs, pool, files.length));
      const verdict = await pending[i]!;
      verdicts.push(verdict);
      if (options.json) continue;
      if (verdict.error) console.log(`${label(verdict.file)}: ${pc.red("cannot be read")}: ${verdict.error}`);
      else printVerdict(verdict, verdict.result!, files.length === 1);
    }
  } finally {
    await pool?.close();
  }
  const code = worst(verdicts);
  if (options.json) {
    console.log(JSON.stringify({ model: options.model, outcome: outcomeOf(code), files: verdicts, elapsedMs: Date.now() - started }, (_k, v) => (v === Infinity ? null : v)));
  } else if (files.length > 1) {
    const count = (o: string) => verdicts.filter((v) => v.result?.outcome === o).length;
    const unreadable = verdicts.filter((v) => v.error).length;
    console.log(
      `total: ${files.length} histories, ${count("ok")} linearizable, ${count("illegal")} not, ${count("unknown")} unknown${unreadable ? `, ${unreadable} unreadable` : ""}; checked in ${Date.now() - started} ms`,
    );
  }
  return code;
}

async function checkFile(file: string, options: CheckCommandOptions, timeoutMs: number, pool: CheckerPool | undefined, files: number): Promise<FileVerdict> {
  const verdict: FileVerdict = { file };
  let history: History;
  try {
    const text = read(file);
    // An empty history (a test that never got to run) is trivially linearizable.
    const parsed = text.trim() === "" ? { format: options.format ?? "jsonl", events: [] } : parseHistory(text, options.format);
    verdict.format = parsed.format;
    history = pairOperations(parsed.events);
    verdict.operations = history.operations.length;
    verdict.result = await checkHistory(history, options.model, { timeoutMs, partition: options.partition, ...(pool ? { pool } : {}) });
  } catch (err) {
    if (!(err instanceof HistoryError)) throw err;
    verdict.error = err.message;
    return verdict;
  }
  if (options.html) {
    verdict.html = htmlPath(options.html, file, files);
    writeFileSync(verdict.html, renderLinearizabilityHtml(history, verdict.result, { title: `${label(file)}: ${options.model}` }));
  }
  return verdict;
}

function printVerdict(verdict: FileVerdict, result: CheckResult, detailed: boolean): void {
  const ops = `${verdict.operations} operations${result.parts.length > 1 ? `, ${result.parts.length} parts` : ""}`;
  const time = `${result.elapsedMs} ms`;
  const picture = verdict.html ? `; picture: ${verdict.html}` : "";
  if (result.outcome === "ok") {
    console.log(`${label(verdict.file)}: ${pc.green("linearizable")} (${ops}) ${time}`);
    return;
  }
  if (result.outcome === "unknown") {
    const why = result.parts.find((p) => p.outcome === "unknown")!;
    console.log(`${label(verdict.file)}: ${pc.yellow("unknown")} (${ops}): ${partName(why)}${why.reason} ${time}${picture}`);
    return;
  }
  const bad = result.parts.filter((p) => p.outcome === "illegal");
  console.log(`${label(verdict.file)}: ${pc.red("not linearizable")} (${ops}${bad.length > 0 && bad[0]!.label ? `; ${bad.map((p) => p.label).join(", ")}` : ""}) ${time}${picture}`);
  if (!detailed) return;
  for (const part of bad) {
    if (part.label) console.log(`  ${pc.bold(part.label)}, ${part.operations.length} operations:`);
    for (const line of part.explanation ?? []) console.log(`    ${line}`);
  }
  if (!verdict.html) console.log(pc.dim(`  See it drawn: add --html picture.html`));
}

const partName = (p: PartResult) => (p.label ? `${p.label}: ` : "");

function worst(verdicts: FileVerdict[]): number {
  if (verdicts.some((v) => v.error)) return EXIT.unreadable;
  if (verdicts.some((v) => v.result?.outcome === "illegal")) return EXIT.illegal;
  if (verdicts.some((v) => v.result?.outcome === "unknown")) return EXIT.unknown;
  return EXIT.ok;
}

function outcomeOf(code: number): string {
  return (Object.entries(EXIT).find(([, c]) => c === code) ?? ["unknown"])[0];
}

function read(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HistoryError(code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder, not a file" : `it cannot be read (${code ?? String(err)})`);
  }
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UserError(`--timeout takes a number of seconds above 0, not "${text}".`, EXIT.unreadable);
  return seconds * 1000;
}

/** The picture's path: as given for one file; for several, the file's name before the extension (out.etcd_001.html). */
function htmlPath(given: string, file: string, files: number): string {
  if (files === 1) return given;
  const ext = extname(given) || ".html";
  const stem = given.slice(0, given.length - extname(given).length);
  return `${stem}.${basename(file, extname(file)) || "stdin"}${ext}`;
}

const label = (file: string) => (file === "-" ? "stdin" : file);

// `clstr check txn`: checks a transactional history (list-append or
// rw-register) against consistency models. Exit 0: no requested model is
// ruled out; 1: one is; 2: unknown (the cycle search ran out of budget);
// 3: the input or the arguments cannot be used.

export interface CheckTxnOptions {
  workload: string;
  models?: string;
  format?: TxnFormat;
  html?: string;
  json?: boolean;
}

export async function checkTxn(file: string, options: CheckTxnOptions): Promise<number> {
  if (options.workload !== "list-append" && options.workload !== "rw-register") {
    throw new UserError(`There is no workload "${options.workload}"; choose list-append or rw-register.`, EXIT.unreadable);
  }
  const names = (options.models ?? "strict-serializable").split(",").map((m) => m.trim()).filter((m) => m !== "");
  const unknown = names.filter((m) => !isTxnModel(m));
  if (unknown.length > 0 || names.length === 0) {
    throw new UserError(`There is no consistency model "${unknown[0] ?? ""}"; choose from ${TXN_MODELS.join(", ")} (comma-separated).`, EXIT.unreadable);
  }
  const models = names as TxnModelName[];
  let parsed: ReturnType<typeof parseTxnHistory>;
  try {
    parsed = parseTxnHistory(read(file), options.format);
  } catch (err) {
    if (!(err instanceof HistoryError)) throw err;
    if (options.json) console.log(JSON.stringify({ file, outcome: "unreadable", error: err.message }));
    else console.log(`${label(file)}: ${pc.red("cannot be read")}: ${err.message}`);
    return EXIT.unreadable;
  }
  const result = checkTransactions(parsed.history, { workload: options.workload, models });
  const code = result.outcome === "ok" ? EXIT.ok : result.outcome === "illegal" ? EXIT.illegal : EXIT.unknown;
  if (options.html) writeFileSync(options.html, renderTxnHtml(parsed.history, result, { title: `${label(file)}: ${options.workload}, ${models.join(", ")}` }));
  if (options.json) {
    console.log(JSON.stringify({ file, format: parsed.format, ...result, ...(options.html ? { html: options.html } : {}) }));
    return code;
  }
  const s = result.stats;
  const counts = `${s.txns} transactions: ${s.committed} committed, ${s.aborted} aborted, ${s.indeterminate} indeterminate`;
  const asked = models.join(", ");
  const headline =
    result.outcome === "ok" ? pc.green(`valid for ${asked}`) : result.outcome === "illegal" ? pc.red(`not ${models.filter((m) => result.ruledOut.includes(m)).join(", ")}`) : pc.yellow("unknown");
  console.log(`${label(file)}: ${headline} (${counts}) ${result.elapsedMs} ms`);
  console.log(`  The history is ${result.summary}.`);
  if (result.incomplete) console.log(`  Unknown: ${result.incomplete}; an anomaly may have been missed.`);
  const found = Object.entries(result.counts).map(([name, n]) => `${name}${n > 1 ? ` ×${n}` : ""}`);
  if (found.length > 0) console.log(`  Found: ${found.join(", ")}`);
  for (const anomaly of result.anomalies) {
    console.log("");
    for (const line of anomaly.explanation) console.log(`  ${line}`);
  }
  if (options.html) console.log(`  Picture: ${options.html}`);
  else if (result.anomalies.length > 0) console.log(pc.dim(`\n  See each cycle drawn: add --html picture.html`));
  return code;
}
