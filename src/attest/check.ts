import { formatDuration } from "../util/duration.js";
import type { Cluster } from "./cluster.js";
import { StageFailure } from "./failure.js";
import { RequestError } from "./httpClient.js";
import { asText, lookup, parseJson, prettyBody } from "./jsonPath.js";
import { firstFailing, type Matcher } from "./matchers.js";
import { describeOutcome, resolveSelector, selectorPassed, type NodeSelector } from "./selectors.js";
import type { LatencySample } from "./stats.js";

export type Headers = Record<string, string>;

type Timing = { mode: "once" } | { mode: "eventually" | "consistently"; timeoutMs: number };

interface Expectation {
  /** Returns a description of the mismatch, or undefined when it holds. */
  mismatch(res: Response): Mismatch | undefined;
}

interface Mismatch {
  expected: string;
  actual: string;
}

interface Response {
  status: number;
  headers: Headers;
  body: string;
}

interface Outcome {
  node: string;
  response?: Response;
  error?: string;
  mismatch?: Mismatch;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK", 201: "Created", 204: "No Content", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
};

export interface CheckEnv {
  cluster: Cluster;
  pollIntervalMs: number;
  retryTimeoutMs: number;
  /** Set while inside `concurrently`: every request's latency lands here. */
  samples: LatencySample[] | undefined;
  track(run: Promise<void>): void;
}

/**
 * One HTTP request and what its response must look like. Build it with the
 * chained methods, then `await check.run()`.
 */
export class Check {
  private readonly expectations: Expectation[] = [];
  private hintText = "";
  private timing: Timing = { mode: "once" };

  constructor(
    private readonly env: CheckEnv,
    private readonly method: string,
    private readonly selector: NodeSelector,
    private readonly path: string,
    private readonly requestBody?: string,
    private readonly requestHeaders?: Headers,
  ) {}

  status(...matchers: Matcher<number>[]): this {
    this.expectations.push({
      mismatch: (res) => {
        const m = firstFailing(res.status, matchers);
        return m && { expected: `Expected status: ${m.expected()}`, actual: `Actual status: ${statusLine(res.status)}` };
      },
    });
    return this;
  }

  header(name: string, ...matchers: Matcher<string>[]): this {
    this.expectations.push({
      mismatch: (res) => {
        const actual = res.headers[name.toLowerCase()] ?? "";
        const m = firstFailing(actual, matchers);
        return m && { expected: `Expected header ${name}: ${m.expected()}`, actual: `Actual value: ${JSON.stringify(actual)}` };
      },
    });
    return this;
  }

  body(...matchers: Matcher<string>[]): this {
    this.expectations.push({
      mismatch: (res) => {
        const m = firstFailing(res.body, matchers);
        return m && { expected: `Expected response: ${m.expected()}`, actual: `Actual response: ${shownBody(res.body)}` };
      },
    });
    return this;
  }

  /** A field of a JSON body at a dotted path ("leader", "entries.0.term"). */
  json(path: string, ...matchers: Matcher<never>[]): this {
    this.expectations.push({
      mismatch: (res) => {
        const parsed = parseJson(res.body);
        const failed = (m: Matcher<never>) => ({
          expected: `Expected JSON: field ${JSON.stringify(path)}: ${m.expected()}`,
          actual: `Actual response: ${shownBody(res.body)}`,
        });
        if (!parsed.ok) {
          return { expected: `Expected JSON with field ${JSON.stringify(path)}`, actual: `Actual response (not JSON): ${shownBody(res.body)}` };
        }
        const field = lookup(parsed.value, path);
        for (const m of matchers as Matcher<unknown>[]) {
          const structural = m.kind === "isNull" || m.kind === "hasLen" || (m.kind === "not" && !field.found);
          const value = field.found ? field.value : undefined;
          const ok = structural ? m.check(value) : field.found && value !== null && m.check(asText(value) as never);
          if (!ok) return failed(m as Matcher<never>);
        }
        return undefined;
      },
    });
    return this;
  }

  /** What the learner should do when this check fails. */
  hint(text: string): this {
    this.hintText = text;
    return this;
  }

  /** Retries until the check passes or the timeout ends. */
  eventually(timeoutMs = this.env.retryTimeoutMs): this {
    this.timing = { mode: "eventually", timeoutMs };
    return this;
  }

  /** Requires the check to pass on every poll for the whole period. */
  consistently(timeoutMs = this.env.retryTimeoutMs): this {
    this.timing = { mode: "consistently", timeoutMs };
    return this;
  }

  run(): Promise<void> {
    const run = this.execute();
    this.env.track(run);
    return run;
  }

