import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkHistory } from "../../checkers/linearizability/check.js";
import { pairOperations, type History, type HistoryEvent, type NemesisInterval } from "../../checkers/linearizability/history.js";
import type { CheckResult, PartResult } from "../../checkers/linearizability/result.js";
import { describeScheduledFault, type ScheduledFault } from "../../faults/schedule.js";
import type { Completion } from "./recorder.js";

// A recorded workload, checked: the history goes to the linearizability
// checker with the kv-cas model, and to disk (JSON lines, the verdict, and
// the picture when it fails) so that a learner can look at it and check it
// again with `clstr check linearizable`.

export const MODEL = "kv-cas";

/** What a workload recorded. */
export interface Recording {
  /** Every event, in the order they happened: the clients' and the nemesis'. */
  events: HistoryEvent[];
  /** Every fault, from its start to its end. */
  nemesis: NemesisInterval[];
  /** How many operations ended each way. */
  counts: Record<Completion, number>;
  /** Why operations failed or ended unknown, with how often. */
  reasons: Record<string, number>;
  /** The fault schedule that ran, as drawn from the seed. */
  schedule: ScheduledFault[];
}

/** Where a test's histories go, and how to draw a picture (the reports layer's, handed down). */
export interface HistoryOutput {
  dir: string;
  /** File names start with this: "<stage>-<test>". */
  stem: string;
  picture?: (history: History, result: CheckResult, title: string) => string;
  /** Written into the verdict, for the record. */
  seed?: number;
}

export interface HistoryFiles {
  history: string;
  verdict: string;
  picture?: string;
}

export interface CheckedRecording {
  history: History;
  result: CheckResult;
  files?: HistoryFiles;
  /** The failure message, when the check did not pass. */
  failure?: string;
}

/** Checks a recording with the kv-cas model and saves it, its verdict and (on failure) its picture. */
export async function checkRecording(recording: Recording, output: HistoryOutput | undefined, options: { timeoutMs?: number } = {}): Promise<CheckedRecording> {
  const history = { ...pairOperations(recording.events), nemesis: recording.nemesis };
  const result = await checkHistory(history, MODEL, { timeoutMs: options.timeoutMs ?? 30_000 });
  const files = output ? save(recording, history, result, output) : undefined;
  const checked: CheckedRecording = { history, result, ...(files ? { files } : {}) };
  if (result.outcome !== "ok") checked.failure = describeFailure(recording, result, files);
  return checked;
}

function save(recording: Recording, history: History, result: CheckResult, output: HistoryOutput): HistoryFiles {
  mkdirSync(output.dir, { recursive: true });
  const path = (ext: string) => join(output.dir, `${output.stem}${ext}`);
  const files: HistoryFiles = { history: path(".jsonl"), verdict: path(".verdict.json") };
  writeFileSync(files.history, recording.events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  rmSync(path(".html"), { force: true }); // an earlier run's picture would tell of another history
  if (result.outcome !== "ok" && output.picture) {
    files.picture = path(".html");
    writeFileSync(files.picture, output.picture(history, result, `${output.stem}: ${MODEL}`));
  }
  const verdict = {
    model: MODEL,
    outcome: result.outcome,
    ...(output.seed !== undefined ? { seed: output.seed } : {}),
    operations: recording.counts,
    reasons: recording.reasons,
    schedule: recording.schedule,
    parts: result.parts.map((p) => ({ label: p.label, outcome: p.outcome, operations: p.operations.length, ...(p.reason ? { reason: p.reason } : {}), ...(p.explanation ? { explanation: p.explanation } : {}) })),
    elapsedMs: result.elapsedMs,
    files,
  };
  writeFileSync(files.verdict, JSON.stringify(verdict, null, 2) + "\n");
  return files;
}

/** "not linearizable: key "k2"", the checker's explanation, the counts, the faults, and where the files are. */
function describeFailure(recording: Recording, result: CheckResult, files: HistoryFiles | undefined): string {
  const illegal = result.parts.filter((p) => p.outcome === "illegal");
  const lines: string[] = [];
  if (illegal.length > 0) {
    lines.push(`The history is not linearizable: ${illegal.map(partName).join(", ")}.`);
    for (const part of illegal) {
      if (illegal.length > 1) lines.push(`  ${partName(part)}:`);
      for (const line of part.explanation ?? []) lines.push(`    ${line}`);
    }
  } else {
    const why = result.parts.find((p) => p.outcome === "unknown");
    lines.push(`The linearizability check could not decide${why ? ` ${partName(why)}: ${why.reason ?? ""}` : ""}.`);
  }
  const { ok, fail, info } = recording.counts;
  lines.push("", `  ${ok + fail + info} operations: ${ok} ok, ${fail} failed, ${info} unknown.`);
  if (recording.schedule.length > 0) lines.push(`  Faults: ${recording.schedule.map(describeScheduledFault).join("; ")}.`);
  if (files) {
    lines.push(`  History: ${files.history} (check it again: clstr check linearizable --model ${MODEL} ${files.history})`);
    lines.push(`  Verdict: ${files.verdict}`);
    if (files.picture) lines.push(`  Picture: ${files.picture} (open it in a browser)`);
  }
  return lines.join("\n");
}

const partName = (p: PartResult) => p.label || "the history";
