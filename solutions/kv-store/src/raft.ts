// Raft (sections 5.1-5.4, 6, 7 and 8 of the Raft paper): leader election, log
// replication, the commit rule, applying committed entries, snapshots that
// replace the applied prefix of the log (sent to followers that need
// entries already discarded), reads that are linearizable because the
// leader confirms its leadership first, and membership changes: one server
// at a time, or any set at once through a joint configuration.
//
// Every decision (winning an election, committing, staying leader, confirming
// a read) counts the members of the latest configuration in the log
// (configLog.ts), a majority of each half while it is joint
// (configuration.ts); never the addresses a node happens to talk to. A
// change runs on the leader in three steps: newcomers are caught up as
// learners (replicated to, counted nowhere), then the configuration entry is
// appended (with a joint one first for a bulk change; any leader that finds
// a joint entry committed appends the new configuration), then it commits.
// One change at a time: the next waits until every configuration entry is
// committed and no learner is being caught up.
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
// between two statements; they can only interleave at an `await`. The awaits
// are on disk writes (`state.durable()`, `log.flushed()`) and on peers'
// answers, and after each one the code checks that the role and term it
// started with still hold before acting on the result.

import {
  type Configuration,
  halves,
  hasQuorum,
  isJoint,
  isVoter,
  joint,
  quorumIndex,
  sameMembers,
  simple,
  toCommand,
  voters,
} from './configuration.js';
import { ConfigLog } from './configLog.js';
import type {
  AppendEntriesArgs,
  AppendEntriesReply,
  Command,
  InstallSnapshotArgs,
  InstallSnapshotReply,
  LogEntry,
  RequestVoteArgs,
  RequestVoteReply,
} from './messages.js';
import type { Transport } from './peers.js';
import type { RaftLog } from './raftLog.js';
import type { RaftState } from './raftState.js';
import type { Snapshot } from './snapshot.js';

export type Role = 'follower' | 'candidate' | 'leader';

/** The body of GET /cluster/info. */
export interface ClusterInfo {
  id: string;
  role: Role;
  term: number;
  leader: string | null;
  /** The latest configuration in the log (C_new while joint), sorted; [] for a newcomer. */
  members: string[];
  /** The two halves while the latest configuration is joint. */
  joint: { old: string[]; new: string[] } | null;
  /** Every member of either half but us, sorted. */
  peers: string[];
}

/** The body of GET /log. */
export interface LogInfo {
  /** The entries after the snapshot. */
  entries: readonly LogEntry[];
  'commit-index': number;
  'last-applied': number;
}

/** The body of GET /log/snapshot: the snapshot on disk, 0 and 0 before any. */
export interface SnapshotInfo {
  'last-included-index': number;
  'last-included-term': number;
}

/** What Raft replicates: it applies commands and can be saved and replaced whole. */
export interface StateMachine {
  /** Executes one committed command; called in index order, once per entry. */
  apply(command: Command): void;
  /** The whole state as JSON text, for a snapshot. */
  snapshot(): string;
  /** Replaces the whole state with a snapshot's data. */
  restore(data: string): void;
}

export interface RaftOptions {
  /** This node's address (ADDR); also its id in votes and heartbeats. */
  id: string;
  /** Every other node's address (PEERS). */
  peers: readonly string[];
  /**
   * The configuration before the log and snapshot say otherwise (see
   * startingConfiguration.ts). Default: this node plus `peers`.
   */
  configuration?: Configuration;
  state: RaftState;
  /** The durable log, after `snapshot`; its commit markers say where applying starts. */
  raftLog: RaftLog;
  /** The snapshot on disk (index 0 without one); the state machine starts from it. */
  snapshot: Snapshot;
  /** Resolves once a snapshot is on disk (written atomically: the old one or the new one survives a crash). */
  saveSnapshot: (snapshot: Snapshot) => Promise<void>;
  machine: StateMachine;
  transport: Transport;
  log?: (line: string) => void;
  /** Nodes, counting this one, needed to win an election, to commit, or to stay leader. Default: a majority. */
  quorum?: (clusterSize: number) => number;
  /** Picks one election timeout in ms. Default: uniformly random in [500, 1000). */
  electionTimeout?: () => number;
}

/**
 * The request had no effect and never will: this node is not (or no longer)
 * the leader. `leader` is who is, if known. The HTTP layer answers 307 or 503.
 */
export class NotLeader extends Error {
  constructor(readonly leader: string | null) {
    super(leader === null ? 'no leader' : `not the leader; try ${leader}`);
  }
}

/** A write whose entry may or may not still be committed. The HTTP layer answers 500. */
export class OutcomeUnknown extends Error {
  constructor() {
    super('outcome unknown');
  }
}

/** Another configuration change is not finished; nothing changed. The HTTP layer answers 409. */
export class ChangeInProgress extends Error {
  constructor() {
    super('configuration change in progress');
  }
}

/** A configuration change given up before its entry was appended: nothing changed. The HTTP layer answers 503. */
export class ChangeAbandoned extends Error {}

/** A change that makes no sense (removing the last member). The HTTP layer answers 400. */
export class BadChange extends Error {}

// Timings from the challenge. The election timeout is more generous than the
// paper's 150-300 ms because nodes run in containers on a shared host.
export const ELECTION_TIMEOUT_MIN_MS = 500;
export const ELECTION_TIMEOUT_MAX_MS = 1000;
export const HEARTBEAT_INTERVAL_MS = 100;
/** A leader that has not heard from a majority for this long steps down. */
export const LEADER_LEASE_MS = ELECTION_TIMEOUT_MIN_MS;
// Each RPC has its own deadline, so one unreachable peer never delays the
// others. A heartbeat may outlive its interval so that a TCP segment lost
// and retransmitted (after about 200 ms) still counts; on a lossy network
// that is the difference between a steady leader and a new election every
// few seconds. Vote requests end before the next election could start.
export const HEARTBEAT_RPC_TIMEOUT_MS = 300;
export const REPLICATE_RPC_TIMEOUT_MS = 500;
export const VOTE_RPC_TIMEOUT_MS = 400;
/** Most entries in one AppendEntries; a follower far behind catches up in several. */
export const MAX_BATCH_ENTRIES = 512;
/** A node snapshots once it has applied this many entries beyond its last snapshot. */
export const SNAPSHOT_THRESHOLD = 500;
/** The whole map travels in one InstallSnapshot: give it longer than a batch of entries. */
export const SNAPSHOT_RPC_TIMEOUT_MS = 2000;
/** A write not known to be committed after this long is answered "outcome unknown". */
export const WRITE_TIMEOUT_MS = 5000;
/** A read whose leadership check has not completed after this long gets 503. */
export const READ_TIMEOUT_MS = 2000;
/** A newcomer that has not caught up after this long is given up on, and its change with it. */
export const CATCH_UP_TIMEOUT_MS = 10_000;