  private async execute(): Promise<void> {
    const { timing } = this;
    const started = Date.now();
    let outcomes = await this.attempt();
    if (timing.mode !== "once") {
      const deadline = started + timing.timeoutMs;
      const wantPass = timing.mode === "eventually";
      while (this.passed(outcomes) !== wantPass && Date.now() < deadline && !this.env.cluster.signal.aborted) {
        await sleep(Math.min(this.env.pollIntervalMs, Math.max(0, deadline - Date.now())));
        outcomes = await this.attempt();
      }
      if (!wantPass && !this.passed(outcomes)) {
        throw await this.failure(outcomes, `failed after ${formatDuration(Date.now() - started)} of a required ${formatDuration(timing.timeoutMs)}`);
      }
      if (wantPass && !this.passed(outcomes)) {
        throw await this.failure(outcomes, `still failing after ${formatDuration(timing.timeoutMs)}`);
      }
      return;
    }
    if (!this.passed(outcomes)) throw await this.failure(outcomes);
  }

  private passed(outcomes: readonly Outcome[]): boolean {
    const ok = outcomes.filter((o) => o.response && !o.mismatch).length;
    return selectorPassed(this.selector, ok, outcomes.length);
  }

  private async attempt(): Promise<Outcome[]> {
    const names = resolveSelector(this.selector, this.env.cluster.running());
    const outcomes = await Promise.all(names.map((n) => this.attemptOne(n)));
    return outcomes.sort((a, b) => a.node.localeCompare(b.node, undefined, { numeric: true }));
  }

  private async attemptOne(node: string): Promise<Outcome> {
    const started = performance.now();
    let outcome: Outcome;
    try {
      const response = await this.env.cluster.request(node, {
        method: this.method,
        path: this.path,
        body: this.requestBody,
        headers: this.requestHeaders,
      });
      const mismatch = this.expectations.map((e) => e.mismatch(response)).find((m) => m !== undefined);
      outcome = mismatch ? { node, response, mismatch } : { node, response };
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      outcome = { node, error: err.message };
    }
    this.env.samples?.push({ node, ms: performance.now() - started, passed: !!outcome.response && !outcome.mismatch });
    return outcome;
  }

  private async failure(outcomes: readonly Outcome[], timingNote?: string): Promise<StageFailure> {
    const note = timingNote ? ` (${timingNote})` : "";
    const diagnoses = (
      await Promise.all(outcomes.filter((o) => !o.response || o.mismatch).map((o) => this.env.cluster.diagnose(o.node, !o.response)))
    ).filter((d): d is string => d !== undefined);
    const crashText = diagnoses.length ? `\n\n  ${diagnoses.join("\n\n  ")}` : "";
    const hint = this.hintText || undefined;

    if (outcomes.length === 0) {
      return new StageFailure(`${this.method} ${this.path}: no running node matched the selector${note}`, hint);
    }
    if (outcomes.length === 1 && this.selector.kind === "node") {
      return new StageFailure(this.describeOne(outcomes[0]!, "") + note + crashText, hint);
    }
    const ok = outcomes.filter((o) => o.response && !o.mismatch).length;
    const relevant =
      this.selector.kind === "exactlyOne" && ok > 1
        ? outcomes.filter((o) => o.response && !o.mismatch)
        : this.selector.kind === "all" || this.selector.kind === "except"
          ? outcomes.filter((o) => !o.response || o.mismatch)
          : outcomes;
    const details = relevant.map((o) => this.describeOne(o, "  ")).join("\n\n  ");
    return new StageFailure(
      `${this.method} ${this.path}${this.shownRequestBody()} - ${describeOutcome(this.selector, ok, outcomes.length)}${note}\n  ${details}${crashText}`,
      hint,
    );
  }

  /** The request line and, for the node, what came back versus what was expected. */
  private describeOne(o: Outcome, indent: string): string {
    const target = `${this.method} http://${o.node}:8080${this.path}${indent ? "" : this.shownRequestBody()}`;
    if (o.error) return `${target}\n${indent}  ${o.error}`;
    const res = o.response!;
    const head = `${target} → ${res.status}`;
    if (!o.mismatch) {
      return res.body ? `${head}\n${indent}    ${prettyBody(res.body, `${indent}    `)}` : head;
    }
    let actual = o.mismatch.actual;
    // A wrong status says more with the body that came with it.
    if (actual.startsWith("Actual status") && res.body) actual += `\n${indent}  Actual response: ${shownBody(res.body, indent)}`;
    return `${head}\n${indent}  ${o.mismatch.expected}\n${indent}  ${actual.replace(/\n {2}/g, `\n${indent}  `)}`;
  }

  private shownRequestBody(): string {
    if (this.requestBody === undefined) return "";
    const b = this.requestBody;
    return b.length > 60 ? ` ${JSON.stringify(b.slice(0, 40))}… (${b.length} chars)` : ` ${JSON.stringify(b)}`;
  }
}

function statusLine(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}


function shownBody(body: string, indent = ""): string {
  if (body === "") return "(empty)";
  body = body.replace(/\r?\n$/, ""); // one trailing newline is not worth a blank line
  const clipped = body.length > 2000 ? `${body.slice(0, 2000)}… (${body.length} chars)` : body;
  const pretty = prettyBody(clipped, `${indent}  `);
  return pretty === clipped ? clipped.replace(/\n/g, `\n${indent}  `) : pretty;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
