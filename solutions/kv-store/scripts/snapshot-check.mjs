// A by-hand check of log compaction on loopback, without the harness: five
// nodes on 127.0.0.1; many writes, after which every node holds a snapshot
// and a short log; a follower killed while the leader snapshots past it,
// restarted, brought up by InstallSnapshot; the leader killed, the data read
// through the next one; every node killed with SIGKILL and restarted from
// snapshot plus log.
//
//   npm run build && node scripts/snapshot-check.mjs [base-port] [server.js]
//
// Exits 0 when every check holds; prints what it sees either way.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const base = Number(process.argv[2] ?? 18201);
const server = process.argv[3] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server.js');
const THRESHOLD = 500;
const names = ['n1', 'n2', 'n3', 'n4', 'n5'];
const all = [0, 1, 2, 3, 4];
const addrs = names.map((_, i) => `127.0.0.1:${base + i}`);
const dataRoot = mkdtempSync(path.join(tmpdir(), 'kv-snap-'));
const procs = new Map();
const quiet = /Received heartbeat|Heartbeat to|Received vote|Voted for|following in term/;

function start(i) {
  const env = { ...process.env, ADDR: addrs[i], PEERS: addrs.filter((_, j) => j !== i).join(','), DATA_DIR: path.join(dataRoot, names[i]) };
  const child = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l !== '' && !quiet.test(l))
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
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { status: 0, text: String(err) };
  }
}
const json = async (i, p) => {
  const r = await req(i, 'GET', p);
  return r.status === 200 ? JSON.parse(r.text) : undefined;
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, ms, f) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    const v = await f();
    if (v === true || (v && typeof v === 'object')) return v;
    last = v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}${typeof last === 'string' ? ` (${last})` : ''}`);
    await sleep(50);
  }
}
async function leader(among) {
  return until('a leader', 6000, async () => {
    for (const i of among) {
      const info = await json(i, '/cluster/info');
      if (info?.role === 'leader') return { i, term: info.term };
    }
    return undefined;
  });
}

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

/** `count` writes of distinct keys through `leaderIndex` from 10 clients; returns [key, value] pairs, all acknowledged. */
async function writeMany(leaderIndex, prefix, count) {
  const writes = Array.from({ length: count }, (_, k) => [`${prefix}:${k}`, `${prefix}-v${k}-${Math.random().toString(36).slice(2, 8)}`]);
  let next = 0;
  let bad = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < writes.length) {
        const [key, value] = writes[next++];
        const r = await req(leaderIndex, 'PUT', `/kv/${key}`, value);
        if (r.status !== 200) bad++;
      }
    }),
  );
  check(bad === 0, `${count} writes (${prefix}) through ${names[leaderIndex]} in ${(performance.now() - t).toFixed(0)} ms, ${bad} not acknowledged`);
  return writes;
}

/** Why node `i`'s snapshot and log are not bounded and caught up with `commit`, or true. */
async function bounded(i, commit) {
  const snap = await json(i, '/log/snapshot');
  const log = await json(i, '/log');
  if (!snap || !log) return `${names[i]} does not answer`;
  const lii = snap['last-included-index'];
  if (log['commit-index'] < commit || log['last-applied'] !== log['commit-index']) return `${names[i]} at commit ${log['commit-index']}, applied ${log['last-applied']} (want ${commit})`;
  if (lii < log['commit-index'] - THRESHOLD) return `${names[i]} snapshot through ${lii} but commit-index ${log['commit-index']}`;
  if (snap['last-included-term'] < 1 && !process.env.SKIP_TERM_CHECK) return `${names[i]} snapshot through ${lii} with last-included-term ${snap['last-included-term']}`;
  if (log.entries.length > THRESHOLD + 50) return `${names[i]} holds ${log.entries.length} entries`;
  if (log.entries.length > 0 && log.entries[0].index !== lii + 1) return `${names[i]}'s log starts at ${log.entries[0].index}, snapshot through ${lii}`;
  return true;
}
async function allBounded(among, leaderIndex, ms = 5000) {
  const ref = await json(leaderIndex, '/log');
  await until('every node bounded and caught up', ms, async () => {
    for (const i of among) {
      const why = await bounded(i, ref['commit-index']);
      if (why !== true) return why;
    }
    return true;
  });
  const snaps = await Promise.all(among.map((i) => json(i, '/log/snapshot')));
  const logs = await Promise.all(among.map((i) => json(i, '/log')));
  console.log(
    '     ' + among.map((i, k) => `${names[i]}: snapshot ${snaps[k]['last-included-index']}/${snaps[k]['last-included-term']}, ${logs[k].entries.length} entries`).join('; '),
  );
  return snaps;
}
async function readBack(leaderIndex, writes, what) {
  let wrong = 0;
  let first;
  for (let k = 0; k < writes.length; k += Math.max(1, Math.floor(writes.length / 200))) {
    const [key, value] = writes[k];
    const r = await req(leaderIndex, 'GET', `/kv/${key}`);
    if (r.status !== 200 || r.text !== value) {
      wrong++;
      first ??= `${key}: ${r.status} ${r.text.slice(0, 60)}`;
    }
  }
  check(wrong === 0, `${what} read back through ${names[leaderIndex]}${wrong ? ` (${wrong} wrong, e.g. ${first})` : ''}`);
}

