import type { Endpoint, Network } from "./network.js";
import type { Body, Message } from "./protocol.js";

/**
 * Request and reply for the harness's clients: each request gets a msg_id,
 * and the reply naming it (or nothing, after the timeout) settles its promise.
 */
export class ClientCalls {
  private readonly pending = new Map<string, (b: Body | undefined) => void>();
  private msgIds = 0;

  constructor(
    private readonly net: Network,
    private readonly timeoutMs: number,
  ) {}

  /** The endpoint a client receives replies on. */
  endpoint(client: string): Endpoint {
    return {
      deliver: (message: Message) => {
        const key = `${client}:${message.body.in_reply_to}`;
        const resolve = this.pending.get(key);
        if (resolve) {
          this.pending.delete(key);
          resolve(message.body);
        }
      },
    };
  }

  /** Sends a request from a client to a node; resolves with the reply's body, or undefined if none came in time. */
  call(client: string, node: string, body: Body, ms = this.timeoutMs): Promise<Body | undefined> {
    const msgId = ++this.msgIds;
    return new Promise((resolve) => {
      const key = `${client}:${msgId}`;
      this.pending.set(key, resolve);
      this.net.after(ms, () => {
        if (this.pending.delete(key)) resolve(undefined);
      });
      this.net.send({ src: client, dest: node, body: { ...body, msg_id: msgId } });
    });
  }

  /** Settles every request still waiting, with no reply (the run is over). */
  abandon(): void {
    for (const resolve of this.pending.values()) resolve(undefined);
    this.pending.clear();
  }
}
