#!/usr/bin/env python3
"""Holds a node's outgoing packets in user space: delay, jitter, reordering,
duplication. The fallback for kernels without tc netem.

iptables hands every outgoing packet of the node's namespace to an NFQUEUE;
this process receives them over netfilter's netlink interface and returns a
verdict (accept) only when each packet is due. Duplicates are written again
through a raw socket whose packets carry a mark the queue rule skips.

Runs inside the node's network namespace, as root of the sandbox's user
namespace. Reads its settings as arguments; exits when stdin closes, so it
never outlives the sandbox switch that started it.

Usage: packetQueue.py QUEUE MARK DELAY_MS JITTER_MS REORDER_PCT DUPLICATE_PCT
"""
import heapq
import os
import random
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META, NFQNL_COPY_PACKET = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR, NFQA_PAYLOAD = 1, 2, 10
NF_ACCEPT = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR, NLMSG_DONE = 2, 3
SO_MARK = 36


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


class Queue:
    def __init__(self, number, copy_packets):
        self.number = number
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((0, 0))
        cmd = struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, socket.AF_INET)
        self.request(NFQNL_MSG_CONFIG, attr(NFQA_CFG_CMD, cmd), ack=True)
        mode = NFQNL_COPY_PACKET if copy_packets else NFQNL_COPY_META
        params = struct.pack("!IB", 0xFFFF if copy_packets else 0, mode)
        self.request(NFQNL_MSG_CONFIG, attr(NFQA_CFG_PARAMS, params), ack=True)
        self.request(NFQNL_MSG_CONFIG, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", 65536)), ack=True)

    def request(self, msg, attrs, ack=False):
        self.seq += 1
        body = struct.pack("!BBH", socket.AF_UNSPEC, 0, self.number) + attrs
        flags = NLM_F_REQUEST | (NLM_F_ACK if ack else 0)
        header = struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg, flags, self.seq, 0)
        self.sock.send(header + body)
        if ack:
            self.expect_ack()

    def expect_ack(self):
        data = self.sock.recv(65536)
        length, kind = struct.unpack_from("=IH", data, 0)
        if kind == NLMSG_ERROR:
            (code,) = struct.unpack_from("=i", data, 16)
            if code != 0:
                raise OSError(-code, os.strerror(-code))

    def accept(self, packet_id):
        self.request(NFQNL_MSG_VERDICT, attr(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id)))

    def packets(self):
        """Yields (packet_id, payload or None) for every packet in one read."""
        data = self.sock.recv(1 << 17)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if length < 16:
                break
            if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                packet_id, payload = None, None
                at = offset + 20
                while at + 4 <= offset + length:
                    alen, akind = struct.unpack_from("=HH", data, at)
                    if alen < 4:
                        break
                    akind &= 0x7FFF
                    if akind == NFQA_PACKET_HDR:
                        (packet_id,) = struct.unpack_from("!I", data, at + 4)
                    elif akind == NFQA_PAYLOAD:
                        payload = data[at + 4 : at + alen]
                    at += (alen + 3) & ~3
                if packet_id is not None:
                    yield packet_id, payload
            offset += (length + 3) & ~3


def main():
    number, mark = int(sys.argv[1]), int(sys.argv[2])
    delay, jitter = float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
    reorder, duplicate = float(sys.argv[5]) / 100, float(sys.argv[6]) / 100

    queue = Queue(number, copy_packets=duplicate > 0)
    raw = None
    if duplicate > 0:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        raw.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
    sys.stdout.write("ready\n")
    sys.stdout.flush()

    due = []  # heap of (time, sequence, packet id)
    sequence = 0
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([queue.sock, sys.stdin], [], [], timeout)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
            return
        if queue.sock in readable:
            now = time.monotonic()
            for packet_id, payload in queue.packets():
                if reorder > 0 and random.random() < reorder:
                    queue.accept(packet_id)  # jumps the queue, as netem's reorder does
                    continue
                hold = delay
                if jitter > 0:
                    hold = max(0.0, random.gauss(delay, jitter))
                sequence += 1
                heapq.heappush(due, (now + hold, sequence, packet_id))
                if raw is not None and payload and random.random() < duplicate:
                    destination = socket.inet_ntoa(payload[16:20])
                    try:
                        raw.sendto(payload, (destination, 0))
                    except OSError:
                        pass
        now = time.monotonic()
        while due and due[0][0] <= now:
            queue.accept(heapq.heappop(due)[2])


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    except OSError as err:
        sys.stderr.write(f"packet queue: {err}\n")
        sys.exit(1)
