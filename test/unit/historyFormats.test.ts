import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { detectFormat, HISTORY_FORMATS, parseHistory, type HistoryFormat } from "../../src/checkers/linearizability/formats/index.js";
import { HistoryError, pairOperations, type HistoryEvent } from "../../src/checkers/linearizability/history.js";
import { packageRoot } from "../../src/util/packageRoot.js";

const FIXTURES = join(packageRoot, "test", "fixtures", "histories");

/** The events, without the line each came from. */
const events = (text: string, format?: HistoryFormat): Omit<HistoryEvent, "line">[] => parseHistory(text, format).events.map(({ line: _, ...e }) => e);

/** Asserts that reading throws a HistoryError on `line` whose message matches `pattern`. */
function rejects(text: string, format: HistoryFormat | undefined, line: number | undefined, pattern: RegExp): void {
  assert.throws(
    () => parseHistory(text, format),
    (err: unknown) => {
      assert.ok(err instanceof HistoryError, `expected a HistoryError, got ${String(err)}`);
      assert.equal(err.line, line, err.message);
      if (line !== undefined) assert.match(err.message, new RegExp(`line ${line}\\b`));
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe("history formats: jsonl", () => {
  it("reads one JSON object per line, skips blank lines, and keeps keys, times and lines", () => {
    const text = ['{"process": 0, "type": "invoke", "f": "write", "key": "x", "value": 1, "time": 100}', "", '{"process": 0, "type": "ok", "f": "write", "key": "x", "value": 1, "time": 250}'].join("\n");
    const read = parseHistory(text, "jsonl");
    assert.deepEqual(read.events, [
      { process: 0, type: "invoke", f: "write", key: "x", value: 1, time: 100, line: 1 },
      { process: 0, type: "ok", f: "write", key: "x", value: 1, time: 250, line: 3 },
    ]);
  });

  it("accepts names as processes, null values, and ignores fields it does not use", () => {
    assert.deepEqual(events('{"process": "nemesis", "type": "info", "f": "start", "value": null, "extra": [1]}\r\n', "jsonl"), [{ process: "nemesis", type: "info", f: "start", value: null }]);
  });

  it("names the line of bad JSON", () => {
    const text = ['{"process": 0, "type": "invoke", "f": "read", "value": null}', '{"process": 0, "type": "ok", "f": "read", "value": 2}', '{"process": 1, "type": "invoke"'].join("\n");
    rejects(text, "jsonl", 3, /not valid JSON/);
    rejects(text, undefined, 3, /not valid JSON/);
  });

  it("names the line and the field that is missing or has the wrong type", () => {
    rejects('{"process": 0, "type": "invoke", "f": "read"}', "jsonl", 1, /field "value" is missing/);
    rejects('\n{"type": "invoke", "f": "read", "value": null}', "jsonl", 2, /field "process" is missing/);
    rejects('{"process": 0, "type": "done", "f": "read", "value": null}', "jsonl", 1, /field "type" must be "invoke", "ok", "fail" or "info" \(found "done"\)/);
    rejects('{"process": 0, "type": "ok", "f": 7, "value": null}', "jsonl", 1, /field "f"/);
    rejects('{"process": 0.5, "type": "ok", "f": "read", "value": null}', "jsonl", 1, /field "process"/);
    rejects('{"process": 0, "type": "ok", "f": "read", "value": null, "time": "soon"}', "jsonl", 1, /field "time" must be a time in nanoseconds/);
    rejects('{"process": 0, "type": "ok", "f": "read", "value": null, "time": -1}', "jsonl", 1, /field "time"/);
    rejects("[1, 2]", "jsonl", 1, /one JSON object per line/);
  });
});

describe("history formats: edn", () => {
  it("reads one map per line, with comments and commas as whitespace", () => {
    const text = [
      "; a register",
      '{:process 0, :type :invoke, :f :cas, :key "x", :value [1 4], :time 123, :index 5}',
      '{:process 0, :type :fail, :f :cas, :key "x", :value [1 4], :time 200, :error [:cas-failed "expected 1"]} ; no effect',
      "{:process :nemesis :type :info :f :start :value nil}",
    ].join("\n");
    assert.deepEqual(parseHistory(text).events, [
      { process: 0, type: "invoke", f: "cas", key: "x", value: [1, 4], time: 123, line: 2 },
      { process: 0, type: "fail", f: "cas", key: "x", value: [1, 4], time: 200, line: 3 },
      { process: "nemesis", type: "info", f: "start", value: null, line: 4 },
    ]);
  });

  it("reads a vector of maps, records as maps, and the line of each map", () => {
    const text = ["[{:process 0 :type :invoke :f :read :value nil}", " #jepsen.history.Op{:index 1, :time 9, :type :ok, :process 0, :f :read, :value 3}", "]"].join("\n");
    assert.deepEqual(parseHistory(text), {
      format: "edn",
      events: [
        { process: 0, type: "invoke", f: "read", value: null, line: 1 },
        { process: 0, type: "ok", f: "read", value: 3, time: 9, line: 2 },
      ],
    });
    assert.equal(parseHistory(`(${text.slice(1, -1)})`, "edn").events.length, 2, "a list holds operations as a vector does");
  });

  it("reads EDN's values: strings with escapes, numbers, booleans, sets, nested maps, tags and discards", () => {
    const value = (edn: string) => events(`{:process 1 :type :ok :f :x :value ${edn}}`, "edn")[0]!.value;
    assert.equal(value('"a\\"b\\\\c\\n\\u00e9"'), 'a"b\\c\né');
    assert.deepEqual(value("[-3 +4 2.5 1e3 7N 1.5M 1/4 true false nil]"), [-3, 4, 2.5, 1000, 7, 1.5, 0.25, true, false, null]);
    assert.deepEqual(value("#{1 2}"), [1, 2]);
    assert.deepEqual(value('{:a {"b" [:c]} 3 :d}'), { a: { b: ["c"] }, "3": "d" });
    assert.deepEqual(value('[:ns/kw ::local sym \\a \\newline #inst "2024-01-01" #uuid "u-1" #_ ignored]'), ["ns/kw", "local", "sym", "a", "\n", "2024-01-01", "u-1"]);
    assert.deepEqual(value("#object[java.lang.Exception 0x1f \"boom\"]"), ["java.lang.Exception", 31, "boom"]);
    assert.deepEqual(value("^{:meta 1} [1]"), [1]);
    assert.equal(value("##Inf"), Infinity);
    assert.deepEqual(Object.keys(value("{:__proto__ 1 :a 2}") as object), ["__proto__", "a"]);
  });

  it("gives a map without :value the value nil", () => {
    assert.deepEqual(events("{:process 0 :type :invoke :f :read}", "edn"), [{ process: 0, type: "invoke", f: "read", value: null }]);
  });

  it("names the line where an unterminated map, vector or string opened", () => {
    rejects("{:process 0 :type :invoke :f :read :value nil}\n{:process 0, :type :ok,\n :f :read :value 2\n", undefined, 2, /map .*never closed \(a "}" is missing\)/);
    rejects("[{:process 0 :type :invoke :f :read :value nil}\n", "edn", 1, /vector .*never closed/);
    rejects('{:process 0 :type :ok :f :read :value "abc}\n', "edn", 1, /string is never closed/);
  });

  it("names the line of a bracket that closes the wrong thing, or nothing", () => {
    rejects("{:process 0 :type :ok\n :f :read :value [1 2}", "edn", 2, /"}" cannot close the vector opened on line 2/);
    rejects("{:process 0 :type :ok :f :read :value 1}\n]", "edn", 2, /closes nothing/);
  });

  it("rejects a map with a key and no value, a form that is not an operation map, and bad fields", () => {
    rejects("{:process 0 :type :ok :f}", "edn", 1, /key without a value/);
    rejects("{:process 0 :type :ok :f :read :value 1}\n:oops", "edn", 2, /expected an operation map/);
    rejects("{:process 0 :type :done :f :read :value 1}", "edn", 1, /:type must be "invoke", "ok", "fail" or "info"/);
    rejects("{:process [0] :type :ok :f :read :value 1}", "edn", 1, /:process must be a client number/);
    rejects("{:process 0 :type :ok :f :read :value 12abc}", "edn", 1, /"12abc" is not a number/);
  });

  it("stops a value nested too deeply with a HistoryError, not a stack overflow", () => {
    rejects(`{:process 0 :type :ok :f :read :value ${"[".repeat(5000)}}`, "edn", 1, /nested more than/);
  });

  it("throws only HistoryErrors for any truncation of a history", () => {
    const text = '[{:process 0, :type :invoke, :f :cas, :value [1 #{2}], :error "a\\"b", :x #tag {:y \\c}} ; c\n {:process 0 :type :ok :f :cas :value ##Inf}]';
    for (let end = 0; end <= text.length; end++) {
      for (const format of [undefined, ...HISTORY_FORMATS]) {
        try {
          parseHistory(text.slice(0, end), format);
        } catch (err) {
          assert.ok(err instanceof HistoryError, `reading ${JSON.stringify(text.slice(0, end))} as ${format ?? "detected"} threw ${String(err)}`);
        }
      }
    }
  });
});

describe("history formats: jepsen-log", () => {
  it("reads jepsen.util operation lines, with tabs or spaces, and skips every other line", () => {
    const text = [
      "INFO  jepsen.core - Running test",
      "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]",
      "INFO  jepsen.util - :nemesis\t:info\t:start\tnil",
      "INFO  jepsen.util - 3   :ok     :cas    [1 4]",
      "INFO  jepsen.util - 1\t:info\t:write\t:timed-out",
      "INFO  jepsen.util - Run complete, writing",
    ].join("\n");
    assert.deepEqual(parseHistory(text), {
      format: "jepsen-log",
      events: [
        { process: 3, type: "invoke", f: "cas", value: [1, 4], line: 2 },
        { process: "nemesis", type: "info", f: "start", value: null, line: 3 },
        { process: 3, type: "ok", f: "cas", value: [1, 4], line: 4 },
        { process: 1, type: "info", f: "write", value: "timed-out", line: 5 },
      ],
    });
  });

  it("reads the timestamped lines of newer Jepsen logs, and ignores the error after the value", () => {
    const text = [
      "2021-02-26 23:39:01,290{GMT}\tINFO\t[jepsen test runner] jepsen.core: Relative time begins now",
      "2021-02-26 23:39:01,300{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:invoke\t:write\t[0 2]",
      '2021-02-26 23:39:01,303{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:info\t:write\t[0 2]\tindeterminate: Read timed out',
      '2021-02-26 23:39:01,526{GMT}\tINFO\t[jepsen worker 0] jepsen.util: 0\t:ok\t:echo\t{:echo "hi", :msg_id 1}',
    ].join("\n");
    assert.equal(detectFormat(text), "jepsen-log");
    assert.deepEqual(events(text), [
      { process: 1, type: "invoke", f: "write", value: [0, 2] },
      { process: 1, type: "info", f: "write", value: [0, 2] },
      { process: 0, type: "ok", f: "echo", value: { echo: "hi", msg_id: 1 } },
    ]);
  });

  it("names the line of a value that is not EDN", () => {
    const text = "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 4]\nINFO  jepsen.util - 2\t:invoke\t:read\tnil\nINFO  jepsen.util - 3\t:ok\t:cas\t[1 4\n";
    rejects(text, undefined, 3, /the value "\[1 4" is not EDN: the vector .*never closed/);
    rejects("INFO  jepsen.util - 3\t:ok\t:read\t\"unclosed", "jepsen-log", 1, /is not EDN: .*string is never closed/);
    rejects("INFO  jepsen.util - 3\t:ok\t:read\t[1 4] 5", "jepsen-log", 1, /is not one EDN value: "5" follows it/);
  });
});

describe("history formats: detection", () => {
  it("tells the formats apart by their first content, skipping blank lines and comments", () => {
    assert.equal(detectFormat('\n{"process": 0, "type": "invoke", "f": "read", "value": null}'), "jsonl");
    assert.equal(detectFormat('{"process": 0, "type": "invoke"'), "jsonl", "a broken JSON line is still JSON Lines, so the error names the line");
    assert.equal(detectFormat("; history\n[{:process 0}]"), "edn");
    assert.equal(detectFormat("{:process 0, :type :invoke}"), "edn");
    assert.equal(detectFormat("#jepsen.history.Op{:process 0}"), "edn");
    assert.equal(detectFormat("2024-01-01 INFO jepsen.core - start\nINFO  jepsen.util - 0\t:invoke\t:read\tnil"), "jepsen-log");
  });

  it("asks for --format when it cannot tell, naming the line it looked at", () => {
    rejects("\n\nop,process,type\n", undefined, 3, /cannot tell the format; pass --format/);
  });

  it("says an empty history is empty", () => {
    rejects(" \n; nothing\n", undefined, undefined, /the history is empty/);
    for (const format of HISTORY_FORMATS) assert.deepEqual(parseHistory("", format), { format, events: [] });
  });

  it("uses the format it is given, even where detection would choose another", () => {
    rejects('{"process": 0, "type": "invoke", "f": "read", "value": null}', "edn", 1, /":" is not a keyword/);
  });
});

describe("history formats: Porcupine's fixtures", () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8")) as Record<string, boolean>;
  const files = ["etcd", "kv"].flatMap((dir) => readdirSync(join(FIXTURES, dir)).map((name) => `${dir}/${name}`));

  it("has an expected verdict for every file, and a file for every verdict", () => {
    assert.deepEqual(Object.keys(expected).sort(), [...files].sort());
    assert.equal(files.filter((f) => f.startsWith("etcd/")).length, 103);
    assert.deepEqual(
      Object.entries(expected).filter(([f, ok]) => f.startsWith("kv/") && ok !== f.endsWith("-ok.txt")),
      [],
      "kv files named -ok are linearizable, -bad are not",
    );
  });

  it("reads and pairs every file, detecting its format, with one operation or failure per invoke", () => {
    for (const file of files) {
      const text = readFileSync(join(FIXTURES, file), "utf8");
      const format = file.startsWith("etcd/") ? "jepsen-log" : "edn";
      if (text.trim() === "") {
        assert.deepEqual(parseHistory(text, format).events, [], file); // etcd_095: the cluster never started
        continue;
      }
      const read = parseHistory(text);
      assert.equal(read.format, format, file);
      const invokes = text.split("\n").filter((l) => /:invoke/.test(l)).length;
      assert.ok(invokes > 10, `${file}: ${invokes} invokes`);
      assert.equal(read.events.filter((e) => e.type === "invoke").length, invokes, file);
      const history = pairOperations(read.events);
      assert.equal(history.operations.length + history.failed, invokes, file);
      assert.ok(history.operations.every((op) => op.call < op.ret && op.line !== undefined), file);
      assert.ok(history.operations.every((op) => ["read", "write", "cas", "get", "put", "append"].includes(op.f)), file);
    }
  });
});
