// Reading a transaction history: our JSON lines (one event per line, as
// `clstr check linearizable` reads them) or Jepsen's EDN history, such as
// {:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [1 2]]], :process 3, :index 7}.
// Both readers are the linearizability checker's; keywords become strings.

import { detectFormat } from "../../linearizability/formats/index.js";
import { parseEdnHistory } from "../../linearizability/formats/edn.js";
import { parseJsonl } from "../../linearizability/formats/jsonl.js";
import { HistoryError, readTxnHistory, type HistoryEvent, type TxnHistory } from "../history.js";

export type TxnFormat = "jsonl" | "edn";
export const TXN_FORMATS: readonly TxnFormat[] = ["jsonl", "edn"];

/** Detects the format when `format` is undefined. Throws HistoryError (naming the line) for anything it cannot read. */
export function parseTxnHistory(text: string, format?: TxnFormat): { format: TxnFormat; history: TxnHistory } {
  const body = text.replace(/^\uFEFF/, "");
  const chosen = format ?? detect(body);
  const events: HistoryEvent[] = chosen === "jsonl" ? parseJsonl(body) : parseEdnHistory(body);
  return { format: chosen, history: readTxnHistory(events) };
}

function detect(text: string): TxnFormat {
  const found = detectFormat(text);
  if (found === "jepsen-log") throw new HistoryError("this looks like a Jepsen log; transaction histories are read as JSON lines or EDN (pass --format jsonl or edn)");
  return found;
}
