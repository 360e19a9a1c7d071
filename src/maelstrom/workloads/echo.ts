import type { Operation } from "../history.js";
import type { CheckResult, Workload, WorkloadOptions } from "./workload.js";

/** Clients send `echo` with a random string; the node must send it back in `echo_ok`. */
export function echoWorkload(opts: WorkloadOptions): Workload {
  let n = 0;
  return {
    name: "echo",
    next: () => ({ type: "echo", echo: `Please echo ${Math.floor(opts.random() * 1000)}-${n++}` }),
    check(history: readonly Operation[]): CheckResult {
      const problems: string[] = [];
      let ok = 0;
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.outcome !== "ok") continue;
        ok++;
        if (op.reply?.type !== "echo_ok") problems.push(`${op.node} answered an echo with type ${JSON.stringify(op.reply?.type)} instead of "echo_ok"`);
        else if (op.reply.echo !== op.request.echo) {
          problems.push(`${op.node} was asked to echo ${JSON.stringify(op.request.echo)} and sent back ${JSON.stringify(op.reply.echo)}`);
        }
      }
      if (ok === 0) problems.push("no echo request was answered");
      return { valid: problems.length === 0, problems: problems.slice(0, 10), "ok-count": ok, "bad-count": problems.length };
    },
  };
}
