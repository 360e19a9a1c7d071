import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { UserError } from "../util/errors.js";

// One run per challenge directory. The lock is a listening unix socket: on
// Linux in the abstract namespace (it has no file; the kernel releases it the
// moment the holder dies, however it dies), elsewhere a socket file in
// .clstr/ that a dead holder's successor finds refusing connections. Whoever
// connects is told the holder's PID, for the message.

export interface RunLock {
  release(): Promise<void>;
}

/** Takes the directory's run lock, or refuses in one sentence naming the run that holds it. */
export async function lockRun(challengeDir: string, runRoot: string): Promise<RunLock> {
  const address = lockAddress(challengeDir, runRoot);
  const server = createServer((peer) => peer.end(String(process.pid)));
  server.unref();
  try {
    await listen(server, address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const holder = await holderPid(address);
    if (holder === undefined && !address.startsWith("\0")) {
      // A socket file left by a run that died: nobody listens on it.
      rmSync(address, { force: true });
      return lockRun(challengeDir, runRoot);
    }
    throw new UserError(
      `Another clstr run is using this directory (${challengeDir})${holder ? `, process ${holder}` : ""}; wait for it to finish or stop it (Ctrl-C in its terminal${holder ? `, or \`kill ${holder}\`` : ""}), then run again.`,
    );
  }
  return {
    release: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

function lockAddress(challengeDir: string, runRoot: string): string {
  if (process.platform === "linux") {
    const id = createHash("sha256").update(realpathSync(challengeDir)).digest("hex").slice(0, 32);
    return `\0clstr-run-${id}`;
  }
  mkdirSync(runRoot, { recursive: true });
  return join(runRoot, "run.lock");
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The PID the lock's holder answers with; undefined when nobody answers. */
function holderPid(address: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = connect(address);
    let answer = "";
    const done = (pid: number | undefined) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("end", () => done(Number(answer) || undefined));
    socket.on("error", () => done(undefined));
  });
}
