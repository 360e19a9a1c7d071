import { parentPort } from "node:worker_threads";
import { searchModel } from "./check.js";
import { modelNamed } from "./models.js";
import { checkParts } from "./partCheck.js";
import type { Part } from "./parts.js";

// A worker thread: searches the parts it is given, and raises the shared
// stop flag the moment one of them is not linearizable.

export interface WorkerTask {
  model: string;
  /** Whether the parts are keys of a split history (searched with the model's one-part model). */
  partition: boolean;
  parts: Part[];
  deadline: number;
  memoryBytes: number;
  stop: SharedArrayBuffer;
}

parentPort?.on("message", (task: WorkerTask) => {
  const stop = new Int32Array(task.stop);
  const run = checkParts(searchModel(modelNamed(task.model), task.partition), task.parts, { deadline: task.deadline, memoryBytes: task.memoryBytes, stop });
  if (run.illegal) Atomics.store(stop, 0, 1);
  parentPort!.postMessage(run);
});