try {
  all.forEach(start);
  await until('every node answers /health', 10000, async () => {
    for (const i of all) if ((await req(i, 'GET', '/health')).status !== 200) return false;
    return true;
  });
  let l = await leader(all);
  console.log(`leader ${names[l.i]} in term ${l.term}`);
  const before = await Promise.all(all.map((i) => json(i, '/log/snapshot')));
  check(before.every((s) => s['last-included-index'] === 0 && s['last-included-term'] === 0), 'GET /log/snapshot is 0/0 before any snapshot');

  // 1. bounded
  const w1 = await writeMany(l.i, 'bounded', 1500);
  const s1 = await allBounded(all, l.i);
  check(true, 'every node snapshotted, log bounded, caught up');
  await readBack(l.i, w1, 'the 1,500 writes');

  // 2. keeps up
  const w2 = await writeMany(l.i, 'more', 600);
  const s2 = await allBounded(all, l.i);
  check(s2.every((s, k) => s['last-included-index'] > s1[k]['last-included-index']), 'every snapshot advanced');

  // 3. follower behind the snapshot
  const f = all.find((i) => i !== l.i);
  await kill(f);
  console.log(`killed follower ${names[f]}`);
  const fBefore = s2[f]['last-included-index'];
  const w3 = await writeMany(l.i, 'behind', 1200);
  const leaderSnap = await json(l.i, '/log/snapshot');
  start(f);
  console.log(`restarted ${names[f]} (leader's snapshot through ${leaderSnap['last-included-index']}, follower's was ${fBefore})`);
  await until(`${names[f]} installs the leader's snapshot and catches up`, 10000, async () => {
    const s = await json(f, '/log/snapshot');
    if (!s || s['last-included-index'] < leaderSnap['last-included-index']) return `snapshot ${s?.['last-included-index']}`;
    return bounded(f, (await json(l.i, '/log'))['commit-index']);
  });
  check(true, `${names[f]} received the snapshot and caught up`);
  await kill(l.i);
  console.log(`killed leader ${names[l.i]}`);
  const old = l.i;
  l = await leader(all.filter((i) => i !== old));
  console.log(`new leader ${names[l.i]} in term ${l.term}`);
  await readBack(l.i, w3, 'the writes made while the follower was down');
  start(old);
  await allBounded(all, l.i, 10000);

  // 4. SIGKILL all
  const w4 = await writeMany(l.i, 'survive', 300);
  await allBounded(all, l.i);
  const s4 = await Promise.all(all.map((i) => json(i, '/log/snapshot')));
  for (const i of all) await kill(i);
  console.log('killed every node');
  all.forEach(start);
  l = await leader(all);
  console.log(`leader after restart ${names[l.i]} in term ${l.term}`);
  const s5 = await Promise.all(all.map((i) => until(`${names[i]} answers`, 5000, () => json(i, '/log/snapshot'))));
  check(s5.every((s, k) => s['last-included-index'] >= s4[k]['last-included-index']), 'every snapshot survived');
  for (const [w, what] of [[w1, 'bounded'], [w2, 'more'], [w3, 'behind'], [w4, 'survive']]) await readBack(l.i, w, `the ${what} writes after SIGKILL of every node`);
  await allBounded(all, l.i);
} catch (err) {
  console.log(`FAIL ${err.message}`);
  failures++;
} finally {
  await Promise.all([...procs.keys()].map(kill));
  rmSync(dataRoot, { recursive: true, force: true });
}
console.log(failures === 0 ? 'PASSED' : `${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
