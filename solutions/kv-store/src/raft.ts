// Raft leader election (sections 5.1, 5.2 and 5.4.1 of the Raft paper, with
// an empty log): roles, terms, votes, timers and the two RPC handlers.
//
//                 times out,            receives votes from
//                starts election        a majority (3 of 5)
//   ┌──────────┐ ───────────> ┌───────────┐ ───────────> ┌────────┐
//   │ follower │              │ candidate │              │ leader │
//   └──────────┘ <─────────── └───────────┘              └────────┘
//        ^     discovers the leader or a higher term          │
//        └────────────────────────────────────────────────────┘
//          discovers a higher term, or hears from no majority
//          for 500 ms
//
// Everything here runs on the event loop, so no two handlers ever interleave
// between two statements; they can only interleave at an `await`. The only
// awaits are on disk writes (`state.durable()`) and on peers' answers, and
// after each one the code checks that the role and term it started with
// still hold before acting on the result.

import type { AppendEntriesArgs, AppendEntriesReply, RequestVoteArgs, RequestVoteReply } from './messages.js';
import type { Transport } from './peers.js';
import type { RaftState } from './raftState.js';

export type Role = 'follower' | 'candidate' | 'leader';

/** The body of GET /cluster/info. */
export interface ClusterInfo {
  id: string;
  role: Role;
  term: number;
  leader: string | null;
  peers: string[];
}

export interface RaftOptions {
  /** This node's address (ADDR); also its id in votes and heartbeats. */
  id: string;
  /** Every other node's address (PEERS). */
  peers: readonly string[];
  state: RaftState;
  transport: Transport;
  log?: (line: string) => void;
  /** Nodes, counting this one, needed to win an election or to stay leader. Default: a majority. */
  quorum?: (clusterSize: number) => number;
  /** Picks one election timeout in ms. Default: uniformly random in [500, 1000). */
  electionTimeout?: () => number;
}

// Timings from the challenge. The election timeout is more generous than the
// paper's 150-300 ms because nodes run in containers on a shared host.
export const ELECTION_TIMEOUT_MIN_MS = 500;
export const ELECTION_TIMEOUT_MAX_MS = 1000;
export const HEARTBEAT_INTERVAL_MS = 100;
/** A leader that has not heard from a majority for this long steps down. */
export const LEADER_LEASE_MS = ELECTION_TIMEOUT_MIN_MS;
// Each RPC has its own deadline, so one unreachable peer never delays the
// others, and each heartbeat is independent of the previous one: a slow
// answer does not hold back the next heartbeat (so about three can be in
// flight to an unresponsive peer). A heartbeat may outlive its interval so that a TCP
// segment lost and retransmitted (after about 200 ms) still counts; on a
// lossy network that is the difference between a steady leader and a new
// election every few seconds. Vote requests end before the next election
// could start.
export const HEARTBEAT_RPC_TIMEOUT_MS = 300;
export const VOTE_RPC_TIMEOUT_MS = 400;

export function majority(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}

function randomElectionTimeout(): number {
  return ELECTION_TIMEOUT_MIN_MS + Math.random() * (ELECTION_TIMEOUT_MAX_MS - ELECTION_TIMEOUT_MIN_MS);
}

export class RaftNode {
  readonly id: string;
  /** Sorted, as GET /cluster/info reports them. */
  readonly peers: readonly string[];
  private readonly state: RaftState;
  private readonly transport: Transport;
  private readonly log: (line: string) => void;
  private readonly quorumOf: (clusterSize: number) => number;
  private readonly electionTimeout: () => number;

  private role: Role = 'follower';
  /** Who we believe leads `state.term`; null until we hear from it. */
  private leaderId: string | null = null;
  private electionTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  // Leader bookkeeping.
  private leaderSince = 0;
  /** When each peer last answered a heartbeat of our current term. */
  private readonly lastAck = new Map<string, number>();
  /** Peers whose last heartbeat failed; only used to log changes, not every failure. */
  private readonly unreachable = new Set<string>();

  constructor(options: RaftOptions) {
    this.id = options.id;
    this.peers = [...new Set(options.peers)].filter((p) => p !== options.id).sort();
    this.state = options.state;
    this.transport = options.transport;
    this.log = options.log ?? (() => {});
    this.quorumOf = options.quorum ?? majority;
    this.electionTimeout = options.electionTimeout ?? randomElectionTimeout;
  }

