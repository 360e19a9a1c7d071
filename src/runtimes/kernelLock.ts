import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Locks the kernel releases. A lock is a listening unix socket: on Linux in
// the abstract namespace (it has no file; the kernel releases it the moment
// the holder dies, however it dies), elsewhere a socket file that a dead
// holder's successor finds refusing connections. Whoever connects is told
// what the holder chose to say about itself (its PID, its directory), for the
// refusal's message.

export interface KernelLock {
  release(): Promise<void>;
}

/**
 * Takes the lock at `address` (a socket path, or "\0…" for an abstract one),
 * telling whoever asks `answer`; or returns what the live holder answers
 * (undefined when it did not answer in time).
 */
export async function takeLock(address: string, answer: string): Promise<{ lock: KernelLock } | { holder: string | undefined }> {
  const server = createServer((peer) => peer.end(answer));
  server.unref();
  try {
    await listen(server, address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    const holder = await holderAnswer(address);
    if (holder === undefined && !address.startsWith("\0")) {
      // A socket file left by a holder that died: nobody listens on it.
      rmSync(address, { force: true });
      return takeLock(address, answer);
    }
    return { holder };
  }
  return {
    lock: {
      release: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
        }),
    },
  };
}

/** The address of the machine-wide lock named `key` (any string: it is hashed). */
export function machineLockAddress(key: string): string {
  return process.platform === "linux" ? `\0clstr-lock-${digest(key)}` : join(tmpdir(), `clstr-lock-${digest(key)}.sock`);
}

export function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
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

/** What the lock's holder answers; undefined when nobody answers. */
function holderAnswer(address: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(address);
    let answer = "";
    const done = (a: string | undefined) => {
      socket.destroy();
      resolve(a);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("end", () => done(answer || undefined));
    socket.on("error", () => done(undefined));
  });
}
