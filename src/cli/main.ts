#!/usr/bin/env node
// The clstr command line. Each command's module loads only when it runs, so
// `clstr --help` stays fast.
import { Command, Option } from "commander";
import { UserError } from "../util/errors.js";
import { packageInfo } from "../util/packageInfo.js";
import { MODELS } from "../checkers/linearizability/models.js";

type Action = (...args: never[]) => Promise<number | void>;

/** Resolves once everything written to stdout and stderr so far has reached the kernel (or the stream is gone). */
function drained(): Promise<void> {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.write("", () => resolve())));
  return Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => undefined);
}

/** Exits with `code` once the output has drained: a pipe gets every byte. */
async function exitAfterOutput(code: number): Promise<never> {
  process.exitCode = code;
  await drained();
  // A run has stopped its nodes; nothing left (an idle pool, a timer) may keep us alive.
  process.exit();
}

/**
 * A reader that goes away (`clstr test | head -1`) closes our stdout: end
 * quietly, as a Ctrl-C would (a run stops its nodes and cleans up), once.
 */
function endQuietlyOnClosedOutput(): void {
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      if (closed) return;
      closed = true;
      if (process.listenerCount("SIGINT") > 0) process.kill(process.pid, "SIGINT");
      else process.exit(0);
    });
  }
}

/** Runs a command module's action, turning user mistakes into one clean line. */
function lazy(load: () => Promise<{ default: Action }>) {
  return async (...args: unknown[]) => {
    try {
      const { default: action } = await load();
      const code = await (action as (...a: unknown[]) => Promise<number | void>)(...args);
      await exitAfterOutput(code ?? 0);
    } catch (err) {
      if (err instanceof UserError) {
        console.error(`clstr: ${err.message}`);
        await exitAfterOutput(err.exitCode);
      }
      throw err;
    }
  };
}

/** `--runtime`, for every command that runs stages. */
function runtimeOption(): Option {
  return new Option("--runtime <kind>", "where nodes run (default: local when clstr.yaml has run:, else docker; Maelstrom stages run on the engine)").choices(["local", "docker"]);
}

endQuietlyOnClosedOutput();

const program = new Command()
  .name("clstr")
  .description("Learn distributed systems by building them from scratch")
  .version(packageInfo().version, "-V, --version", "print clstr's version")
  .showSuggestionAfterError()
  // Bad arguments exit 2; under `clstr maelstrom`, 254 as Maelstrom's, and under `clstr check`, 3 (2 means an unknown verdict there).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : process.argv[2] === "maelstrom" ? 254 : process.argv[2] === "check" ? 3 : 2));

program
  .command("list")
  .aliases(["l", "ls"])
  .description("List available challenges")
  .action(lazy(() => import("./commands/list.js")));

program
  .command("init")
  .alias("i")
  .description("Initialize a challenge")
  .argument("<challenge>", "challenge key, e.g. kv-store")
  .argument("[path]", "directory to create it in", ".")
  .requiredOption("-l, --language <lang>", "language to set up (typescript, go, python, rust, java, elixir, or any other); gossip-glomers writes a starter node (answers init, ready for handlers) for typescript, python and go")
  .addOption(new Option("--lang <lang>").hideHelp())
  .option("--force", "overwrite files that already exist")
  .action(lazy(() => import("./commands/init.js")));

program
  .command("test")
  .alias("t")
  .description("Test your implementation")
  .argument("[stage]", "stage to test (default: the current stage in clstr.yaml)")
  .option("--so-far", "test every stage up to and including the stage")
  .addOption(new Option("--reporter <kind>", "how to report results").choices(["pretty", "json"]).default("pretty"))
  .addOption(runtimeOption())
  .option("--seed <n>", "seed for every random choice (faults, their times, client operations); a failure prints the one that replays it")
  .action(lazy(() => import("./commands/test.js")));

program
  .command("next")
  .alias("n")
  .description("Advance to the next stage (runs the current stage's tests first)")
  .addOption(runtimeOption())
  .action(lazy(() => import("./commands/next.js")));

program
  .command("status")
  .alias("s")
  .description("Show current progress")
  .action(lazy(() => import("./commands/status.js")));

program
  .command("logs")
  .description("Show the last run's logs for a node or all nodes, interleaved by time")
  .argument("[node...]", "nodes to show, e.g. n2 n4 (default: all)")
  .action(lazy(() => import("./commands/logs.js")));

program
  .command("guide")
  .description("Print a stage's guide: what to build, the API, how it is tested")
  .argument("[stage]", "stage (default: the current stage in clstr.yaml)")
  .action(lazy(() => import("./commands/guide.js")));

program
  .command("doctor")
  .description("Show which runtimes and fault mechanisms this machine supports, and why not")
  .option("--fix", "install what the default runtime needs for every fault (as root; otherwise prints the sudo command)")
  .action(lazy(() => import("./commands/doctor.js")));