export function majority(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}

function randomElectionTimeout(): number {
  return ELECTION_TIMEOUT_MIN_MS + Math.random() * (ELECTION_TIMEOUT_MAX_MS - ELECTION_TIMEOUT_MIN_MS);
}

/** What the leader knows about one follower (reset at every election won). */
interface Progress {
  /** The next entry to send. */
  nextIndex: number;
  /** The highest entry known to be on its disk. */
  matchIndex: number;
  /** A replicating AppendEntries is out; only one at a time, each carrying all that is missing. */
  inflight: boolean;
  /** The highest sequence number of our AppendEntries it answered in our term (for reads). */
  ackedSeq: number;
  /** The highest commit index it is known to hold (for a removed node: does it know yet?). */
  knownCommit: number;
}

function newProgress(nextIndex: number): Progress {
  return { nextIndex, matchIndex: 0, inflight: false, ackedSeq: 0, knownCommit: 0 };
}

/** The change being made on the leader, from the first learner to its configuration entry. */
interface PendingChange {
  /** Newcomers being caught up as learners. */
  learners: string[];
  /** They have caught up once their matchIndex reaches this (our commit index when they were added). */
  catchUpTo: number;
  caughtUp: () => void;
  abandon: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** A client write waiting for its entry to be applied. */
interface WriteWaiter {
  term: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** A read waiting for a majority to answer AppendEntries sent from `seq` on. */
interface ReadWaiter {
  seq: number;
  resolve: () => void;
}

export class RaftNode {
  readonly id: string;
  /** The configurations in the log: `latest` is the one every decision counts. */
  private readonly configs: ConfigLog;
  private readonly state: RaftState;
  private readonly raftLog: RaftLog;
  private readonly machine: StateMachine;
  private readonly storeSnapshot: (snapshot: Snapshot) => Promise<void>;
  /** The latest snapshot on disk; the log holds the entries after it. */
  private snapshot: Snapshot;
  /** Snapshot saves, one at a time and in order (see persistSnapshot). */
  private snapshotChain: Promise<void> = Promise.resolve();
  /** A snapshot of our own is being written. */
  private snapshotting = false;
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

  private commitIndex: number;
  private lastApplied = 0;
  /** Client writes by the index of their entry (several if a later term reused the index). */
  private readonly writes = new Map<number, WriteWaiter[]>();
  /** Callbacks waiting for lastApplied to reach an index. */
  private appliedWaiters: Array<{ index: number; resolve: () => void }> = [];

  // Leader bookkeeping.
  private leaderSince = 0;
  /** Index of this term's no-op: reads wait until it is committed. */
  private noopIndex = 0;
  private progress = new Map<string, Progress>();
  /** When each peer last answered a heartbeat of our current term. */
  private readonly lastAck = new Map<string, number>();
  /** Sequence number of the last AppendEntries sent. */
  private sendSeq = 0;
  private readWaiters: ReadWaiter[] = [];
  /** The heartbeat round out for reads, if any. */
  private readRound: { firstSeq: number } | undefined;
  private roundScheduled = false;
  private replicationScheduled = false;
  private commitNoticeScheduled = false;
  /** Rejected when this leadership ends; reads race against it. */
  private deposed: { promise: Promise<never>; reject: (err: Error) => void } | undefined;
  /** Peers whose last heartbeat failed; only used to log changes, not every failure. */
  private readonly unreachable = new Set<string>();
  /** The configuration change in progress on this leader, until its entry is appended. */
  private change: PendingChange | undefined;
  /** Why elections are off, last logged (so that it is logged once, not every timeout). */
  private notCampaigning: string | undefined;

