import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { iptablesCutDrops, linkRxPackets } from "../../src/faults/dropCounters.js";

// `iptables -L -v -x -n` of a node cut from .102 and .103, with a loss
// impairment and a packet queue rule (iptables 1.8.9, nf_tables).
const LISTING = `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
      17     1020 DROP       0    --  *      *       10.0.42.103          0.0.0.0/0
      12      720 DROP       0    --  *      *       10.0.42.102          0.0.0.0/0

Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
       9      540 DROP       0    --  *      *       10.0.42.102          0.0.0.0/0

Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
       5      300 DROP       0    --  *      *       0.0.0.0/0            10.0.42.103
       3      180 DROP       0    --  *      *       0.0.0.0/0            10.0.42.102
     400    24000 DROP       0    --  *      eth0    0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.20000000019
      70     4200 NFQUEUE    0    --  *      eth0    0.0.0.0/0            0.0.0.0/0            NFQUEUE num 0
`;

describe("drop counters", () => {
  it("sums the cut rules for the given peers, in and out", () => {
    assert.equal(iptablesCutDrops(LISTING, ["10.0.42.102", "10.0.42.103"]), 17 + 12 + 5 + 3);
    assert.equal(iptablesCutDrops(LISTING, ["10.0.42.102"]), 12 + 3);
  });

  it("leaves out the loss impairment's DROP rule, other chains and other peers", () => {
    assert.equal(iptablesCutDrops(LISTING, ["10.0.42.104"]), 0);
    assert.equal(iptablesCutDrops(LISTING, []), 0);
  });

  it("reads older iptables too: 'all' for the protocol, a /32 peer", () => {
    const legacy = `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
       4      240 DROP       all  --  *      *       172.28.0.3           0.0.0.0/0
Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination
       6      360 DROP       all  --  *      *       0.0.0.0/0            172.28.0.3
`;
    assert.equal(iptablesCutDrops(legacy, ["172.28.0.3/32"]), 10);
  });

  it("and iptables without the opt column", () => {
    const noOpt = `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot in     out     source               destination
       8      480 DROP       0    *      *       10.0.42.102          0.0.0.0/0
`;
    assert.equal(iptablesCutDrops(noOpt, ["10.0.42.102"]), 8);
  });

  it("reads a link's received packets from ip -s -j link show", () => {
    const json = JSON.stringify([
      { ifname: "sink1", stats64: { rx: { bytes: 1290, packets: 15, multicast: 0 }, tx: { bytes: 0, packets: 0 } } },
    ]);
    assert.equal(linkRxPackets(json), 15);
    assert.equal(linkRxPackets(JSON.stringify([{ ifname: "sink1", stats: { rx: { packets: 3 } } }])), 3);
  });

  it("refuses to read a missing counter as zero", () => {
    assert.throws(() => linkRxPackets("[]"), /no rx packet counter/);
    assert.throws(() => linkRxPackets(JSON.stringify([{ ifname: "sink1" }])), /no rx packet counter/);
  });
});