const check = program.command("check").description("Check recorded histories on their own");
check
  .command("linearizable")
  .description("Is there one order of the operations, each taking effect between its call and its return, that the model accepts? Exit 0 yes, 1 no, 2 unknown, 3 unreadable input")
  .argument("<files...>", "history files (- for standard input): JSON lines, Jepsen EDN or Jepsen log lines")
  .addOption(new Option("--model <name>", "the object the history was recorded from").choices(Object.keys(MODELS)).makeOptionMandatory())
  .addOption(new Option("--format <format>", "the files' format (detected when absent)").choices(["jsonl", "edn", "jepsen-log"]))
  .option("--timeout <seconds>", "time budget per history; beyond it the answer is unknown", "60")
  .option("--no-partition", "check the history as one object, even when the model could check each key on its own")
  .option("--html <file>", "write a picture of the check (with several histories: one per history, named after it)")
  .option("--json", "print one JSON document instead of text")
  .addHelpText("after", `\nModels:\n${Object.values(MODELS).map((m) => `  ${m.name.padEnd(13)} ${m.summary}`).join("\n")}`)
  .action(lazy(() => import("./commands/check.js")));

check
  .command("txn")
  .description("Is the transactional history consistent with the models asked? Finds Elle's anomalies (G0, G1a, G1b, G1c, G-single, G2-item, lost update, ...) and explains each. Exit 0 yes, 1 no, 2 unknown, 3 unreadable input or bad arguments")
  .argument("<file>", "history file (- for standard input): JSON lines or Jepsen EDN")
  .addOption(new Option("--workload <name>", "what the transactions do").choices(["list-append", "rw-register"]).makeOptionMandatory())
  .option("--models <models>", "comma-separated: read-uncommitted, read-committed, repeatable-read, snapshot-isolation, serializable, strict-serializable", "strict-serializable")
  .addOption(new Option("--format <format>", "the file's format (detected when absent)").choices(["jsonl", "edn"]))
  .option("--html <file>", "write a page that draws each anomaly's witness cycle and its transactions' timeline")
  .option("--json", "print one JSON document instead of text")
  .action(lazy(() => import("./commands/check.js").then((m) => ({ default: m.checkTxn }))));

const maelstrom = program.command("maelstrom").description("Run Maelstrom tests on your Maelstrom node, with Maelstrom's command line and no JVM");
maelstrom
  .command("test")
  .description("Test a Maelstrom node: exit 0 valid, 1 invalid, 2 unknown, 254 bad arguments")
  .option("-w, --workload <name>", "echo, unique-ids, broadcast, g-set, g-counter, pn-counter, kafka, lin-kv, txn-rw-register or txn-list-append", "lin-kv")
  .requiredOption("--bin <path>", "the node binary (started once per node)")
  .argument("[args...]", "arguments for the binary")
  .option("--node-count <n>", "how many nodes, named n0, n1, ... (without it: n1 to n5, or --nodes)")
  .option("--nodes <names>", "comma-separated node names")
  .option("--time-limit <seconds>", "how long the main phase runs", "60")
  .option("--rate <ops>", "client operations per second, all clients together", "5")
  .option("--concurrency <n>", "number of clients, or a multiple of the node count like 2n", "1n")
  .option("--latency <ms>", "mean one-way message latency", "0")
  .option("--latency-dist <dist>", "constant, uniform or exponential", "constant")
  .option("--nemesis <faults>", "faults to inject: partition")
  .option("--nemesis-interval <seconds>", "seconds between nemesis actions", "10")
  .option("--availability <level>", "total (every request must succeed) or the fraction that must, 0 to 1")
  .option("--topology <kind>", "broadcast topology: grid, line, tree2, tree3, tree4, total", "grid")
  .option("--key-count <n>", "txn workloads: keys in use at any time (default 3)")
  .option("--max-txn-length <n>", "txn workloads: micro-operations per transaction at most (default 2)")
  .option("--max-writes-per-key <n>", "txn workloads: writes to a key before moving on to a fresh one (default 32)")
  .option("--consistency-models <models>", "txn workloads: comma-separated models to check (read-uncommitted, read-committed, repeatable-read, snapshot-isolation, serializable, strict-serializable)", "strict-serializable")
  .option("--log-stderr", "print the nodes' stderr as it comes")
  .option("--log-net-send", "print every message as it is sent")
  .option("--log-net-recv", "print every message as it is delivered")
  .option("--test-count <n>", "run the test this many times, stopping at the first that is not valid", "1")
  .option("--loss <fraction>", "clstr only: drop this fraction (0 to 1) of messages between nodes and services", "0")
  .option("--seed <n>", "seed for the random choices (latencies, partitions, values)")
  .action(lazy(() => import("./commands/maelstrom.js")));

await program.parseAsync(process.argv);
