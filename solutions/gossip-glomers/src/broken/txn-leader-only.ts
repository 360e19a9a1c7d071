#!/usr/bin/env node
// BROKEN ON PURPOSE: a transaction node that is consistent (serializable,
// even) but not totally available: every node forwards each transaction to
// the first node, which runs it on the only copy. During a partition the
// others cannot reach it and answer error 11 (temporarily-unavailable). The
// read-uncommitted and read-committed transactions stages ask for total
// availability and must fail it.
//
//   node dist/broken/txn-leader-only.js

import { ErrorCode, MaelstromNode, RPCError, type Body } from "../maelstrom.js";

type Key = number | string;
type Mop = [string, Key, unknown];

const node = new MaelstromNode();
const store = new Map<Key, unknown>();

function run(ops: Mop[]): Mop[] {
  return ops.map(([f, k, v]) => {
    if (f === "r") return [f, k, store.get(k) ?? null];
    store.set(k, v);
    return [f, k, v];
  });
}

node.handle("txn", async (msg) => {
  const leader = [...node.nodeIds].sort()[0]!;
  if (leader === node.id) return node.reply(msg, { type: "txn_ok", txn: run(msg.body.txn as Mop[]) });
  let answer: Body;
  try {
    answer = await node.rpc(leader, { type: "txn", txn: msg.body.txn }, { timeoutMs: 500 });
  } catch {
    throw new RPCError(ErrorCode.TemporarilyUnavailable, `cannot reach ${leader}, which holds the data`);
  }
  node.reply(msg, { type: "txn_ok", txn: answer.txn });
});

await node.run();
process.exit(0);
