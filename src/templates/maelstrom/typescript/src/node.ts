// A Maelstrom node: it reads one JSON message per line on stdin, writes its
// messages on stdout, one per line, and logs on stderr.
//
// It answers init and nothing else yet, so `clstr test echo` fails: the echo
// stage sends echo requests. Add a handler for each message type a stage asks
// for (`clstr guide echo` says what an echo must be answered with).
import { createInterface } from "node:readline";

interface Body {
  type: string;
  msg_id?: number;
  in_reply_to?: number;
  [field: string]: unknown;
}

interface Message {
  src: string;
  dest: string;
  body: Body;
}

let nodeId = "";
let nodeIds: string[] = [];
let nextMsgId = 0;

function send(dest: string, body: Body): void {
  nextMsgId += 1;
  // Writes to a pipe are synchronous in Node on Linux and macOS: the line leaves at once.
  process.stdout.write(JSON.stringify({ src: nodeId, dest, body: { ...body, msg_id: nextMsgId } }) + "\n");
}

function reply(request: Message, body: Body): void {
  send(request.src, { ...body, in_reply_to: request.body.msg_id });
}

function handleInit(msg: Message): void {
  nodeId = String(msg.body.node_id);
  nodeIds = (msg.body.node_ids as string[] | undefined) ?? [];
  console.error(`node ${nodeId} started; the cluster is ${nodeIds.join(", ")}`);
  reply(msg, { type: "init_ok" });
}

/** One handler per message type (the body's `type`). */
const handlers = new Map<string, (msg: Message) => void>([["init", handleInit]]);

createInterface({ input: process.stdin, crlfDelay: Infinity }).on("line", (line) => {
  if (line.trim() === "") return;
  let msg: Message;
  try {
    msg = JSON.parse(line) as Message;
  } catch (err) {
    console.error(`not a message (${String(err)}): ${line}`);
    return;
  }
  const handler = handlers.get(msg.body.type);
  if (!handler) {
    console.error(`no handler for ${JSON.stringify(msg.body.type)}, so no reply: ${line}`);
    return;
  }
  handler(msg);
});
