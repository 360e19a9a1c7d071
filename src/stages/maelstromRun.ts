import { runTest, type EngineOptions, type EngineResult } from "../maelstrom/engine.js";
import { writeResults } from "../maelstrom/results.js";
import { REPORT_FILE, writeMaelstromReport } from "../reports/maelstromHtml.js";

export interface RecordedRun {
  result: EngineResult;
  /** Where report.html is, or why there is none. */
  report: { path: string } | { error: string };
}

/**
 * One Maelstrom test, recorded: the engine runs it, then results.json, the
 * history and report.html go to its store folder. Both `clstr maelstrom test`
 * and the gossip-glomers stages run tests this way.
 */
export async function runAndRecord(opts: EngineOptions): Promise<RecordedRun> {
  const result = await runTest(opts);
  await writeResults(opts, result);
  try {
    return { result, report: { path: await writeMaelstromReport(opts, result) } };
  } catch (err) {
    return { result, report: { error: `could not write ${REPORT_FILE} (${err instanceof Error ? err.message : String(err)})` } };
  }
}
