import { Is, Node, suite } from "../../attest/index.js";

export default suite({ cluster: 1, requestTimeout: "1s", concurrencyLimit: 50 })
  // 1
  .test("Data Survives a Hard Crash", async (t) => {
    await t.PUT(Node("n1"), "/kv/wal:basic", "initial").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.PUT(Node("n1"), "/kv/wal:updated", "v1").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.PUT(Node("n1"), "/kv/wal:updated", "v2").status(Is(200)).hint("Your server should allow overwriting existing keys.").run();
    await t.PUT(Node("n1"), "/kv/wal:deleted", "temporary").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.DELETE(Node("n1"), "/kv/wal:deleted").status(Is(200)).hint("Your server should accept DELETE requests.").run();

    await t.restart("n1", "SIGKILL");

    await t.GET(Node("n1"), "/kv/wal:basic")
      .status(Is(200))
      .body(Is("initial"))
      .hint("Your server acknowledged the PUT but lost the data after crashing.\nAppend every operation to a write-ahead log (WAL) and write it to disk (fsync) before you answer 200.")
      .run();
    await t.GET(Node("n1"), "/kv/wal:updated")
      .status(Is(200))
      .body(Is("v2"))
      .hint("After a crash a key should hold its most recent acknowledged value.\nEnsure your WAL records every PUT, overwrites included, and replays them in order.")
      .run();
    await t.GET(Node("n1"), "/kv/wal:deleted")
      .status(Is(404))
      .hint("A key deleted before the crash came back after it.\nEnsure your WAL records DELETE operations and recovery replays them.")
      .run();
  })

  // 2
  .test("All Data Survives Repeated Hard Crashes", async (t) => {
    for (let cycle = 1; cycle <= 4; cycle++) {
      await t.PUT(Node("n1"), `/kv/cycle:crash_${cycle}`, `crash_data_${cycle}`).status(Is(200)).hint("Your server should accept PUT requests.").run();

      await t.restart("n1", "SIGKILL");

      await t.GET(Node("n1"), `/kv/cycle:crash_${cycle}`)
        .status(Is(200))
        .body(Is(`crash_data_${cycle}`))
        .hint("Your server should keep its data across every crash.\nEnsure the WAL is append-only and recovery replays all of it.")
        .run();
    }

    const everything: Record<string, string> = {
      "wal:basic": "initial",
      "wal:updated": "v2",
      "cycle:crash_1": "crash_data_1",
      "cycle:crash_2": "crash_data_2",
      "cycle:crash_3": "crash_data_3",
      "cycle:crash_4": "crash_data_4",
    };
    for (const [key, value] of Object.entries(everything)) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(200))
        .body(Is(value))
        .hint("Data from earlier crashes went missing.\nNever truncate the WAL before a snapshot holding its operations is safely on disk; on start, load the snapshot, then replay the WAL.")
        .run();
    }
  })

  // 3
  .test("Rapid Sequential Writes Survive a Hard Crash", async (t) => {
    for (let i = 1; i <= 500; i++) {
      await t.PUT(Node("n1"), `/kv/burst:${i}`, "data".repeat(250)).status(Is(200)).hint("Your server should accept PUT requests.").run();
    }

    await t.restart("n1", "SIGKILL");

    for (let i = 1; i <= 500; i++) {
      await t.GET(Node("n1"), `/kv/burst:${i}`)
        .status(Is(200))
        .body(Is("data".repeat(250)))
        .hint("Your server acknowledged the PUT but lost the data after crashing.\nWrite each operation to the WAL and flush it to disk before answering; buffers in your process die with it.")
        .run();
    }
  })

  // 4
  .test("Rapid Concurrent Writes Survive a Hard Crash", async (t) => {
    await t.concurrently(1_000, async (i) => {
      await t.PUT(Node("n1"), `/kv/large:key${i}`, "x".repeat(100))
        .status(Is(200))
        .hint("Your server should answer 1,000 concurrent PUTs, each within 1s.\nIf fsync per write is too slow, batch concurrent writes into one fsync (group commit).")
        .run();
    });

    await t.restart("n1", "SIGKILL");

    for (let i = 1; i <= 1_000; i++) {
      await t.GET(Node("n1"), `/kv/large:key${i}`)
        .status(Is(200))
        .body(Is("x".repeat(100)))
        .hint("Your server lost acknowledged concurrent writes in a crash.\nEnsure each write is durable in the WAL before its 200 is sent, also when writes are batched.")
        .run();
    }
  })

  // 5
  .test("CLEAR Survives a Hard Crash", async (t) => {
    const keys = ["clear:test1", "clear:test2", "clear:test3"];
    for (const [i, key] of keys.entries()) {
      await t.PUT(Node("n1"), `/kv/${key}`, `value${i + 1}`).status(Is(200)).hint("Your server should accept PUT requests.").run();
    }
    await t.DELETE(Node("n1"), "/clear").status(Is(200)).hint("Your server should implement DELETE /clear.").run();

    await t.restart("n1", "SIGKILL");

    for (const key of keys) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(404))
        .hint("Keys removed by DELETE /clear came back after a crash.\nEnsure your WAL records CLEAR and recovery replays it.")
        .run();
    }
  })

  // 6
  .test("Writes Acknowledged Mid-Crash Survive It", async (t) => {
    // Writers keep writing while the node is killed; every write that got a
    // 200 before the kill must be there afterwards. Writes cut off by the
    // kill may or may not be.
    const acknowledged = new Map<string, string>();
    let reachedTarget: () => void = () => {};
    const target = new Promise<void>((resolve) => (reachedTarget = resolve));
    const writer = async (w: number) => {
      for (let i = 0; ; i++) {
        const key = `inflight:w${w}-${i}`;
        const res = await t.send("n1", "PUT", `/kv/${key}`, `value-${w}-${i}`);
        if (res?.status !== 200) return; // the node is gone
        acknowledged.set(key, `value-${w}-${i}`);
        if (acknowledged.size >= 300) reachedTarget();
      }
    };
    const writers = Array.from({ length: 20 }, (_, w) => writer(w));
    await Promise.race([target, Promise.all(writers)]);

    await t.kill("n1");
    await Promise.all(writers);
    await t.start("n1");

    for (const [key, value] of acknowledged) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(200))
        .body(Is(value))
        .hint("A write answered with 200 just before the crash was lost.\nAnswer only after the operation is on disk (fsync); never acknowledge from a buffer that is flushed later.")
        .run();
    }
  });
