import { Worker } from "node:worker_threads";
import type { PartsRun } from "./partCheck.js";
import type { WorkerTask } from "./worker.js";

// Worker threads that search parts, kept for a whole run (starting one costs
// tens of milliseconds). Each has a heap limit: a search that would exhaust
// memory ends that thread with an unknown answer, never the process.

/** Heap for each thread's model states; the memo's typed arrays are counted by the memory budget instead. */
const HEAP_MB = 768;

interface Job {
  task: WorkerTask;
  resolve(run: PartsRun): void;
}

export class CheckerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private started = 0;
  private closed = false;

  constructor(readonly size: number) {}

  /** Searches the task's parts on a free thread. */
  run(task: WorkerTask): Promise<PartsRun> {
    return new Promise((resolve) => {
      this.queue.push({ task, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.spawn() : undefined);
      if (!worker) return;
      this.assign(worker, this.queue.shift()!);
    }
  }

  private spawn(): Worker {
    this.started++;
    return new Worker(new URL("./worker.js", import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: HEAP_MB } });
  }

  private assign(worker: Worker, job: Job): void {
    const done = (run: PartsRun) => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      job.resolve(run);
    };
    const onMessage = (run: PartsRun) => {
      done(run);
      if (this.closed) void worker.terminate();
      else {
        // An idle thread does not keep the process alive.
        worker.unref();
        this.idle.push(worker);
      }
      this.dispatch();
    };
    const onError = (err: Error & { code?: string }) => {
      this.started--;
      const reason =
        err.code === "ERR_WORKER_OUT_OF_MEMORY" ? `the search needed more than ${HEAP_MB} MiB of memory for the model's states` : `the checker thread failed: ${err.message}`;
      done({ illegal: false, results: unknownResults(job.task, reason) });
      this.dispatch();
    };
    worker.ref();
    worker.on("message", onMessage);
    worker.once("error", onError);
    worker.postMessage(job.task);
  }
}

function unknownResults(task: WorkerTask, reason: string): PartsRun["results"] {
  return task.parts.map((p) => ({ label: p.label, operations: p.ops.map((op) => op.id), outcome: "unknown", reason, steps: 0, memo: 0, elapsedMs: 0 }));
}
