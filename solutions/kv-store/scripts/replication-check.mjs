// A by-hand check of log replication on loopback, without the harness:
// five nodes on 127.0.0.1, writes through the leader, every node's GET /log,
// the leader killed with SIGKILL, a new leader keeping the committed writes,
// the old leader restarted and catching up, then a burst of concurrent
// writes for latency.
//
//   npm run build && node scripts/replication-check.mjs [base-port]
//
// Exits 0 when every check holds; prints what it sees either way.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = Number(process.argv[2] ?? 18101);
const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
const addrs = names.map((_, i) => `127.0.0.1:${base + i}`);
const server = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server.js');
const dataRoot = mkdtempSync(path.join(tmpdir(), 'kv-repl-'));
const procs = new Map();

function start(i) {
  const env = {
    ...process.env,
    ADDR: addrs[i],
    PEERS: addrs.filter((_, j) => j !== i).join(','),
    DATA_DIR: path.join(dataRoot, names[i]),
  };
  const child = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l !== '' && !/Received heartbeat|Heartbeat to/.test(l))
      .forEach((l) => console.log(`  [${names[i]}] ${l}`));
  child.stdout.on('data', tag);
  child.stderr.on('data', tag);
  procs.set(i, child);
}

function kill(i) {
  const child = procs.get(i);
  procs.delete(i);
  child.kill('SIGKILL');
  return new Promise((resolve) => child.once('exit', resolve));
}

async function req(i, method, p, body) {
  try {
    const res = await fetch(`http://${addrs[i]}${p}`, { method, body, redirect: 'manual', signal: AbortSignal.timeout(6000) });
    return { status: res.status, text: await res.text(), location: res.headers.get('location') };
  } catch (err) {
    return { status: 0, text: String(err) };
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, ms, f) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await sleep(50);
  }
}

async function leader(among) {
  return until('a leader', 5000, async () => {
    for (const i of among) {
      const r = await req(i, 'GET', '/cluster/info');
      if (r.status === 200 && JSON.parse(r.text).role === 'leader') return { i, term: JSON.parse(r.text).term };
    }
    return undefined;
  });
}

async function log(i) {
  const r = await req(i, 'GET', '/log');
  return r.status === 200 ? JSON.parse(r.text) : undefined;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

/** Every node in `among` holds the leader's committed prefix, applied. */
async function converged(among, leaderIndex) {
  return until(`logs of ${among.map((i) => names[i]).join(',')} match the leader's`, 5000, async () => {
    const ref = await log(leaderIndex);
    if (!ref) return false;
    const committed = ref.entries.slice(0, ref['commit-index']);
    for (const i of among) {
      const l = await log(i);
      if (!l || l['commit-index'] < ref['commit-index'] || l['last-applied'] !== l['commit-index']) return false;
      if (!same(l.entries.slice(0, committed.length), committed)) return false;
    }
    return ref;
  });
}

try {
  names.forEach((_, i) => start(i));
  await until('every node answers /health', 10000, async () => {
    for (let i = 0; i < 5; i++) if ((await req(i, 'GET', '/health')).status !== 200) return false;
    return true;
  });
  const l1 = await leader([0, 1, 2, 3, 4]);
  console.log(`leader ${names[l1.i]} in term ${l1.term}`);

  let t = performance.now();
  check((await req(l1.i, 'PUT', '/kv/a', '1')).status === 200, 'PUT a=1 through the leader');
  console.log(`     one write took ${(performance.now() - t).toFixed(1)} ms`);
  check((await req(l1.i, 'PUT', '/kv/b', '2')).status === 200, 'PUT b=2');
  check((await req(l1.i, 'DELETE', '/kv/b')).status === 200, 'DELETE b');
  check((await req(l1.i, 'PUT', '/kv/c', 'three')).status === 200, 'PUT c=three');
  const follower = [0, 1, 2, 3, 4].find((i) => i !== l1.i);
  const fr = await req(follower, 'GET', '/kv/a');
  check(fr.status === 307 && fr.location === `http://${addrs[l1.i]}/kv/a`, `GET on follower ${names[follower]} redirects (${fr.status} ${fr.location})`);
  const ref1 = await converged([0, 1, 2, 3, 4], l1.i);
  check(ref1.entries.filter((e) => e.command.op !== 'noop').length === 4, `every /log holds the 4 writes (commit-index ${ref1['commit-index']})`);

  await kill(l1.i);
  console.log(`killed leader ${names[l1.i]}`);
  const rest = [0, 1, 2, 3, 4].filter((i) => i !== l1.i);
  const l2 = await leader(rest);
  console.log(`new leader ${names[l2.i]} in term ${l2.term}`);
  const a = await req(l2.i, 'GET', '/kv/a');
  const b = await req(l2.i, 'GET', '/kv/b');
  const c = await req(l2.i, 'GET', '/kv/c');
  check(a.status === 200 && a.text === '1' && b.status === 404 && c.text === 'three', 'the new leader serves every committed write');
  check((await req(l2.i, 'PUT', '/kv/d', '4')).status === 200, 'PUT d=4 with one node down');
  for (let k = 0; k < 50; k++) await req(l2.i, 'PUT', `/kv/k${k}`, `v${k}`);

  start(l1.i);
  console.log(`restarted ${names[l1.i]}`);
  const ref2 = await converged([0, 1, 2, 3, 4], l2.i);
  check(true, `the old leader caught up (commit-index ${ref2['commit-index']})`);

  // One client: the latency of a single write and a single read.
  t = performance.now();
  for (let k = 0; k < 20; k++) await req(l2.i, 'PUT', '/kv/seq', `${k}`);
  const writeMs = (performance.now() - t) / 20;
  t = performance.now();
  for (let k = 0; k < 20; k++) await req(l2.i, 'GET', '/kv/seq');
  console.log(`     one client: ${writeMs.toFixed(1)} ms per write, ${((performance.now() - t) / 20).toFixed(1)} ms per read`);

  // Concurrent writes: latency and batching.
  t = performance.now();
  const lat = [];
  await Promise.all(
    Array.from({ length: 20 }, async (_, c) => {
      for (let k = 0; k < 25; k++) {
        const s = performance.now();
        const r = await req(l2.i, 'PUT', `/kv/c${c}`, `${k}`);
        lat.push(performance.now() - s);
        if (r.status !== 200) failures++;
      }
    }),
  );
  lat.sort((x, y) => x - y);
  console.log(
    `     500 PUTs from 20 clients in ${(performance.now() - t).toFixed(0)} ms, ` +
      `p50 ${lat[250].toFixed(1)} ms, p99 ${lat[495].toFixed(1)} ms`,
  );
  t = performance.now();
  const reads = await Promise.all(Array.from({ length: 200 }, (_, k) => req(l2.i, 'GET', `/kv/k${k % 50}`)));
  check(reads.every((r, k) => r.status === 200 && r.text === `v${k % 50}`), `200 concurrent reads in ${(performance.now() - t).toFixed(0)} ms`);
  await converged([0, 1, 2, 3, 4], l2.i);
  check(true, 'all five logs agree after the burst');
} catch (err) {
  console.log(`FAIL ${err.message}`);
  failures++;
} finally {
  await Promise.all([...procs.keys()].map(kill));
  rmSync(dataRoot, { recursive: true, force: true });
}
console.log(failures === 0 ? 'PASSED' : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
