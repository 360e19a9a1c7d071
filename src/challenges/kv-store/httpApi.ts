import { Contains, Is, Matches, Node, OneOf, suite } from "../../attest/index.js";

export default suite({ cluster: 1 })
  // 1
  .test("PUT Stores Values", async (t) => {
    const capitals: Record<string, string> = { kenya: "Nairobi", uganda: "Kampala", tanzania: "Dar es Salaam" };
    for (const [country, capital] of Object.entries(capitals)) {
      await t.PUT(Node("n1"), `/kv/${country}:capital`, capital)
        .status(Is(200))
        .header("Content-Type", Contains("text/plain"))
        .hint("Your server should accept PUT requests.\nEnsure your HTTP handler processes PUT requests to /kv/{key}.")
        .run();
    }

    await t.PUT(Node("n1"), "/kv/tanzania:capital", "Dodoma")
      .status(Is(200))
      .hint("Your server should allow overwriting existing keys.\nEnsure PUT requests update the value of existing keys.")
      .run();

    await t.GET(Node("n1"), "/kv/tanzania:capital")
      .status(Is(200))
      .header("Content-Type", Contains("text/plain"))
      .body(Is("Dodoma"))
      .hint("Your server should return the updated value after an overwrite.\nEnsure GET returns the most recently stored value.")
      .run();

    await t.PUT(Node("n1"), "/kv/unicode:key", "🌍 Nairobi")
      .status(Is(200))
      .hint("Your server should handle Unicode characters in values.\nEnsure your HTTP handler reads the body as UTF-8.")
      .run();

    await t.PUT(Node("n1"), `/kv/long:${"k".repeat(100)}`, "v".repeat(10_000))
      .status(Is(200))
      .hint("Your server should handle long keys and values.\nEnsure your server has no arbitrary key or value length limits.")
      .run();

    await t.PUT(Node("n1"), "/kv/special:key-with_symbols.123", "value with spaces & symbols! \t")
      .status(Is(200))
      .hint("Your server should handle special characters in keys and values.\nEnsure proper URL path parsing and value decoding.")
      .run();

    await t.GET(Node("n1"), "/kv/special:key-with_symbols.123")
      .status(Is(200))
      .body(Is("value with spaces & symbols! \t"))
      .hint("Your server should preserve special characters in stored values.\nEnsure no trimming or re-encoding changes the value.")
      .run();
  })

  // 2
  .test("PUT Rejects Empty Keys and Values", async (t) => {
    await t.PUT(Node("n1"), "/kv/empty")
      .status(Is(400))
      .header("Content-Type", Contains("text/plain"))
      .body(Matches(/^value cannot be empty\n?$/))
      .hint("Your server should reject empty values.\nReturn 400 Bad Request with `value cannot be empty` when the body is empty.")
      .run();

    await t.PUT(Node("n1"), "/kv/", "some_value")
      .status(Is(400))
      .header("Content-Type", Contains("text/plain"))
      .body(Matches(/^key cannot be empty\n?$/))
      .hint("Your server should reject empty keys.\nReturn 400 Bad Request with `key cannot be empty` for PUT /kv/.")
      .run();
  })

  // 3
  .test("GET Returns Stored Values", async (t) => {
    await t.GET(Node("n1"), "/kv/kenya:capital")
      .status(Is(200))
      .header("Content-Type", Contains("text/plain"))
      .body(Is("Nairobi"))
      .hint("Your server should return stored values with GET requests.\nCheck your storage and retrieval logic.")
      .run();

    await t.GET(Node("n1"), "/kv/uganda:capital")
      .status(Is(200))
      .body(Is("Kampala"))
      .hint("Your server should return stored values with GET requests.\nCheck your storage and retrieval logic.")
      .run();

    await t.GET(Node("n1"), "/kv/tanzania:capital")
      .status(Is(200))
      .body(Is("Dodoma"))
      .hint("Your server should return the most recently stored value.\nEnsure an overwrite replaces the stored value.")
      .run();

    await t.GET(Node("n1"), "/kv/unicode:key")
      .status(Is(200))
      .body(Is("🌍 Nairobi"))
      .hint("Your server should preserve Unicode characters in stored values.\nEnsure UTF-8 survives storage and retrieval.")
      .run();

    await t.GET(Node("n1"), `/kv/long:${"k".repeat(100)}`)
      .status(Is(200))
      .body(Is("v".repeat(10_000)))
      .hint("Your server should return long values whole.\nEnsure your storage does not truncate large values.")
      .run();
  })

  // 4
  .test("GET Rejects Missing and Invalid Keys", async (t) => {
    await t.GET(Node("n1"), "/kv/nonexistent:key")
      .status(Is(404))
      .header("Content-Type", Contains("text/plain"))
      .body(Matches(/^key not found\n?$/))
      .hint("Your server should return 404 Not Found with `key not found` when a key doesn't exist.\nCheck your key lookup and error handling.")
      .run();

    await t.GET(Node("n1"), "/kv/KENYA:CAPITAL")
      .status(Is(404))
      .body(Matches(/^key not found\n?$/))
      .hint("Keys are case-sensitive: KENYA:CAPITAL is not kenya:capital.\nDo not normalise the case of keys.")
      .run();

    await t.GET(Node("n1"), "/kv/")
      .status(Is(400))
      .header("Content-Type", Contains("text/plain"))
      .body(Matches(/^key cannot be empty\n?$/))
      .hint("Your server should reject empty keys.\nReturn 400 Bad Request with `key cannot be empty` for GET /kv/.")
      .run();
  })

  // 5
  .test("DELETE Idempotently Removes Keys", async (t) => {
    await t.DELETE(Node("n1"), "/kv/tanzania:capital")
      .status(Is(200))
      .hint("Your server should accept DELETE requests.\nEnsure your HTTP handler processes DELETE requests to /kv/{key}.")
      .run();

    await t.GET(Node("n1"), "/kv/tanzania:capital")
      .status(Is(404))
      .body(Matches(/^key not found\n?$/))
      .hint("A deleted key should be gone.\nEnsure DELETE removes the key from your store.")
      .run();

    await t.GET(Node("n1"), "/kv/kenya:capital")
      .status(Is(200))
      .body(Is("Nairobi"))
      .hint("DELETE should remove only the key it names.\nEnsure your delete does not touch other keys.")
      .run();

    await t.DELETE(Node("n1"), "/kv/nonexistent:key")
      .status(Is(200))
      .hint("Deleting a key that does not exist should succeed.\nReturn 200 OK for missing keys (DELETE is idempotent).")
      .run();

    await t.PUT(Node("n1"), "/kv/delete:twice", "value")
      .status(Is(200))
      .hint("Your server should accept PUT requests.\nEnsure your HTTP handler processes PUT requests to /kv/{key}.")
      .run();

    await t.DELETE(Node("n1"), "/kv/delete:twice")
      .status(Is(200))
      .hint("Your server should delete existing keys.\nImplement key removal in your storage.")
      .run();

    await t.DELETE(Node("n1"), "/kv/delete:twice")
      .status(Is(200))
      .hint("Deleting the same key twice should succeed both times.\nReturn 200 OK for repeated deletes.")
      .run();

    await t.PUT(Node("n1"), "/kv/delete:twice", "reinserted")
      .status(Is(200))
      .hint("A deleted key can be written again.\nEnsure your store does not remember keys as permanently deleted.")
      .run();

    await t.GET(Node("n1"), "/kv/delete:twice")
      .status(Is(200))
      .body(Is("reinserted"))
      .hint("After DELETE then PUT, GET should return the new value.\nEnsure PUT after DELETE stores the value.")
      .run();
  })

  // 6
  .test("DELETE Rejects Empty Keys", async (t) => {
    await t.DELETE(Node("n1"), "/kv/")
      .status(Is(400))
      .body(Matches(/^key cannot be empty\n?$/))
      .hint("Your server should reject empty keys.\nReturn 400 Bad Request with `key cannot be empty` for DELETE /kv/.")
      .run();
  })

  // 7
  .test("CLEAR Removes All Keys from the Store", async (t) => {
    const keys: Record<string, string> = { "clear:test1": "value1", "clear:test2": "value2", "clear:test3": "value3" };
    for (const [key, value] of Object.entries(keys)) {
      await t.PUT(Node("n1"), `/kv/${key}`, value)
        .status(Is(200))
        .hint("Your server should accept PUT requests.\nEnsure your HTTP handler processes PUT requests to /kv/{key}.")
        .run();
    }
    for (const [key, value] of Object.entries(keys)) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(200))
        .body(Is(value))
        .hint("Your server should store and return key-value pairs.\nCheck your storage logic.")
        .run();
    }

    await t.DELETE(Node("n1"), "/clear")
      .status(Is(200))
      .hint("Your server should implement DELETE /clear.\nIt removes every key-value pair and returns 200.")
      .run();

    for (const key of Object.keys(keys)) {
      await t.GET(Node("n1"), `/kv/${key}`)
        .status(Is(404))
        .body(Matches(/^key not found\n?$/))
        .hint("After DELETE /clear no key should remain.\nEnsure /clear empties your whole store.")
        .run();
    }

    await t.GET(Node("n1"), "/kv/kenya:capital")
      .status(Is(404))
      .body(Matches(/^key not found\n?$/))
      .hint("DELETE /clear should remove ALL keys, including ones written in earlier tests.\nEnsure /clear empties your whole store, not just recent keys.")
      .run();

    await t.DELETE(Node("n1"), "/clear")
      .status(Is(200))
      .hint("Clearing an empty store should succeed.\nReturn 200 OK from DELETE /clear even when there is nothing to remove.")
      .run();
  })

  // 8
  .test("Concurrent Writes to Different Keys All Succeed", async (t) => {
    await t.concurrently(100, async (i) => {
      await t.PUT(Node("n1"), `/kv/concurrent:key${i}`, `value${i}`)
        .status(Is(200))
        .hint("Your server should handle concurrent PUT requests.\nEnsure your store is safe to use from concurrent requests.")
        .run();
    });

    for (let i = 1; i <= 100; i++) {
      await t.GET(Node("n1"), `/kv/concurrent:key${i}`)
        .status(Is(200))
        .body(Is(`value${i}`))
        .hint("Every concurrent write should be stored.\nEnsure no write is lost or corrupted under concurrency.")
        .run();
    }
  })

  // 9
  .test("Concurrent Writes to the Same Key Do Not Corrupt Data", async (t) => {
    await t.concurrently(100, async (i) => {
      await t.PUT(Node("n1"), "/kv/concurrent:racekey", `value${i}`)
        .status(Is(200))
        .hint("Your server should handle concurrent PUT requests.\nEnsure your store is safe to use from concurrent requests.")
        .run();
    });

    await t.GET(Node("n1"), "/kv/concurrent:racekey")
      .status(Is(200))
      .body(OneOf(...Array.from({ length: 100 }, (_, i) => `value${i + 1}`)))
      .hint("After concurrent writes to one key, its value should be one of the values written (value1-value100).\nEnsure concurrent writes cannot interleave or corrupt a value.")
      .run();
  })

  // 10
  .test("Unsupported HTTP Methods Return 405", async (t) => {
    for (const check of [t.POST(Node("n1"), "/kv/test:key"), t.PATCH(Node("n1"), "/kv/test:key")]) {
      await check
        .status(Is(405))
        .header("Content-Type", Contains("text/plain"))
        .body(Matches(/^method not allowed\n?$/))
        .hint("Your server should reject unsupported methods on /kv/{key}.\nReturn 405 with `method not allowed` for anything but GET, PUT and DELETE.")
        .run();
    }

    for (const check of [
      t.GET(Node("n1"), "/clear"),
      t.POST(Node("n1"), "/clear"),
      t.PUT(Node("n1"), "/clear"),
      t.PATCH(Node("n1"), "/clear"),
    ]) {
      await check
        .status(Is(405))
        .header("Content-Type", Contains("text/plain"))
        .body(Matches(/^method not allowed\n?$/))
        .hint("Only DELETE is allowed on /clear.\nReturn 405 with `method not allowed` for any other method.")
        .run();
    }
  });
