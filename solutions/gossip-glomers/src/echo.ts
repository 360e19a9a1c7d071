// Challenge #1, echo: answer every echo with the same payload.

import type { MaelstromNode } from "./maelstrom.js";

export function echo(node: MaelstromNode): void {
  node.handle("echo", (msg) => node.reply(msg, { type: "echo_ok", echo: msg.body.echo }));
}
