// The transaction checker's entry points.
export { checkTransactions, type TxnCheckOptions } from "./check.js";
export { parseTxnHistory, TXN_FORMATS, type TxnFormat } from "./formats/index.js";
export { HistoryError, readTxnHistory, type Txn, type TxnHistory } from "./history.js";
export { isModel, MODEL_NAMES, SUMMARIES, type ModelName } from "./models.js";
export type { Anomaly, AnomalyName, TxnCheckResult, Workload } from "./result.js";