  constructor(options: RaftOptions) {
    this.id = options.id;
    this.state = options.state;
    this.raftLog = options.raftLog;
    this.machine = options.machine;
    this.storeSnapshot = options.saveSnapshot;
    this.snapshot = options.snapshot;
    if (this.snapshot.index > 0) this.machine.restore(this.snapshot.data);
    this.lastApplied = this.snapshot.index;
    this.transport = options.transport;
    this.log = options.log ?? (() => {});
    this.quorumOf = options.quorum ?? majority;
    this.electionTimeout = options.electionTimeout ?? randomElectionTimeout;
    this.commitIndex = this.raftLog.recovery.commitIndex;
    // The snapshot's configuration, else the starting one, then whatever the log says.
    this.configs = new ConfigLog(
      this.snapshot.config ?? options.configuration ?? simple([options.id, ...options.peers]),
      this.snapshot.index,
      this.raftLog.all(),
    );
    this.raftLog.onDurable = () => {
      if (this.role === 'leader') this.advanceCommit();
    };
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /**
   * The leader's address for clients, if known (our own when we lead). A node
   * outside the cluster (a newcomer not added yet, a member whose removal is
   * committed) knows none: it answers clients 503.
   */
  get leader(): string | null {
    return this.isMember ? this.leaderId : null;
  }

  /** The latest configuration in the log (or the snapshot's, or the starting one). */
  get configuration(): Configuration {
    return this.configs.latest;
  }

  /** Every member of the latest configuration (either half) but us, sorted. */
  get peers(): string[] {
    return voters(this.configs.latest).filter((p) => p !== this.id);
  }

  /** In the latest configuration, or still in the committed one (a removal not committed yet). */
  get isMember(): boolean {
    return isVoter(this.configs.latest, this.id) || isVoter(this.committedConfiguration(), this.id);
  }

  info(): ClusterInfo {
    const c = this.configs.latest;
    return {
      id: this.id,
      role: this.role,
      term: this.state.term,
      leader: this.leaderId,
      members: [...c.members],
      joint: c.old === undefined ? null : { old: [...c.old], new: [...c.members] },
      peers: this.peers,
    };
  }

  logInfo(): LogInfo {
    return { entries: this.raftLog.all(), 'commit-index': this.commitIndex, 'last-applied': this.lastApplied };
  }

  snapshotInfo(): SnapshotInfo {
    return { 'last-included-index': this.snapshot.index, 'last-included-term': this.snapshot.term };
  }

  /**
   * Applies what the log says is committed, then starts as a follower. A
   * cluster of one has nobody to wait for: it elects itself and commits its
   * no-op (and so everything before it) before returning, so it can serve
   * from its first request.
   */
  async start(): Promise<void> {
    this.applyCommitted();
    const c = this.configs.latest;
    this.log(
      `Raft: ${c.members.length === 0 ? 'no configuration yet (a newcomer)' : `configuration ${describe(c)}`}, ` +
        `starting as follower in term ${this.state.term}` +
        (this.state.votedFor !== null ? ` (voted for ${this.state.votedFor})` : '') +
        `, ${this.snapshot.index > 0 ? `snapshot through ${this.snapshot.index} (term ${this.snapshot.term}), ` : ''}` +
        `log through ${this.raftLog.lastIndex}, ${this.lastApplied} applied`,
    );
    if (c.old === undefined && sameMembers(c.members, [this.id])) {
      await this.startElection('Single-node cluster');
      if (this.role === 'leader') await this.whenApplied(this.noopIndex);
    } else {
      this.resetElectionTimer();
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.electionTimer);
    clearInterval(this.heartbeatTimer);
  }

  /** Stops, and closes the log once every queued write is on disk. */
  async close(): Promise<void> {
    this.stop();
    // A snapshot being written discards a log prefix when it is done.
    await this.snapshotChain;
    this.raftLog.saveCommitIndex(this.commitIndex);
    await this.raftLog.close();
  }

  // ------------------------------------------------------------ clients

  /**
   * Appends a client command and resolves once its entry is committed and
   * applied. Rejects with NotLeader if nothing was appended or if another
   * entry was committed at its index (so it never will be), and with
   * OutcomeUnknown if neither is known after WRITE_TIMEOUT_MS.
   */
  propose(command: Command): Promise<void> {
    if (this.role !== 'leader' || this.stopped) return Promise.reject(new NotLeader(this.role === 'leader' ? null : this.leaderId));
    return this.committed(this.appendAsLeader(command));
  }

  /** Resolves once `entry`, appended by us as leader, is applied; rejects as propose() does. */
  private committed(entry: LogEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: WriteWaiter = {
        term: entry.term,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.removeWrite(entry.index, waiter);
          reject(new OutcomeUnknown());
        }, WRITE_TIMEOUT_MS),
      };
      const list = this.writes.get(entry.index);
      if (list === undefined) this.writes.set(entry.index, [waiter]);
      else list.push(waiter);
    });
  }

  /**
   * The read-index check (section 8): resolves when a read served from the
   * local map right now is linearizable. This term's no-op must be
   * committed (so our commit index covers everything any earlier leader
   * acknowledged), a majority must have answered an AppendEntries sent
   * after the read arrived (so no newer leader existed when it did), and
   * the map must have applied everything up to the commit index noted
   * before that round.
   */
  async readBarrier(): Promise<void> {
    if (this.role !== 'leader' || this.deposed === undefined) throw new NotLeader(this.leaderId);
    const term = this.state.term;
    const deposed = this.deposed.promise;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NotLeader(null)), READ_TIMEOUT_MS);
    });
    try {
      if (this.commitIndex < this.noopIndex) await Promise.race([this.whenApplied(this.noopIndex), deposed, timeout]);
      const readIndex = this.commitIndex;
      if (!this.decides((id) => id === this.id)) await Promise.race([this.confirmLeadership(), deposed, timeout]);
      await Promise.race([this.whenApplied(readIndex), deposed, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (this.role !== 'leader' || this.state.term !== term) throw new NotLeader(this.role === 'leader' ? null : this.leaderId);
  }

  /** Resolves once a majority answered an AppendEntries sent from now on. */
  private confirmLeadership(): Promise<void> {
    const seq = this.sendSeq + 1;
    const promise = new Promise<void>((resolve) => this.readWaiters.push({ seq, resolve }));
    this.startReadRound();
    return promise;
  }

  /**
   * One heartbeat round at a time serves the reads: those that arrive while
   * a round is out wait for the next one, which starts as soon as that
   * round has its majority (or its deadline passed). Under load, rounds
   * batch reads the way the log writer batches fsyncs.
   */
  private startReadRound(): void {
    if (this.readRound !== undefined || this.roundScheduled || this.readWaiters.length === 0) return;
    this.roundScheduled = true;
    setImmediate(() => {
      this.roundScheduled = false;
      if (this.role !== 'leader' || this.readWaiters.length === 0) return;
      const round = { firstSeq: this.sendSeq + 1 };
      this.readRound = round;
      for (const peer of this.progress.keys()) this.sendHeartbeat(peer);
      setTimeout(() => {
        if (this.readRound !== round) return;
        this.readRound = undefined;
        this.startReadRound();
      }, HEARTBEAT_RPC_TIMEOUT_MS);
    });
  }

  private checkReads(): void {
    if (this.readWaiters.length === 0 && this.readRound === undefined) return;
    const reached = (seq: number) => this.decides((id) => id === this.id || (this.progress.get(id)?.ackedSeq ?? 0) >= seq);
    this.readWaiters = this.readWaiters.filter((w) => {
      if (!reached(w.seq)) return true;
      w.resolve();
      return false;
    });
    if (this.readRound !== undefined && reached(this.readRound.firstSeq)) {
      this.readRound = undefined;
      this.startReadRound();
    }
  }

  private whenApplied(index: number): Promise<void> {
    if (this.lastApplied >= index) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ index, resolve }));
  }

  private removeWrite(index: number, waiter: WriteWaiter): void {
    const list = this.writes.get(index);
    if (list === undefined) return;
    const rest = list.filter((w) => w !== waiter);
    if (rest.length === 0) this.writes.delete(index);
    else this.writes.set(index, rest);
  }

  // ---------------------------------------------------------------- RPCs

  /** POST /raft/request-vote. The reply goes out only once our vote is on disk. */
  async handleRequestVote(args: RequestVoteArgs): Promise<RequestVoteReply> {
    if (!isVoter(this.configs.latest, args.candidateId)) {
      // Not a member as far as we know (removed, perhaps without knowing it):
      // neither our vote nor its term, so it cannot disrupt the cluster.
      const term = this.state.term;
      await this.state.durable();
      return { term, voteGranted: false };
    }
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

  /** POST /raft/append-entries: heartbeats and replication (section 5.3). */
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

    // The consistency check: we must hold the entry just before the new ones.
    // Entries up to our snapshot are committed, so they agree with any
    // leader's: a request that starts inside the snapshot matches there.
    const log = this.raftLog;
    const inSnapshot = Math.min(args.entries.length, Math.max(0, log.snapshotIndex - args.prevLogIndex));
    const prevTerm = inSnapshot > 0 || args.prevLogIndex < log.snapshotIndex ? args.prevLogTerm : log.term(args.prevLogIndex);
    if (prevTerm !== args.prevLogTerm) {
      // Fast backup hint: where the leader should try next.
      const conflict =
        prevTerm === undefined
          ? { index: log.lastIndex + 1, term: 0 }
          : { index: log.firstIndexOfTerm(args.prevLogIndex), term: prevTerm };
      await this.state.durable();
      return { term: args.term, success: false, conflict };
    }

    // Skip what we already have; at the first conflict drop our suffix.
    // Never drop anything just because the request is shorter than our log:
    // it may be an older, delayed request from this same leader.
    let i = inSnapshot;
    for (; i < args.entries.length; i++) {
      const e = args.entries[i]!;
      const ours = log.term(e.index);
      if (ours === undefined) break;
      if (this.conflicts(ours, e)) {
        if (e.index <= this.commitIndex) {
          // A committed entry can never change; a leader that says it does is broken.
          this.log(`BUG: ${args.leaderId} conflicts with committed entry ${e.index}; refusing`);
          await this.state.durable();
          return { term: args.term, success: false };
        }
        this.log(`Log conflict at ${e.index} (term ${ours}, leader has ${e.term}): dropping entries ${e.index}-${log.lastIndex}`);
        this.truncateLog(e.index);
        break;
      }
    }
    if (i < args.entries.length) this.appendToLog(args.entries.slice(i));

    // Acknowledge only what is on disk, including entries appended by an
    // earlier request whose write may still be in progress.
    await Promise.all([this.state.durable(), log.flushed()]);
    if (this.state.term !== args.term) return { term: this.state.term, success: false };

    const lastNew = args.prevLogIndex + args.entries.length;
    const commit = Math.min(args.leaderCommit, lastNew);
    if (commit > this.commitIndex) {
      this.commitIndex = commit;
      this.applyCommitted();
    }
    return { term: args.term, success: true };
  }

  /**
   * POST /raft/install-snapshot (section 7). The answer goes out once the
   * snapshot is on disk, or at once if we already cover it.
   */
  async handleInstallSnapshot(args: InstallSnapshotArgs): Promise<InstallSnapshotReply> {
    if (args.term < this.state.term) {
      const term = this.state.term;
      await this.state.durable();
      return { term };
    }
    if (args.term > this.state.term || this.role === 'candidate') {
      this.becomeFollower(args.term, `Snapshot from ${args.leaderId} in term ${args.term}`);
    } else if (this.role === 'leader') {
      this.log(`BUG: ${args.leaderId} also claims to lead term ${args.term}`);
      await this.state.durable();
      return { term: args.term };
    }
    if (this.leaderId !== args.leaderId) {
      this.leaderId = args.leaderId;
      this.log(`Received snapshot from ${args.leaderId}, following in term ${args.term}`);
    }
    this.resetElectionTimer();

    const snapshot = args.snapshot;
    // A delayed or repeated snapshot must never move us back.
    if (snapshot.index > this.commitIndex) {
      const started = performance.now();
      const installed = await this.persistSnapshot(snapshot, () => this.installSnapshot(snapshot));
      if (installed) {
        this.log(
          `Installed snapshot from ${args.leaderId} through ${snapshot.index} (term ${snapshot.term}, ` +
            `${snapshot.data.length} bytes) in ${Math.round(performance.now() - started)} ms; log now ${this.describeLog()}`,
        );
      }
    }
    await this.state.durable();
    return { term: this.state.term };
  }

  /** Makes a leader's snapshot, now on disk, our state: log, map, counters, and the writes still waiting. */
  private installSnapshot(snapshot: Snapshot): void {
    // Our entries up to its last one are the committed ones only if we hold that entry.
    const matches = this.raftLog.term(snapshot.index) === snapshot.term;
    for (const [index, waiting] of this.writes) {
      if (index <= this.lastApplied || index > snapshot.index) continue;
      this.writes.delete(index);
      const ours = matches ? this.raftLog.term(index) : undefined;
      for (const w of waiting) {
        clearTimeout(w.timer);
        if (ours === undefined) w.reject(new OutcomeUnknown());
        else if (ours === w.term) w.resolve();
        else w.reject(new NotLeader(this.leaderId));
      }
    }
    this.raftLog.discardThrough(snapshot.index, snapshot.term, matches);
    this.configChanged(() => this.configs.discardThrough(snapshot.index, snapshot.config, matches));
    if (snapshot.index > this.lastApplied) {
      this.machine.restore(snapshot.data);
      this.lastApplied = snapshot.index;
    }
    if (snapshot.index > this.commitIndex) this.commitIndex = snapshot.index;
    this.raftLog.saveCommitIndex(this.commitIndex);
    this.notifyApplied();
  }

  /**
   * Saves `snapshot` unless one at least as far is on disk already, then
   * runs `adopt` (which discards the log prefix it covers). Saves run one at
   * a time in order, so a slower, older snapshot never overwrites a newer
   * one, and `adopt` runs before the next save starts. Resolves whether it
   * was saved.
   */
  private persistSnapshot(snapshot: Snapshot, adopt: () => void): Promise<boolean> {
    const step = this.snapshotChain.then(async () => {
      if (snapshot.index <= this.snapshot.index || this.stopped) return false;
      await this.storeSnapshot(snapshot);
      this.snapshot = snapshot;
      adopt();
      return true;
    });
    this.snapshotChain = step.then(
      () => {},
      () => {},
    );
    return step;
  }

  /**
   * Once SNAPSHOT_THRESHOLD entries are applied beyond the last snapshot,
   * saves the map as it is now (serializing it is the only synchronous
   * part: a millisecond or two for a few thousand keys) and, once that is
   * on disk, discards the log through it. Everything keeps running
   * meanwhile; entries applied during the write stay in the log.
   */
  private maybeSnapshot(): void {
    if (this.snapshotting || this.lastApplied - this.snapshot.index < SNAPSHOT_THRESHOLD) return;
    const started = performance.now();
    const index = this.lastApplied;
    const snapshot: Snapshot = {
      index,
      term: this.lastIncludedTerm(index),
      data: this.machine.snapshot(),
      config: this.configs.at(index),
    };
    this.snapshotting = true;
    this.persistSnapshot(snapshot, () => {
      this.raftLog.discardThrough(index, snapshot.term, true);
      this.configs.discardThrough(index, snapshot.config, true);
    }).then(
      (saved) => {
        this.snapshotting = false;
        if (saved) {
          this.log(
            `Snapshot through ${index} (term ${snapshot.term}, ${snapshot.data.length} bytes) in ` +
              `${Math.round(performance.now() - started)} ms; log now ${this.describeLog()}`,
          );
        }
      },
      (err: unknown) => {
        // Nothing is lost: the log still holds every entry. Try again later.
        this.snapshotting = false;
        this.log(`Snapshot through ${index} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }

  private describeLog(): string {
    const first = this.raftLog.snapshotIndex + 1;
    return first > this.raftLog.lastIndex ? 'empty after the snapshot' : `${first}-${this.raftLog.lastIndex}`;
  }

  /** The last-included-term of a snapshot of our own through `index`: the term of that entry. */
  protected lastIncludedTerm(index: number): number {
    return this.raftLog.term(index)!;
  }

  /**
   * Whether the leader's `entry` is not the one we hold at its index (of
   * term `ourTerm`). Index and term identify an entry (the Log Matching
   * Property), so at the same index the terms decide.
   */
  protected conflicts(ourTerm: number, entry: LogEntry): boolean {
    return ourTerm !== entry.term;
  }

  /**
   * Election restriction (5.4.1): only vote for a candidate whose log is at
   * least as up-to-date as ours: a higher last term, or the same last term
   * and at least our length. Every committed entry is on a majority, and
   * that majority refuses any candidate that lacks it.
   */
  private candidateLogIsUpToDate(args: RequestVoteArgs): boolean {
    const ourLastTerm = this.raftLog.lastTerm;
    const ourLastIndex = this.raftLog.lastIndex;
    return args.lastLogTerm > ourLastTerm || (args.lastLogTerm === ourLastTerm && args.lastLogIndex >= ourLastIndex);
  }

  // ------------------------------------------------------ commit, apply

  /**
   * The leader's commit rule (5.3, 5.4.2): the highest index stored on a
   * majority (counting our own disk), but only if it is from our term;
   * earlier entries are committed by the one after them.
   */
  private advanceCommit(): void {
    const n = this.storedOnQuorum();
    if (n <= this.commitIndex || this.raftLog.term(n) !== this.state.term) return;
    this.commitIndex = n;
    this.applyCommitted();
    this.scheduleCommitNotice();
    this.configurationCommitted();
  }

  /**
   * Followers learn the new commit index with the next AppendEntries. Those
   * with a request in flight get it with the next batch; the others get a
   * heartbeat now, which (unlike a replicating request) does not hold up
   * the next batch while it is out.
   */
  private scheduleCommitNotice(): void {
    if (this.commitNoticeScheduled) return;
    this.commitNoticeScheduled = true;
    setImmediate(() => {
      this.commitNoticeScheduled = false;
      if (this.role !== 'leader') return;
      for (const [peer, p] of this.progress) if (!p.inflight && p.nextIndex > this.raftLog.lastIndex) this.sendHeartbeat(peer);
    });
  }

  /** The highest index on the disks of a majority, our own included. */
  protected storedOnQuorum(): number {
    return quorumIndex(
      this.majorities(this.configs.latest),
      (id) => (id === this.id ? this.raftLog.durableIndex : (this.progress.get(id)?.matchIndex ?? 0)),
      this.quorumOf,
    );
  }

  /** The highest index on our own disk. */
  protected storedLocally(): number {
    return this.raftLog.durableIndex;
  }

  /** Applies committed entries in order and answers the writes and reads waiting on them. */
  private applyCommitted(): void {
    if (this.lastApplied >= this.commitIndex) return;
    while (this.lastApplied < this.commitIndex) {
      const entry = this.raftLog.entry(this.lastApplied + 1)!;
      this.machine.apply(entry.command);
      this.lastApplied = entry.index;
      const waiting = this.writes.get(entry.index);
      if (waiting !== undefined) {
        this.writes.delete(entry.index);
        for (const w of waiting) {
          clearTimeout(w.timer);
          // Ours if the committed entry has the term we appended it in;
          // otherwise another entry took the index for good.
          if (w.term === entry.term) w.resolve();
          else w.reject(new NotLeader(this.role === 'leader' ? null : this.leaderId));
        }
      }
    }
    this.raftLog.saveCommitIndex(this.commitIndex);
    this.notifyApplied();
    this.maybeSnapshot();
  }

  private notifyApplied(): void {
    if (this.appliedWaiters.length === 0) return;
    this.appliedWaiters = this.appliedWaiters.filter((w) => {
      if (w.index > this.lastApplied) return true;
      w.resolve();
      return false;
    });
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
      // Pending reads fail (a read has no effect); pending writes keep
      // waiting to learn whether their entries are committed.
      this.deposed?.reject(new NotLeader(null));
      this.deposed = undefined;
      this.readWaiters = [];
      this.readRound = undefined;
      this.abandonChange(new ChangeAbandoned('lost leadership before the change was appended; nothing changed'));
    }
    this.log(`${why}, now follower in term ${this.state.term}`);
  }

  private async startElection(why: string): Promise<void> {
    if (this.stopped) return;
    const unwilling = this.whyNotCampaign();
    if (unwilling !== undefined) {
      if (unwilling !== this.notCampaigning) this.log(`Not starting elections: ${unwilling}`);
      this.notCampaigning = unwilling;
      this.resetElectionTimer();
      return;
    }
    this.notCampaigning = undefined;
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

    // Counted against the latest configuration, a majority of each half while joint.
    const config = this.configs.latest;
    const clusterSize = voters(config).length;
    const votes = new Set([this.id]);
    const won = () => this.decides((id) => votes.has(id), config);
    if (won()) return this.becomeLeader();

    const args: RequestVoteArgs = {
      term,
      candidateId: this.id,
      lastLogIndex: this.raftLog.lastIndex,
      lastLogTerm: this.raftLog.lastTerm,
    };
    for (const peer of this.peers) {
      this.transport.requestVote(peer, args, VOTE_RPC_TIMEOUT_MS).then(
        (reply) => {
          if (reply.term > this.state.term) {
            this.becomeFollower(reply.term, `${peer} is in term ${reply.term}`);
            return;
          }
          // Ignore answers from an election we are no longer running.
          if (!reply.voteGranted || this.role !== 'candidate' || this.state.term !== term) return;
          votes.add(peer);
          this.log(`Received vote from ${peer} (${votes.size}/${clusterSize})`);
          if (won()) this.becomeLeader();
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
    let reject: (err: Error) => void = () => {};
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => {}); // only reads that race against it care
    this.deposed = { promise, reject };
    // Every node any configuration in our log names: members, and members
    // being removed that may not know it yet (they are dropped once they do).
    const targets = new Set(this.configs.all().flatMap(voters));
    targets.delete(this.id);
    this.progress = new Map([...targets].map((p) => [p, newProgress(this.raftLog.lastIndex + 1)]));
    this.log(`Became leader in term ${this.state.term}`);
    // A no-op of our own term commits everything before it, and tells
    // reads when our commit index is complete.
    this.noopIndex = this.appendAsLeader({ op: 'noop' }).index;
    this.heartbeatTimer = setInterval(() => this.onHeartbeatTick(), HEARTBEAT_INTERVAL_MS);
  }

  // --------------------------------------------------------- replication

  private appendAsLeader(command: Command): LogEntry {
    const entry: LogEntry = { index: this.raftLog.lastIndex + 1, term: this.state.term, command };
    // Our own disk write runs in parallel with sending to the followers.
    this.appendToLog([entry]);
    if (command.op === 'config') {
      // Its members count from now on; make sure we replicate to each.
      for (const peer of voters(this.configs.latest)) {
        if (peer !== this.id && !this.progress.has(peer)) this.progress.set(peer, newProgress(this.raftLog.lastIndex + 1));
      }
    }
    this.scheduleReplication();
    return entry;
  }

  /** Appends to the log; a configuration entry is in effect from now on. */
  private appendToLog(entries: LogEntry[]): void {
    this.raftLog.append(entries);
    this.configChanged(() => this.configs.append(entries));
  }

  /** Drops a conflicting suffix; a configuration entry in it goes, and the one before is back. */
  private truncateLog(index: number): void {
    this.raftLog.truncateFrom(index);
    this.configChanged(() => this.configs.truncateFrom(index));
  }

  /** Runs `change` on the configuration log and logs the configuration if it is another one now. */
  private configChanged(change: () => void): void {
    const before = this.configs.latest;
    change();
    const after = this.configs.latest;
    if (after !== before) this.log(`Configuration now ${describe(after)} (entry ${this.configs.latestIndex})`);
  }

  /** Entries appended in the same turn of the event loop go out in one request. */
  private scheduleReplication(): void {
    if (this.replicationScheduled) return;
    this.replicationScheduled = true;
    setImmediate(() => {
      this.replicationScheduled = false;
      if (this.role === 'leader') for (const peer of this.progress.keys()) this.replicate(peer);
    });
  }

  /**
   * Sends `peer` everything it is missing (up to MAX_BATCH_ENTRIES), or an
   * empty AppendEntries as a probe and heartbeat, unless a request is
   * already out: then its answer sends the next one at once.
   */
  private replicate(peer: string): void {
    const p = this.progress.get(peer);
    if (p === undefined || p.inflight) return;
    // The entries it needs (or the term before them) are in our snapshot now.
    if (p.nextIndex <= this.raftLog.snapshotIndex) {
      if (!this.holdsSnapshotBack(peer, p)) this.sendSnapshot(peer, p);
      return;
    }
    const term = this.state.term;
    const prev = p.nextIndex - 1;
    const entries = this.raftLog.slice(p.nextIndex, Math.min(this.raftLog.lastIndex, prev + MAX_BATCH_ENTRIES));
    const args: AppendEntriesArgs = {
      term,
      leaderId: this.id,
      prevLogIndex: prev,
      prevLogTerm: this.raftLog.term(prev) ?? 0,
      entries,
      leaderCommit: this.commitIndex,
    };
    p.inflight = true;
    const seq = ++this.sendSeq;
    this.transport.appendEntries(peer, args, entries.length > 0 ? REPLICATE_RPC_TIMEOUT_MS : HEARTBEAT_RPC_TIMEOUT_MS).then(
      (reply) => {
        p.inflight = false;
        if (!this.acknowledged(peer, term, seq, reply)) return;
        if (reply.success) {
          const match = prev + entries.length;
          if (match > p.matchIndex) p.matchIndex = match;
          p.nextIndex = match + 1;
          p.knownCommit = Math.max(p.knownCommit, Math.min(args.leaderCommit, match));
          this.advanceCommit();
          this.checkCatchUp();
          if (this.forgetIfRemoved(peer, p)) return;
        } else {
          const next = this.backUp(prev, reply);
          // No way back (a follower that refuses even at the start): leave
          // it to the next heartbeat rather than ask again at once, forever.
          if (next === p.nextIndex) return;
          p.nextIndex = next;
        }
        if (p.nextIndex <= this.raftLog.lastIndex) this.replicate(peer);
      },
      (err: unknown) => {
        p.inflight = false;
        this.peerFailed(peer, err);
      },
    );
  }

  /**
   * Whether `peer` needs the snapshot but did not answer our last request:
   * it then gets heartbeats only, and the snapshot once it answers one, not
   * the whole map with every append and every tick.
   */
  private holdsSnapshotBack(peer: string, p: Progress): boolean {
    return p.nextIndex <= this.raftLog.snapshotIndex && this.unreachable.has(peer);
  }

  /** Sends `peer` our latest snapshot (in one request); from its answer on, AppendEntries again. */
  private sendSnapshot(peer: string, p: Progress): void {
    const term = this.state.term;
    const snapshot = this.snapshot;
    p.inflight = true;
    const seq = ++this.sendSeq;
    this.log(`Sending snapshot through ${snapshot.index} (${snapshot.data.length} bytes) to ${peer}, which needs entry ${p.nextIndex}`);
    this.transport.installSnapshot(peer, { term, leaderId: this.id, snapshot }, SNAPSHOT_RPC_TIMEOUT_MS).then(
      (reply) => {
        p.inflight = false;
        if (!this.acknowledged(peer, term, seq, reply)) return;
        if (snapshot.index > p.matchIndex) p.matchIndex = snapshot.index;
        p.nextIndex = Math.max(p.nextIndex, snapshot.index + 1);
        p.knownCommit = Math.max(p.knownCommit, snapshot.index);
        this.advanceCommit();
        this.checkCatchUp();
        if (p.nextIndex <= this.raftLog.lastIndex) this.replicate(peer);
      },
      (err: unknown) => {
        p.inflight = false;
        this.peerFailed(peer, err);
      },
    );
  }

  /**
   * Where to try next after a mismatch at `prev`. With the follower's hint:
   * just past our last entry of its conflicting term if we have that term,
   * else its conflict index. Without one: one entry back.
   */
  private backUp(prev: number, reply: AppendEntriesReply): number {
    let next = prev;
    if (reply.conflict !== undefined) {
      const ours = reply.conflict.term === 0 ? 0 : this.raftLog.lastIndexOfTerm(reply.conflict.term);
      next = ours > 0 ? ours + 1 : reply.conflict.index;
    }
    return Math.max(1, Math.min(next, prev));
  }

  /**
   * A heartbeat that does not disturb replication: it claims only what the
   * follower is known to hold (matchIndex), so it always matches, and it
   * carries the commit index.
   */
  private sendHeartbeat(peer: string): void {
    const p = this.progress.get(peer);
    if (p === undefined) return;
    const term = this.state.term;
    const args: AppendEntriesArgs = {
      term,
      leaderId: this.id,
      prevLogIndex: p.matchIndex,
      prevLogTerm: this.raftLog.term(p.matchIndex) ?? 0,
      entries: [],
      leaderCommit: this.commitIndex,
    };
    const seq = ++this.sendSeq;
    this.transport.appendEntries(peer, args, HEARTBEAT_RPC_TIMEOUT_MS).then(
      (reply) => {
        if (!this.acknowledged(peer, term, seq, reply) || !reply.success) return;
        p.knownCommit = Math.max(p.knownCommit, Math.min(args.leaderCommit, args.prevLogIndex));
        this.forgetIfRemoved(peer, p);
      },
      (err: unknown) => this.peerFailed(peer, err),
    );
  }

  /**
   * Bookkeeping common to every AppendEntries answer. Returns whether we
   * are still the leader of the term the request was sent in.
   */
  private acknowledged(peer: string, term: number, seq: number, reply: { term: number }): boolean {
    this.peerAnswered(peer);
    if (reply.term > this.state.term) {
      this.becomeFollower(reply.term, `${peer} is in term ${reply.term}`);
      return false;
    }
    if (this.role !== 'leader' || this.state.term !== term) return false;
    // Any answer in our term acknowledges our leadership.
    this.lastAck.set(peer, performance.now());
    const p = this.progress.get(peer);
    if (p !== undefined && seq > p.ackedSeq) {
      p.ackedSeq = seq;
      this.checkReads();
    }
    return true;
  }

  // ---------------------------------------------------------- membership

  /** POST /cluster/add-server on the leader: `id` becomes a member once caught up. Resolves with the members once committed. */
  addServer(id: string): Promise<string[]> {
    this.mustLead();
    const c = this.configs.latest;
    if (!this.changeInProgress() && isVoter(c, id)) return Promise.resolve([...c.members]);
    return this.changeMembers((members) => [...members, id], 'single');
  }

  /** POST /cluster/remove-server on the leader. Resolves with the members once the configuration without `id` is committed. */
  removeServer(id: string): Promise<string[]> {
    this.mustLead();
    const c = this.configs.latest;
    if (!this.changeInProgress() && !isVoter(c, id)) return Promise.resolve([...c.members]);
    if (!this.changeInProgress() && sameMembers(c.members, [id])) return Promise.reject(new BadChange('cannot remove the last member'));
    return this.changeMembers((members) => members.filter((m) => m !== id), 'single');
  }

  /** POST /cluster/config on the leader: any set of members at once, through a joint configuration. */
  setConfiguration(members: readonly string[]): Promise<string[]> {
    this.mustLead();
    const c = this.configs.latest;
    if (!this.changeInProgress() && sameMembers(c.members, [...members].sort())) return Promise.resolve([...c.members]);
    return this.changeMembers(() => [...members], 'joint');
  }

  /**
   * Moves the cluster from the latest configuration to `edit(its members)`:
   * catches the newcomers up as learners, appends the new configuration
   * ('single': one entry; 'joint': C_old,new, then C_new once that is
   * committed, see configurationCommitted) and resolves with the members
   * once the last entry is committed. A change arriving while another is
   * not finished gets ChangeInProgress: two changes in one entry could let
   * two disjoint majorities exist (membership-changes guide).
   */
  protected async changeMembers(edit: (members: readonly string[]) => string[], how: 'single' | 'joint'): Promise<string[]> {
    this.mustLead();
    if (this.changeInProgress()) throw new ChangeInProgress();
    const term = this.state.term;
    const old = this.configs.latest.members;
    const target = [...new Set(edit(old))].sort();
    if (target.length === 0) throw new BadChange('a configuration needs at least one member');
    // Rejects if they do not catch up in time or we stop leading meanwhile.
    await this.catchUp(target.filter((m) => !old.includes(m) && m !== this.id));
    this.change = undefined;
    if (this.role !== 'leader' || this.state.term !== term) throw new ChangeAbandoned('lost leadership before the change was appended; nothing changed');
    const next = how === 'joint' ? joint(old, target) : simple(target);
    const first = this.appendAsLeader(toCommand(next));
    this.log(`Configuration change from ${describe(simple(old))}: appended ${describe(next)} at ${first.index}`);
    try {
      await this.committed(first);
    } catch (err) {
      // Another leader's entry took its index: it never took effect.
      if (err instanceof NotLeader) throw new ChangeAbandoned('the change was replaced by another leader; nothing changed');
      throw err;
    }
    if (how === 'joint') {
      // The joint entry is committed; if we still lead, configurationCommitted() has appended C_new.
      const c = this.configs.latest;
      const last = this.raftLog.entry(this.configs.latestIndex);
      if (this.role !== 'leader' || this.state.term !== term || isJoint(c) || !sameMembers(c.members, target) || last === undefined) {
        throw new OutcomeUnknown(); // whoever leads next completes it
      }
      try {
        await this.committed(last);
      } catch (err) {
        throw err instanceof NotLeader ? new OutcomeUnknown() : err;
      }
    }
    return target;
  }

  /** A change is not finished: one being caught up or appended, an uncommitted configuration entry, or a joint one. */
  protected changeInProgress(): boolean {
    return this.change !== undefined || this.configs.latestIndex > this.commitIndex || isJoint(this.configs.latest);
  }

  private mustLead(): void {
    if (this.role !== 'leader' || this.stopped) throw new NotLeader(this.role === 'leader' ? null : this.leader);
  }

  /**
   * Replicates to `newcomers` as learners (counted nowhere) until each holds
   * every entry up to our commit index of now. Holds `this.change` from now
   * on, so that other changes wait. Rejects with ChangeAbandoned after
   * CATCH_UP_TIMEOUT_MS or when we stop leading.
   */
  private catchUp(newcomers: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const change: PendingChange = { learners: newcomers, catchUpTo: this.commitIndex, caughtUp: resolve, abandon: reject, timer: undefined };
      this.change = change;
      if (newcomers.length === 0) return resolve();
      for (const n of newcomers) if (!this.progress.has(n)) this.progress.set(n, newProgress(this.raftLog.lastIndex + 1));
      this.log(`Catching up ${newcomers.join(', ')} as learner${newcomers.length > 1 ? 's' : ''} to entry ${change.catchUpTo}`);
      change.timer = setTimeout(
        () => this.abandonChange(new ChangeAbandoned(`${newcomers.join(', ')} did not catch up within ${CATCH_UP_TIMEOUT_MS} ms; nothing changed`)),
        CATCH_UP_TIMEOUT_MS,
      );
      for (const n of newcomers) this.replicate(n);
      this.checkCatchUp();
    });
  }

  private checkCatchUp(): void {
    const c = this.change;
    if (c === undefined || c.timer === undefined) return;
    if (!c.learners.every((n) => (this.progress.get(n)?.matchIndex ?? 0) >= c.catchUpTo)) return;
    clearTimeout(c.timer);
    c.timer = undefined;
    this.log(`${c.learners.join(', ')} caught up to entry ${c.catchUpTo}`);
    c.caughtUp();
  }

  /** Gives up the change being caught up, if any: its learners are no longer replicated to. */
  private abandonChange(err: Error): void {
    const c = this.change;
    if (c === undefined) return;
    this.change = undefined;
    clearTimeout(c.timer);
    for (const n of c.learners) {
      if (isVoter(this.configs.latest, n)) continue;
      this.progress.delete(n);
      this.lastAck.delete(n);
    }
    this.log(`Configuration change abandoned: ${err.message}`);
    c.abandon(err);
  }

  /**
   * After a commit on the leader. A committed joint configuration is
   * replaced by its new half at once, whoever appended it: the cluster must
   * never stay joint. A committed configuration without us means we have
   * handed over: tell everyone the commit index, then step down for good
   * (we never start an election outside the configuration).
   */
  private configurationCommitted(): void {
    if (this.role !== 'leader' || this.configs.latestIndex > this.commitIndex) return;
    const c = this.configs.latest;
    if (isJoint(c)) {
      const entry = this.appendAsLeader(toCommand(simple(c.members)));
      this.log(`Joint configuration committed; appended ${describe(simple(c.members))} at ${entry.index}`);
      return;
    }
    if (!isVoter(c, this.id)) {
      for (const peer of this.progress.keys()) this.sendHeartbeat(peer);
      this.becomeFollower(this.state.term, `The configuration without us (entry ${this.configs.latestIndex}) is committed, stepping down`);
    }
  }

  /**
   * A node that is in no configuration of ours any more, and knows it (it
   * holds a commit index covering the latest configuration entry): stop
   * replicating to it. Until then it gets AppendEntries like a follower, so
   * that it learns of its removal and never starts elections.
   */
  private forgetIfRemoved(peer: string, p: Progress): boolean {
    if (isVoter(this.configs.latest, peer) || this.change?.learners.includes(peer)) return false;
    if (this.configs.latestIndex > this.commitIndex || p.knownCommit < this.configs.latestIndex) return false;
    this.progress.delete(peer);
    this.lastAck.delete(peer);
    this.unreachable.delete(peer);
    this.log(`${peer} knows it is no longer a member; not replicating to it any more`);
    return true;
  }

  /** The configuration of the last committed configuration entry (or the snapshot's, or the starting one). */
  private committedConfiguration(): Configuration {
    return this.configs.at(this.commitIndex);
  }

  /**
   * Whether the nodes for which `has` holds (ourselves included, if `has`
   * says so) are a quorum of `config`: of each half in majorities(config).
   */
  private decides(has: (id: string) => boolean, config: Configuration = this.configs.latest): boolean {
    return hasQuorum(this.majorities(config), has, this.quorumOf);
  }

  /**
   * The sets of which every decision needs a quorum: the members, or while
   * joint C_old and C_new, each on its own (a majority of the union could be
   * a minority of one of them).
   */
  protected majorities(config: Configuration): Array<readonly string[]> {
    return halves(config);
  }

  /** Why this node must not start an election now, if it must not. */
  private whyNotCampaign(): string | undefined {
    const latest = this.configs.latest;
    if (voters(latest).length === 0) return 'no configuration yet (a newcomer waiting to be added)';
    if (!isVoter(latest, this.id)) return `not in the latest configuration ${describe(latest)}`;
    if (!isVoter(this.committedConfiguration(), this.id)) return 'not in the committed configuration';
    return undefined;
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
    for (const [peer, p] of this.progress) {
      // A peer with a request out still gets its heartbeat, so that a slow
      // batch never looks like a lost leader.
      // A peer that did not answer last time and needs the snapshot gets a
      // heartbeat, not the whole snapshot again (replicate() holds it back).
      if (p.inflight || this.holdsSnapshotBack(peer, p)) this.sendHeartbeat(peer);
      else this.replicate(peer);
    }
  }

  /** Has a majority (counting ourselves) answered a heartbeat within the lease? */
  protected hasQuorumContact(now: number): boolean {
    if (now - this.leaderSince < LEADER_LEASE_MS) return true; // just elected: the votes count
    return this.decides((id) => {
      if (id === this.id) return true;
      const at = this.lastAck.get(id);
      return at !== undefined && now - at < LEADER_LEASE_MS;
    });
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

/** A configuration for the log: `a, b, c`, or `a, b, c -> a, d, e` while joint. */
function describe(c: Configuration): string {
  const list = (m: readonly string[]) => (m.length === 0 ? '(none)' : m.join(', '));
  return c.old === undefined ? `[${list(c.members)}]` : `[${list(c.old)}] -> [${list(c.members)}] (joint)`;
}
