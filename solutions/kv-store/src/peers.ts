// The RPC client: how one node calls /raft/request-vote,
// /raft/append-entries and /raft/install-snapshot on another. Plain HTTP/1.1 with JSON bodies.
//
// Two rules keep a dead or partitioned peer from hurting the others:
//   - every call has its own deadline, after which its socket is destroyed;
//   - the caller sends to all peers at once, never one after another.
// Sockets are kept alive between calls, so a heartbeat to a healthy peer is
// one small write and one small read, with no TCP handshake.

import http from 'node:http';
import net from 'node:net';
import {
  decodeAppendEntriesReply,
  decodeInstallSnapshotReply,
  decodeRequestVoteReply,
  encodeAppendEntries,
  encodeInstallSnapshot,
  encodeRequestVote,
  type AppendEntriesArgs,
  type AppendEntriesReply,
  type InstallSnapshotArgs,
  type InstallSnapshotReply,
  type RequestVoteArgs,
  type RequestVoteReply,
} from './messages.js';

/** What the Raft logic needs to reach its peers (an interface, so tests can fake the network). */
export interface Transport {
  requestVote(peer: string, args: RequestVoteArgs, timeoutMs: number): Promise<RequestVoteReply>;
  appendEntries(peer: string, args: AppendEntriesArgs, timeoutMs: number): Promise<AppendEntriesReply>;
  installSnapshot(peer: string, args: InstallSnapshotArgs, timeoutMs: number): Promise<InstallSnapshotReply>;
  close(): void;
}

// Node's server closes a keep-alive socket after 5 s of silence. Dropping
// idle sockets on our side a little earlier avoids sending a request down a
// socket the peer is closing at that very moment.
const IDLE_SOCKET_MS = 4000;

export class PeerClient implements Transport {
  private readonly agent: http.Agent;

  /**
   * @param localAddress the IP to send from. Using our own ADDR's IP means
   *   peers (and any firewall rule between us) see us under the address
   *   they know us by, even when several nodes share one machine.
   */
  constructor(private readonly localAddress?: string) {
    this.agent = new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  }

  async requestVote(peer: string, args: RequestVoteArgs, timeoutMs: number): Promise<RequestVoteReply> {
    return decodeRequestVoteReply(await this.post(peer, '/raft/request-vote', encodeRequestVote(args), timeoutMs));
  }

  async appendEntries(peer: string, args: AppendEntriesArgs, timeoutMs: number): Promise<AppendEntriesReply> {
    return decodeAppendEntriesReply(await this.post(peer, '/raft/append-entries', encodeAppendEntries(args), timeoutMs));
  }

  async installSnapshot(peer: string, args: InstallSnapshotArgs, timeoutMs: number): Promise<InstallSnapshotReply> {
    return decodeInstallSnapshotReply(await this.post(peer, '/raft/install-snapshot', encodeInstallSnapshot(args), timeoutMs));
  }

  close(): void {
    this.agent.destroy();
  }

  /** `message` is the body as an object, or as JSON text already made. */
  private post(peer: string, path: string, message: object | string, timeoutMs: number): Promise<unknown> {
    const { host, port } = parseAddr(peer);
    const body = Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8');
    return new Promise((resolve, reject) => {
      const req = http.request({
        host,
        port,
        path,
        method: 'POST',
        agent: this.agent,
        localAddress: this.localAddress,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      });
      // One deadline for the whole exchange: connect, send, wait, read.
      // destroy() closes the socket, so a late answer can never be mistaken
      // for the answer to a later request.
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject); // the timer is still armed and will clean up
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) {
            reject(new Error(`${path} answered ${res.statusCode}: ${text.trim()}`));
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`${path} answered with invalid JSON`));
          }
        });
      });
      req.end(body);
    });
  }
}

/** Splits "host:port" (or "[v6]:port"). */
export function parseAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  if (colon === -1) throw new Error(`address must be host:port, got "${addr}"`);
  const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(addr.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port in "${addr}"`);
  return { host: host || '0.0.0.0', port };
}

/** The IP to send from, if `host` names one specific local interface. */
export function sourceAddress(host: string): string | undefined {
  return net.isIP(host) !== 0 && host !== '0.0.0.0' && host !== '::' ? host : undefined;
}
