// The configuration a node starts with, before any configuration entry or
// snapshot says otherwise (membership-changes guide, "Configurations"):
//
//   - a first start (empty DATA_DIR) without JOIN: itself plus PEERS;
//   - a first start with JOIN=true: none (members []), a newcomer waiting to
//     be added;
//   - any later start: what the first one decided, whatever the environment
//     says now, so a node that joined never falls back to PEERS.
//
// It is not a log entry, so it gets a file of its own, written once before
// anything else in the directory (a crash before it is on disk leaves an
// empty directory, and the next start decides the same again):
//
//   DATA_DIR/members.json   {"members":["10.0.42.101:8080", ...]}
//
// Written like raft-state.json: temp file, fsync, rename, fsync the directory.

import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { type Configuration, parseMembers, simple } from './configuration.js';

const FILE = 'members.json';
const TMP = 'members.tmp';

export async function startingConfiguration(
  dir: string,
  self: string,
  peers: readonly string[],
  join: boolean,
): Promise<{ config: Configuration; how: string }> {
  let text: string | undefined;
  try {
    text = await readFile(path.join(dir, FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    let members: string[];
    try {
      members = parseMembers((JSON.parse(text) as Record<string, unknown>)['members'], 'members', true);
    } catch {
      throw new Error(`${FILE} is corrupt; refusing to start`);
    }
    return { config: simple(members), how: `saved in ${FILE}` };
  }
  await mkdir(dir, { recursive: true });
  // Only a directory written before this file existed holds data without
  // it; its node was started the same way, so the environment still decides.
  const fresh = (await readdir(dir)).every((name) => name === TMP);
  const config = join ? simple([]) : simple([self, ...peers]);
  await save(dir, config);
  const how = (join ? 'JOIN=true: none until added' : 'from ADDR and PEERS') + (fresh ? '' : ` (no ${FILE} yet)`);
  return { config, how };
}

async function save(dir: string, config: Configuration): Promise<void> {
  const tmpPath = path.join(dir, TMP);
  const tmp = await open(tmpPath, 'w', 0o644);
  try {
    await tmp.writeFile(JSON.stringify({ members: config.members }) + '\n');
    await tmp.sync();
  } finally {
    await tmp.close();
  }
  await rename(tmpPath, path.join(dir, FILE));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
