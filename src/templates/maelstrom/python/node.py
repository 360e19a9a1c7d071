#!/usr/bin/env python3
"""A Maelstrom node: it reads one JSON message per line on stdin, writes its
messages on stdout, one per line, and logs on stderr.

It answers `init` and nothing else yet, so `clstr test echo` fails: the echo
stage sends `echo` requests. Add a handler for each message type a stage asks
for (`clstr guide echo` says what an `echo` must be answered with)."""
import json
import sys

node_id = None
node_ids = []
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


def handle_init(msg):
    global node_id, node_ids
    node_id = msg["body"]["node_id"]
    node_ids = msg["body"]["node_ids"]
    log(f"node {node_id} started; the cluster is {', '.join(node_ids)}")
    reply(msg, {"type": "init_ok"})


# One handler per message type (the body's "type").
HANDLERS = {
    "init": handle_init,
}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
        except json.JSONDecodeError as err:
            log(f"not a message ({err}): {line.strip()}")
            continue
        kind = msg["body"].get("type")
        handler = HANDLERS.get(kind)
        if handler is None:
            log(f"no handler for {kind!r}, so no reply: {line.strip()}")
            continue
        handler(msg)


if __name__ == "__main__":
    main()