  /** Votes needed to win, and acknowledgements needed to stay leader. */
  get quorum(): number {
    return this.quorumOf(this.peers.length + 1);
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** The leader's address, if known (our own when we lead). */
  get leader(): string | null {
    return this.leaderId;
  }

  info(): ClusterInfo {
    return { id: this.id, role: this.role, term: this.state.term, leader: this.leaderId, peers: [...this.peers] };
  }

  /**
   * Starts as a follower. A cluster of one has nobody to wait for: it
   * elects itself before returning, so it can serve from its first request.
   */
  async start(): Promise<void> {
    this.log(
      `Raft: ${this.peers.length + 1}-node cluster, starting as follower in term ${this.state.term}` +
        (this.state.votedFor !== null ? ` (voted for ${this.state.votedFor})` : ''),
    );
    if (this.peers.length === 0) await this.startElection('Single-node cluster');
    else this.resetElectionTimer();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.electionTimer);
    clearInterval(this.heartbeatTimer);
  }

  // ---------------------------------------------------------------- RPCs

  /** POST /raft/request-vote. The reply goes out only once our vote is on disk. */
  async handleRequestVote(args: RequestVoteArgs): Promise<RequestVoteReply> {
    if (args.term > this.state.term) {
      this.becomeFollower(args.term, `Vote request from ${args.candidateId} for term ${args.term}`);
    }
    const term = this.state.term;
    const votedFor = this.state.votedFor;
    const granted =
      args.term === term && (votedFor === null || votedFor === args.candidateId) && this.candidateLogIsUpToDate(args);
    if (granted) {
      if (votedFor === null) {
        this.state.update(term, args.candidateId);
        this.log(`Voted for ${args.candidateId} in term ${term}`);
      }
      // Give the candidate time to win before we compete with it.
      this.resetElectionTimer();
    }
    await this.state.durable();
    return { term, voteGranted: granted };
  }

  /** POST /raft/append-entries: a heartbeat in this stage. */
  async handleAppendEntries(args: AppendEntriesArgs): Promise<AppendEntriesReply> {
    if (args.term < this.state.term) {
      // A stale leader. Our term in the reply tells it to step down.
      const term = this.state.term;
      await this.state.durable();
      return { term, success: false };
    }
    if (args.term > this.state.term || this.role === 'candidate') {
      this.becomeFollower(args.term, `Heartbeat from ${args.leaderId} in term ${args.term}`);
    } else if (this.role === 'leader') {
      // Two leaders in one term: impossible if every node votes once per
      // term and winning takes a majority. Refuse rather than follow.
      this.log(`BUG: ${args.leaderId} also claims to lead term ${args.term}`);
      await this.state.durable();
      return { term: args.term, success: false };
    }
    if (this.leaderId !== args.leaderId) {
      this.leaderId = args.leaderId;
      this.log(`Received heartbeat from ${args.leaderId}, following in term ${args.term}`);
    }
    this.resetElectionTimer();
    await this.state.durable();
    // The log is empty, so prev-log-index/prev-log-term (both 0) always match.
    return { term: args.term, success: true };
  }

  /**
   * Election restriction (5.4.1): only vote for a candidate whose log is at
   * least as up-to-date as ours. Our log is still empty (last index 0, last
   * term 0), so every candidate qualifies; log replication fills this in.
   */
  private candidateLogIsUpToDate(args: RequestVoteArgs): boolean {
    const ourLastTerm = 0;
    const ourLastIndex = 0;
    return args.lastLogTerm > ourLastTerm || (args.lastLogTerm === ourLastTerm && args.lastLogIndex >= ourLastIndex);
  }

  // ------------------------------------------------------ role changes

  /** Reverts to follower, adopting `term` if it is newer. The leader of that term is not known yet. */
  private becomeFollower(term: number, why: string): void {
    const wasLeader = this.role === 'leader';
    if (term > this.state.term) this.state.update(term, null);
    this.role = 'follower';
    this.leaderId = null;
    if (wasLeader) {
      this.stopHeartbeats();
      this.resetElectionTimer();
    }
    this.log(`${why}, now follower in term ${this.state.term}`);
  }

