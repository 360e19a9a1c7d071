#!/usr/bin/env python3
"""A Maelstrom node: it reads one JSON message per line on stdin, writes its
messages on stdout, one per line, and logs on stderr. It answers `init` and
`echo`, which is all the echo stage asks; `clstr guide` says what the next
stage adds."""
import json
import sys

node_id = None
next_msg_id = 0


def log(text):
    print(text, file=sys.stderr, flush=True)


def send(dest, body):
    global next_msg_id
    next_msg_id += 1
    body["msg_id"] = next_msg_id
    # Flush every line: a reply left in a buffer never reaches its client.
    print(json.dumps({"src": node_id, "dest": dest, "body": body}), flush=True)


def reply(request, body):
    body["in_reply_to"] = request["body"]["msg_id"]
    send(request["src"], body)


def handle(msg):
    global node_id
    body = msg["body"]
    if body["type"] == "init":
        node_id = body["node_id"]
        log(f"node {node_id} started; the cluster is {', '.join(body['node_ids'])}")
        reply(msg, {"type": "init_ok"})
    elif body["type"] == "echo":
        reply(msg, {"type": "echo_ok", "echo": body["echo"]})
    else:
        log(f"no handler for {body['type']}: {json.dumps(msg)}")


for line in sys.stdin:
    handle(json.loads(line))
