// A Maelstrom node: it reads one JSON message per line on stdin, writes its
// messages on stdout, one per line, and logs on stderr. It answers init and
// echo, which is all the echo stage asks; `clstr guide` says what the next
// stage adds.
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
let nextMsgId = 0;

function send(dest: string, body: Body): void {
  nextMsgId += 1;
  // Writes to a pipe are synchronous in Node on Linux and macOS: the line leaves at once.
  process.stdout.write(JSON.stringify({ src: nodeId, dest, body: { ...body, msg_id: nextMsgId } }) + "\n");
}

function reply(request: Message, body: Body): void {
  send(request.src, { ...body, in_reply_to: request.body.msg_id });
}

function handle(msg: Message): void {
  switch (msg.body.type) {
    case "init":
      nodeId = String(msg.body.node_id);
      console.error(`node ${nodeId} started; the cluster is ${String(msg.body.node_ids)}`);
      reply(msg, { type: "init_ok" });
      break;
    case "echo":
      reply(msg, { type: "echo_ok", echo: msg.body.echo });
      break;
    default:
      console.error(`no handler for ${msg.body.type}: ${JSON.stringify(msg)}`);
  }
}

createInterface({ input: process.stdin }).on("line", (line) => handle(JSON.parse(line) as Message));
