import { join } from "node:path";
import pc from "picocolors";

type Colors = ReturnType<typeof pc.createColors>;
import { formatDuration } from "../util/duration.js";
import type { StageRun, SuiteResult, TestResult } from "../util/verdict.js";
import type { Reporter } from "./reporter.js";

const check = pc.green("✓");
const cross = pc.red("✗");

/** A request line of a failure: "GET http://n1:8080/kv/a" and, when the node answered, "→ 404". */
const REQUEST_LINE = /^(\s*[A-Z]+ http:\/\/)([^:/\s]+)(:\d+\S*.*?)(?: → (\d{3}))?$/;

/**
 * Colours a failure for the terminal. Checks write plain text (the JSON
 * report carries it as it is); here the node is bold, the status green or
 * red, what was expected red, a transport error (the line after a request
 * that got no answer) red, and an empty body dim.
 */
export function colorFailure(text: string, c: Colors = pc): string {
  const lines = text.split("\n");
  return lines
    .map((line, i) => {
      const request = REQUEST_LINE.exec(line);
      if (request) {
        const [, start, node, rest, status] = request;
        const shownStatus = status ? ` → ${Number(status) < 300 && Number(status) >= 200 ? c.green(status) : c.red(status)}` : "";
        return `${start}${c.bold(node!)}${rest}${shownStatus}`;
      }
      const previous = REQUEST_LINE.exec(lines[i - 1] ?? "");
      if (previous && !previous[4] && line.trim() !== "") return c.red(line);
      if (/^\s*Expected\b/.test(line)) return c.red(line);
      return line.replace(/\(empty\)$/, c.dim("(empty)"));
    })
    .join("\n");
}

function showFailure(message: string, hint?: string, replay?: string): void {
  console.log(`\n${colorFailure(message)}`);
  if (hint) console.log(`\n  ${pc.yellow(hint.replace(/\n/g, "\n  "))}`);
  if (replay) console.log(`\n  Replay: ${pc.yellow(replay)}`);
}

/** The terminal output, in the style of the public clstr. */
export class PrettyReporter implements Reporter {
  private stages = 0;

  stageStarted(run: StageRun) {
    if (this.stages++ > 0) console.log();
    console.log(`Testing ${run.stage}: ${run.stageName}`);
    console.log(pc.dim(`runtime: ${run.runtime}`));
    if (run.seed !== undefined) console.log(pc.dim(`seed: ${run.seed}`));
    if (run.faults.length > 0) console.log(pc.dim(`faults: ${run.faults.join("; ")}`));
    console.log();
    return {
      testFinished: (r: TestResult) => {
        if (r.status === "skipped") {
          if (r.skipReason) console.log(`${pc.yellow("○")} ${r.name} ${pc.yellow(`(skipped: ${r.skipReason})`)}`);
          return;
        }
        const mark = r.status === "passed" ? check : cross;
        console.log(`${mark} ${r.name} (${formatDuration(r.durationMs)})`);
        if (r.status === "failed") showFailure(r.failure ?? "", r.hint, r.replay);
      },
      startupFailed: (f: { message: string; hint?: string }) => {
        console.log(`${cross} CLUSTER STARTUP`);
        showFailure(f.message, f.hint);
      },
    };
  }

  stageFinished(run: StageRun, result: SuiteResult): void {
    if (result.interrupted) {
      console.log(`\n${pc.yellow("Interrupted")}: every node was stopped.`);
      return;
    }
    if (result.passed) {
      const skipped = result.tests.filter((t) => t.skipReason).length;
      const note = skipped ? pc.yellow(` (${skipped} test${skipped === 1 ? "" : "s"} skipped: this runtime cannot inject the faults ${skipped === 1 ? "it needs" : "they need"}; see \`clstr doctor\`)`) : "";
      console.log(`\n${pc.bold("PASSED")} ${check}${note}`);
      return;
    }
    console.log(`\nRun ${pc.yellow("clstr logs")} (or ${pc.yellow("clstr logs n1")}) to inspect the nodes' output.`);
    console.log(`\n${pc.bold("FAILED")} ${cross}`);
    console.log(`\nRead the guide: ${pc.yellow(`clstr guide ${run.stage}`)} (${run.guidePath})`);
  }

  finished(passed: boolean, info: { lastStage: string; multiple: boolean; nextHint: boolean; interrupted: boolean }): void {
    if (!passed || info.interrupted) return;
    if (info.multiple) console.log(`\nAll stages up to ${info.lastStage} passed! ${check}`);
    if (info.nextHint) console.log(`\nRun ${pc.yellow("clstr next")} to advance to the next stage.`);
  }
}
