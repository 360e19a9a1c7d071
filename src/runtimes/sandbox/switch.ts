// The sandbox's switch. It runs as root of a private user namespace inside
// its own network namespace, which holds a bridge and nothing else: no route
// to the host, no NAT. Every node lives in a network namespace of its own,
// joined to the bridge by a veth pair. The harness reaches nodes only
// through the unix sockets this process forwards from.
//
// Protocol on stdin/stdout: one JSON request per line, one JSON reply per
// line with the same id. End of stdin: the run is over.
import { execFile } from "node:child_process";
import { createConnection, createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

const run = promisify(execFile);

type Request =
  | { id: number; op: "setup"; bridgeCidr: string }
  | { id: number; op: "attach"; node: string; pid: number; cidr: string }
  | { id: number; op: "expose"; node: string; host: string; port: number; socket: string }
  | { id: number; op: "exec"; pid: number; argv: string[] };

const servers: Server[] = [];
/** Marks a reply that comes from the switch because the node was unreachable. */
const UNREACHABLE_HEADER = "x-clstr-unreachable";

async function ip(...args: string[]): Promise<void> {
  await run("ip", args);
}

/** Runs a command inside a node's network namespace. */
async function inNode(pid: number, argv: string[]): Promise<string> {
  const { stdout } = await run("nsenter", ["-t", String(pid), "-n", "--", ...argv]);
  return stdout;
}

function macFor(ipv4: string): string {
  return ["02", "42", ...ipv4.split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case "setup":
      await ip("link", "set", "lo", "up");
      await ip("link", "add", "br0", "type", "bridge");
      await ip("addr", "add", req.bridgeCidr, "dev", "br0");
      await ip("link", "set", "br0", "up");
      return {};
    case "attach": {
      // A restarted node has a fresh namespace; its old veth died with the old one.
      const host = `v-${req.node}`;
      await run("ip", ["link", "del", host]).catch(() => {});
      // The MAC is derived from the address, as Docker does, so a restarted
      // node keeps it and no neighbour's ARP cache points at a dead interface.
      const mac = macFor(req.cidr.split("/")[0]!);
      await ip("link", "add", host, "type", "veth", "peer", "name", "eth0", "address", mac, "netns", String(req.pid));
      await ip("link", "set", host, "master", "br0");
      await ip("link", "set", host, "up");
      await inNode(req.pid, ["ip", "addr", "add", req.cidr, "dev", "eth0"]);
      await inNode(req.pid, ["ip", "link", "set", "eth0", "up"]);
      await inNode(req.pid, ["ip", "link", "set", "lo", "up"]);
      return {};
    }
    case "expose": {
      const server = createServer((client) => {
        const upstream = createConnection({ host: req.host, port: req.port });
        let connected = false;
        upstream.once("connect", () => (connected = true));
        client.pipe(upstream).pipe(client);
        const close = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.on("error", (err: NodeJS.ErrnoException) => {
          if (connected) return close();
          // Tell the harness why, so it can say "connection refused" rather
          // than "closed": it only sees this socket, not the node's.
          client.unpipe(upstream);
          client.end(
            `HTTP/1.1 502 Bad Gateway\r\n${UNREACHABLE_HEADER}: ${err.code ?? "error"}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`,
          );
        });
        client.on("error", close);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => {
          if (connected) client.destroy();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(req.socket, resolve);
      });
      servers.push(server);
      return {};
    }
    case "exec":
      return { stdout: await inNode(req.pid, req.argv) };
  }
}

process.on("SIGINT", () => {});
createInterface({ input: process.stdin }).on("line", (line) => {
  const req = JSON.parse(line) as Request;
  handle(req).then(
    (result) => process.stdout.write(JSON.stringify({ id: req.id, ok: true, result }) + "\n"),
    (err: Error & { stderr?: string }) =>
      process.stdout.write(JSON.stringify({ id: req.id, ok: false, error: (err.stderr || err.message).trim() }) + "\n"),
  );
});
process.stdin.on("close", () => {
  for (const s of servers) s.close();
  process.exit(0);
});
