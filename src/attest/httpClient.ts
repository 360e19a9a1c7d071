import { Pool, errors as undiciErrors } from "undici";

// One connection pool per node. A node that restarts gets a fresh pool, so
// no request rides on a socket to the process that went away.

export interface HttpRequest {
  method: string;
  path: string;
  body?: string | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Why a request got no answer, said for a learner. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
    /** The network error's code (ECONNREFUSED, ECONNRESET, ...), when there was one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export class NodeClient {
  private pool: Pool | undefined;

  constructor(
    private readonly url: string,
    private readonly connections: number,
    private readonly socketPath?: string,
  ) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.pool ??= new Pool(this.url, {
      connections: this.connections,
      pipelining: 1,
      ...(this.socketPath ? { socketPath: this.socketPath } : {}),
    });
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    try {
      const res = await this.pool.request({
        method: req.method as "GET",
        path: req.path,
        body: req.body,
        headers: req.headers,
        signal,
      });
      const body = await res.body.text();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      }
      const unreachable = headers["x-clstr-unreachable"];
      if (unreachable !== undefined) throw Object.assign(new Error("unreachable"), { code: unreachable });
      return { status: res.statusCode, headers, body };
    } catch (err) {
      if (timeout.aborted) {
        throw new RequestError(`Request timed out: server did not respond within ${req.timeoutMs}ms`, true);
      }
      throw new RequestError(describeNetworkError(err, this.url), false, errorCode(err));
    }
  }

  /** Drops every connection; the next request opens new ones. */
  async reset(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy().catch(() => {});
  }
}

function errorCode(err: unknown): string | undefined {
  return (err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code;
}

function describeNetworkError(err: unknown, url: string): string {
  const code = errorCode(err);
  const where = url.replace(/^http:\/\//, "");
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused: nothing is listening at ${where}`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `connection closed by the server before it sent a response`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `no route to ${where}`;
    default:
      if (err instanceof undiciErrors.UndiciError || err instanceof Error) {
        return `request failed: ${err.message}${code ? ` (${code})` : ""}`;
      }
      return `request failed: ${String(err)}`;
  }
}
