import { join } from "node:path";
import pc from "picocolors";
import { formatDuration } from "../util/duration.js";
import type { StageRun, SuiteResult, TestResult } from "../util/verdict.js";
import type { Reporter } from "./reporter.js";

const check = pc.green("✓");
const cross = pc.red("✗");

function showFailure(message: string, hint?: string): void {
  console.log(`\n${message}`);
  if (hint) console.log(`\n  ${pc.yellow(hint.replace(/\n/g, "\n  "))}`);
}

/** The terminal output, in the style of the public clstr. */
export class PrettyReporter implements Reporter {
  private stages = 0;

  stageStarted(run: StageRun) {
    if (this.stages++ > 0) console.log();
    console.log(`Testing ${run.stage}: ${run.stageName}`);
    console.log(pc.dim(`runtime: ${run.runtime}`));
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
        if (r.status === "failed") showFailure(r.failure ?? "", r.hint);
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
