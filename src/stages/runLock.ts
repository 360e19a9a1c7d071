import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { digest, takeLock, type KernelLock } from "../runtimes/kernelLock.js";
import { UserError } from "../util/errors.js";

// One run per challenge directory, with a lock the kernel releases when the
// holder dies (see kernelLock.ts): on Linux an abstract socket named after
// the directory, elsewhere a socket file in .clstr/. The holder answers with
// its PID, for the second run's message.

export type RunLock = KernelLock;

/** Takes the directory's run lock, or refuses in one sentence naming the run that holds it. */
export async function lockRun(challengeDir: string, runRoot: string): Promise<RunLock> {
  const taken = await takeLock(lockAddress(challengeDir, runRoot), String(process.pid));
  if ("lock" in taken) return taken.lock;
  const holder = Number(taken.holder) || undefined;
  throw new UserError(
    `Another clstr run is using this directory (${challengeDir})${holder ? `, process ${holder}` : ""}; wait for it to finish or stop it (Ctrl-C in its terminal${holder ? `, or \`kill ${holder}\`` : ""}), then run again.`,
  );
}

function lockAddress(challengeDir: string, runRoot: string): string {
  if (process.platform === "linux") return `\0clstr-run-${digest(realpathSync(challengeDir))}`;
  mkdirSync(runRoot, { recursive: true });
  return join(runRoot, "run.lock");
}
