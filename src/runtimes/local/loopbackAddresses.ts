import { createServer } from "node:net";

// Without namespaces every node shares the machine's network stack, so each
// gets its own loopback address (Linux routes all of 127.0.0.0/8 to lo) and
// keeps port 8080, mirroring n1 = .101, n2 = .102, ... of the Docker network.

export const NODE_PORT = 8080;

function canBind(host: string, port: number): Promise<"free" | "busy" | "unavailable"> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "EADDRNOTAVAIL" ? "unavailable" : "busy"),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve("free")));
  });
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Picks host:port for each node: 127.0.<block>.101:8080, ... with the first
 * block whose addresses are all free, or 127.0.0.1 with free ports where the
 * system has no other loopback addresses (macOS).
 */
export async function allocateLoopback(count: number): Promise<string[]> {
  const blocks = [42, ...Array.from({ length: 40 }, () => 43 + Math.floor(Math.random() * 200))];
  for (const block of blocks) {
    const hosts = Array.from({ length: count }, (_, i) => `127.0.${block}.${101 + i}`);
    const results = await Promise.all(hosts.map((h) => canBind(h, NODE_PORT)));
    if (results.includes("unavailable")) break;
    if (results.every((r) => r === "free")) return hosts.map((h) => `${h}:${NODE_PORT}`);
  }
  const ports = await Promise.all(Array.from({ length: count }, () => freePort("127.0.0.1")));
  return ports.map((p) => `127.0.0.1:${p}`);
}
