// The sandbox's switch. It runs as root of a private user namespace inside
// its own network namespace, which holds a bridge and nothing else: no route
// to the host, no NAT. Every node lives in a network namespace of its own,
// joined to the bridge by a veth pair. The harness reaches nodes only
// through the unix sockets this process forwards from.
//
// Protocol on stdin/stdout: one JSON request per line, one JSON reply per
// line with the same id. End of stdin: the run is over.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { readdirSync, writeFileSync } from "node:fs";
import { linkRxPackets } from "../../faults/dropCounters.js";
import { DEAD_MAC } from "../../faults/namespaceFaults.js";

const run = promisify(execFile);

type Request =
  | { id: number; op: "setup"; bridgeCidr: string }
  | { id: number; op: "attach"; node: string; pid: number; cidr: string }
  | { id: number; op: "expose"; node: string; host: string; port: number; socket: string }
  | { id: number; op: "exec"; pid: number; argv: string[] }
  | { id: number; op: "spawn"; key: string; pid: number; argv: string[] }
  | { id: number; op: "unspawn"; key: string }
  | { id: number; op: "cut-drops" };

const servers: Server[] = [];
/** Long-running helpers inside node namespaces (packet queues), by key. */
const helpers = new Map<string, ChildProcess>();
/** Marks a reply that comes from the switch because the node was unreachable. */
const UNREACHABLE_HEADER = "x-clstr-unreachable";
/** Why the sink could not be made (its count would then mean nothing); undefined once it works. */
let sinkMissing: string | undefined = "the switch is not set up yet";

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
    case "setup": {
      await ip("link", "set", "lo", "up");
      // The switch namespace needs no IPv6: without it the bridge sends no
      // router solicitations or MLD reports, which would reach the sink.
      const quiet = disableIpv6();
      // Snooping off: with it on, the bridge itself joins a group and reports it to every port.
      await ip("link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
      // A fixed address: a bridge takes its ports' lowest one, and a change would make it announce itself.
      await ip("link", "set", "br0", "address", macFor(req.bridgeCidr.split("/")[0]!));
      await ip("addr", "add", req.bridgeCidr, "dev", "br0");
      await ip("link", "set", "br0", "up");
      sinkMissing = quiet ?? (await makeSink().then(
        () => undefined,
        async (err: Error & { stderr?: string }) => {
          await run("ip", ["link", "del", "sink0"]).catch(() => {});
          return `the bridge's sink port could not be made (${(err.stderr || err.message).trim()})`;
        },
      ));
      return { sink: sinkMissing === undefined, ...(sinkMissing ? { reason: sinkMissing } : {}) };
    }
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
      // The switch knows every node's address, so it never broadcasts an
      // ARP request (which would reach the sink and count as a drop).
      const addr = req.cidr.split("/")[0]!;
      await ip("neigh", "replace", addr, "lladdr", mac, "dev", "br0", "nud", "permanent");
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
    case "spawn":
      stopHelper(req.key);
      helpers.set(req.key, await startHelper(req.pid, req.argv));
      return {};
    case "unspawn":
      stopHelper(req.key);
      return {};
    case "cut-drops": {
      if (sinkMissing) return { drops: null, reason: sinkMissing };
      const { stdout } = await run("ip", ["-s", "-j", "link", "show", "dev", "sink1"]);
      return { drops: linkRxPackets(stdout) };
    }
  }
}

/**
 * The sink: a port of the bridge where frames for DEAD_MAC (every packet a
 * neighbour cut sends) end, so that they are counted instead of flooded to
 * every node. sink0 is the bridge's port, sink1 its other end, whose
 * received-packet counter is the count. Nothing else may reach it: the
 * bridge floods nothing to it (unknown unicast, multicast, broadcast), it
 * learns nothing from it, and neither end has an address to talk from.
 */
async function makeSink(): Promise<void> {
  await ip("link", "add", "sink0", "type", "veth", "peer", "name", "sink1");
  for (const end of ["sink0", "sink1"]) {
    await ip("link", "set", end, "multicast", "off");
    await ip("link", "set", end, "addrgenmode", "none");
  }
  await ip("link", "set", "sink0", "master", "br0");
  await run("bridge", ["link", "set", "dev", "sink0", "learning", "off", "flood", "off", "mcast_flood", "off", "bcast_flood", "off", "mcast_router", "0"]);
  await ip("link", "set", "sink1", "up");
  await ip("link", "set", "sink0", "up");
  await run("bridge", ["fdb", "add", DEAD_MAC, "dev", "sink0", "master", "static"]);
}

/** Turns IPv6 off in the switch's namespace; why it could not, or undefined. A kernel without IPv6 needs nothing. */
function disableIpv6(): string | undefined {
  let confs: string[];
  try {
    confs = readdirSync("/proc/sys/net/ipv6/conf");
  } catch {
    return undefined;
  }
  try {
    for (const conf of ["all", "default"].filter((c) => confs.includes(c))) writeFileSync(`/proc/sys/net/ipv6/conf/${conf}/disable_ipv6`, "1");
    return undefined;
  } catch (err) {
    return `IPv6 could not be turned off in the switch's namespace (${(err as Error).message})`;
  }
}

/**
 * Starts a helper in a node's network namespace and waits for its first
 * line, "ready". It stays in this process group (so it dies with the
 * switch) and reads a stdin that closes when the switch goes.
 */
function startHelper(pid: number, argv: string[]): Promise<ChildProcess> {
  const child = spawn("nsenter", ["-t", String(pid), "-n", "--", ...argv], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${argv[0]} ${why}${stderr ? `: ${stderr.trim()}` : ""}`));
    child.once("error", (err) => fail(err.message));
    child.once("exit", (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      if (line.trim() === "ready") resolve(child);
      else fail(`said ${JSON.stringify(line)} instead of ready`);
    });
  });
}

function stopHelper(key: string): void {
  const child = helpers.get(key);
  helpers.delete(key);
  if (!child) return;
  child.stdin?.end();
  child.kill("SIGKILL");
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
// The run is over: stop the helpers and wait for them, so that none is left
// behind (not even as a zombie) once this process has exited.
process.stdin.on("close", () => {
  for (const s of servers) s.close();
  const exits = [...helpers.values()].map((child) => exited(child));
  for (const key of [...helpers.keys()]) stopHelper(key);
  void Promise.all(exits).then(() => process.exit(0));
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
