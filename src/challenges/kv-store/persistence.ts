import { Is, Node, suite } from "../../attest/index.js";

export default suite({ cluster: 1, requestTimeout: "1s", concurrencyLimit: 50 })
  // 1
  .test("Data Survives a Graceful Restart", async (t) => {
    await t.PUT(Node("n1"), "/kv/wal:basic", "initial").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.PUT(Node("n1"), "/kv/wal:updated", "v1").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.PUT(Node("n1"), "/kv/wal:updated", "v2").status(Is(200)).hint("Your server should allow overwriting existing keys.").run();
    await t.PUT(Node("n1"), "/kv/wal:deleted", "temporary").status(Is(200)).hint("Your server should accept PUT requests.").run();
    await t.DELETE(Node("n1"), "/kv/wal:deleted").status(Is(200)).hint("Your server should accept DELETE requests.").run();

    await t.restart("n1");

    await t.GET(Node("n1"), "/kv/wal:basic")
      .status(Is(200))
      .body(Is("initial"))
      .hint("Your server lost data after a graceful restart.\nSave your data under DATA_DIR (on SIGTERM, or as you go) and load it when the server starts.")
      .run();
    await t.GET(Node("n1"), "/kv/wal:updated")
      .status(Is(200))
      .body(Is("v2"))
      .hint("After a restart a key should hold its most recent value.\nEnsure overwrites are saved, not just the first write of a key.")
      .run();
    await t.GET(Node("n1"), "/kv/wal:deleted")
      .status(Is(404))
      .hint("A key deleted before the restart came back after it.\nEnsure DELETE is saved too, not just PUT.")
      .run();
  })

  // 2
  .test("All Data Survives Repeated Graceful Restarts", async (t) => {
    for (let cycle = 1; cycle <= 4; cycle++) {
      await t.PUT(Node("n1"), `/kv/cycle:restart_${cycle}`, `restart_data_${cycle}`)
        .status(Is(200))
        .hint("Your server should accept PUT requests.")
        .run();

      await t.restart("n1");

      await t.GET(Node("n1"), `/kv/cycle:restart_${cycle}`)
        .status(Is(200))
        .body(Is(`restart_data_${cycle}`))
        .hint("Your server should keep its data across every restart.\nEnsure data loaded at start is saved again at the next shutdown.")
        .run();
    }

    const everything: Record<string, string> = {
      "wal:basic": "initial",
      "wal:updated": "v2",
      "cycle:restart_1": "restart_data_1",
      "cycle:restart_2": "restart_data_2",
      "cycle:restart_3": "restart_data_3",
      "cycle:restart_4": "restart_data_4",
    };
    for (const [key, value] of Object.entries(everything)) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(200))
        .body(Is(value))
        .hint("Data from earlier restarts went missing.\nEnsure each save writes the whole store, not only what changed since the last start.")
        .run();
    }
  })

  // 3
  .test("Rapid Sequential Writes Survive a Graceful Restart", async (t) => {
    for (let i = 1; i <= 500; i++) {
      await t.PUT(Node("n1"), `/kv/burst:${i}`, "data".repeat(250)).status(Is(200)).hint("Your server should accept PUT requests.").run();
    }

    await t.restart("n1");

    for (let i = 1; i <= 500; i++) {
      await t.GET(Node("n1"), `/kv/burst:${i}`)
        .status(Is(200))
        .body(Is("data".repeat(250)))
        .hint("Your server lost data from a burst of writes followed by a restart.\nOn SIGTERM, finish in-flight requests and write everything to disk before exiting.")
        .run();
    }
  })

  // 4
  .test("Rapid Concurrent Writes Survive a Graceful Restart", async (t) => {
    await t.concurrently(1_000, async (i) => {
      await t.PUT(Node("n1"), `/kv/large:key${i}`, "x".repeat(100))
        .status(Is(200))
        .hint("Your server should handle concurrent PUT requests.\nEnsure your store is safe under concurrent requests.")
        .run();
    });

    await t.restart("n1");

    for (let i = 1; i <= 1_000; i++) {
      await t.GET(Node("n1"), `/kv/large:key${i}`)
        .status(Is(200))
        .body(Is("x".repeat(100)))
        .hint("Your server lost some of 1,000 concurrent writes across a restart.\nEnsure every acknowledged write is saved, with no races between writers and the save.")
        .run();
    }
  })

  // 5
  .test("CLEAR Survives a Graceful Restart", async (t) => {
    const keys = ["clear:test1", "clear:test2", "clear:test3"];
    for (const [i, key] of keys.entries()) {
      await t.PUT(Node("n1"), `/kv/${key}`, `value${i + 1}`).status(Is(200)).hint("Your server should accept PUT requests.").run();
    }
    await t.DELETE(Node("n1"), "/clear").status(Is(200)).hint("Your server should implement DELETE /clear.").run();

    await t.restart("n1");

    for (const key of keys) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(404))
        .hint("Keys removed by DELETE /clear came back after a restart.\nEnsure CLEAR is saved (or the empty store is saved on shutdown).")
        .run();
    }
  });
