// Reading the evidence a cut leaves behind: how many packets it dropped.
// A fault mechanism that silently does nothing would otherwise pass a run.

const IPV4 = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(\/\d{1,2})?$/;
const ANY = "0.0.0.0/0";

/**
 * Packets dropped by the cut rules for `peers` (DROP in INPUT from a peer,
 * DROP in OUTPUT to a peer, with no other match) in the output of
 * `iptables -L -v -x -n`. Other DROP rules, such as the loss impairment's
 * statistic match, are not cuts and are not counted.
 */
export function iptablesCutDrops(listing: string, peers: readonly string[]): number {
  const wanted = new Set(peers.map(bare));
  let chain = "";
  let total = 0;
  for (const line of listing.split("\n")) {
    const header = /^Chain (\S+)/.exec(line);
    if (header) {
      chain = header[1]!;
      continue;
    }
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || !/^\d+$/.test(cols[0]!) || cols[2] !== "DROP") continue;
    // Columns vary between iptables versions (the "opt" column comes and goes): find the addresses.
    const at = cols.findIndex((c, i) => i >= 3 && IPV4.test(c));
    if (at === -1 || at + 1 >= cols.length || !IPV4.test(cols[at + 1]!)) continue;
    if (at + 2 < cols.length) continue; // an extra match (statistic, ...): not a cut rule
    const [source, destination] = [cols[at]!, cols[at + 1]!];
    const isCut =
      (chain === "INPUT" && destination === ANY && wanted.has(bare(source))) ||
      (chain === "OUTPUT" && source === ANY && wanted.has(bare(destination)));
    if (isCut) total += Number(cols[0]);
  }
  return total;
}

/**
 * The packets a link received, from `ip -s -j link show dev X`. Throws when
 * the output holds no such counter: a count that cannot be read must not
 * read as zero.
 */
export function linkRxPackets(json: string): number {
  const links = JSON.parse(json) as { stats64?: { rx?: { packets?: unknown } }; stats?: { rx?: { packets?: unknown } } }[];
  const packets = links[0]?.stats64?.rx?.packets ?? links[0]?.stats?.rx?.packets;
  if (typeof packets !== "number") throw new Error(`no rx packet counter in ${JSON.stringify(json.slice(0, 200))}`);
  return packets;
}

function bare(address: string): string {
  return address.replace(/\/32$/, "");
}