  private async startElection(why: string): Promise<void> {
    if (this.stopped) return;
    const term = this.state.term + 1;
    this.state.update(term, this.id);
    this.role = 'candidate';
    this.leaderId = null;
    // If this round ends in a split vote, the next timeout starts another.
    this.resetElectionTimer();
    this.log(`${why}, starting election for term ${term}`);

    try {
      // Our own vote must be on disk before anyone hears about this term.
      await this.state.durable();
    } catch (err) {
      this.log(`Not campaigning: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.stopped || this.role !== 'candidate' || this.state.term !== term) return;

    const clusterSize = this.peers.length + 1;
    let votes = 1;
    if (votes >= this.quorum) return this.becomeLeader();

    const args: RequestVoteArgs = { term, candidateId: this.id, lastLogIndex: 0, lastLogTerm: 0 };
    for (const peer of this.peers) {
      this.transport.requestVote(peer, args, VOTE_RPC_TIMEOUT_MS).then(
        (reply) => {
          if (reply.term > this.state.term) {
            this.becomeFollower(reply.term, `${peer} is in term ${reply.term}`);
            return;
          }
          // Ignore answers from an election we are no longer running.
          if (!reply.voteGranted || this.role !== 'candidate' || this.state.term !== term) return;
          votes++;
          this.log(`Received vote from ${peer} (${votes}/${clusterSize})`);
          if (votes >= this.quorum) this.becomeLeader();
        },
        () => {
          // Unreachable or too slow: no vote. The next round asks again.
        },
      );
    }
  }

  private becomeLeader(): void {
    if (this.stopped) return;
    this.role = 'leader';
    this.leaderId = this.id;
    clearTimeout(this.electionTimer);
    this.leaderSince = performance.now();
    this.lastAck.clear();
    this.log(`Became leader in term ${this.state.term}`);
    // Announce ourselves at once, then keep doing so.
    this.sendHeartbeats();
    this.heartbeatTimer = setInterval(() => this.onHeartbeatTick(), HEARTBEAT_INTERVAL_MS);
  }

  // --------------------------------------------------------- leadership

  private onHeartbeatTick(): void {
    if (!this.hasQuorumContact(performance.now())) {
      // We may be on the minority side of a partition. Another leader may
      // already exist on the majority side; stop claiming the role (and
      // stop serving clients) instead of accepting writes we cannot commit.
      this.becomeFollower(this.state.term, `No acknowledgement from a majority for ${LEADER_LEASE_MS} ms, stepping down`);
      return;
    }
    this.sendHeartbeats();
  }

  /** Has a majority (counting ourselves) answered a heartbeat within the lease? */
  protected hasQuorumContact(now: number): boolean {
    if (now - this.leaderSince < LEADER_LEASE_MS) return true; // just elected: the votes count
    let reached = 1;
    for (const peer of this.peers) {
      const at = this.lastAck.get(peer);
      if (at !== undefined && now - at < LEADER_LEASE_MS) reached++;
    }
    return reached >= this.quorum;
  }

  private sendHeartbeats(): void {
    const term = this.state.term;
    const args: AppendEntriesArgs = {
      term,
      leaderId: this.id,
      prevLogIndex: 0,
      prevLogTerm: 0,
      entries: [],
      leaderCommit: 0,
    };
    for (const peer of this.peers) {
      this.transport.appendEntries(peer, args, HEARTBEAT_RPC_TIMEOUT_MS).then(
        (reply) => {
          this.peerAnswered(peer);
          if (reply.term > this.state.term) {
            this.becomeFollower(reply.term, `${peer} is in term ${reply.term}`);
          } else if (this.role === 'leader' && this.state.term === term) {
            // Any answer in our term acknowledges our leadership.
            this.lastAck.set(peer, performance.now());
          }
        },
        (err: unknown) => this.peerFailed(peer, err),
      );
    }
  }

  private stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.unreachable.clear();
  }

  private peerAnswered(peer: string): void {
    if (this.unreachable.delete(peer)) this.log(`Heartbeat to ${peer} answered again`);
  }

  private peerFailed(peer: string, err: unknown): void {
    if (this.role !== 'leader' || this.unreachable.has(peer)) return;
    this.unreachable.add(peer);
    this.log(`Heartbeat to ${peer} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  // -------------------------------------------------------------- timers

  private resetElectionTimer(): void {
    clearTimeout(this.electionTimer);
    if (this.stopped) return;
    this.electionTimer = setTimeout(() => void this.startElection('Election timeout'), this.electionTimeout());
  }
}
