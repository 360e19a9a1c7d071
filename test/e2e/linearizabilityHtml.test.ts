import assert from "node:assert/strict";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import type { History, Operation } from "../../src/checkers/linearizability/history.js";
import type { CheckResult, PartResult } from "../../src/checkers/linearizability/result.js";
import { renderLinearizabilityHtml } from "../../src/reports/linearizabilityHtml.js";
import { CHROMIUM, chromiumMissing, pageProblems } from "../support/browser.js";

// The picture of a linearizability check, opened in headless Chromium: it
// says which part failed and how far the linearization got, draws every
// operation, the path and the faults, explains an operation on hover, and
// stays quick on a history of 100,000 operations.
const dir = mkdtempSync(join(tmpdir(), "clstr-linearizability-html-"));

const T0 = 5_000_000_000; // a monotonic clock in ns
const ms = (t: number) => T0 + t * 1e6;

function op(id: number, process: number, f: string, key: string, input: Operation["input"], output: Operation["output"], call: number, ret: number): Operation {
  const o: Operation = { id, process, f, key, input, status: ret === Infinity ? "info" : "ok", call: ms(call), ret: ret === Infinity ? Infinity : ms(ret), line: id + 1 };
  if (ret !== Infinity) o.output = output;
  return o;
}

/** Key x: two puts race, a read sees 1, then a read sees 2, which no order allows; key y is fine. */
function smallCheck(): { history: History; result: CheckResult } {
  const operations = [
    op(0, 0, "put", "x", 1, 1, 0, 2),
    op(1, 1, "put", "x", 2, 2, 1, 3),
    op(2, 2, "get", "x", null, 1, 4, 5),
    op(3, 0, "get", "x", null, 2, 6, 7),
    op(4, 1, "put", "x", 3, undefined, 3.5, Infinity),
    op(5, 2, "put", "y", "</script><script>document.title='pwned'</script>", null, 0.5, 1.5),
    op(6, 3, "get", "y", null, "</script><script>document.title='pwned'</script>", 2, 3),
    op(7, 3, "put", "y", "b", null, 5, 6.5),
    op(8, 2, "get", "y", null, "b", 7, 8),
  ];
  const history: History = {
    operations,
    nemesis: [
      { f: "partition", value: "majorities-ring", start: ms(2.5), end: ms(6.5) },
      { f: "kill", value: ["n1"], start: ms(7.5), end: Infinity },
    ],
    failed: 1,
  };
  const part = (p: Partial<PartResult> & Pick<PartResult, "label" | "operations" | "outcome">): PartResult => ({ steps: 12, memo: 5, elapsedMs: 1, ...p });
  const result: CheckResult = {
    model: "kv",
    outcome: "illegal",
    elapsedMs: 3,
    parts: [
      part({ label: 'key "y"', operations: [5, 6, 7, 8], outcome: "ok" }),
      part({
        label: 'key "x"',
        operations: [0, 1, 4, 2, 3],
        outcome: "illegal",
        prefix: [1, 0, 2],
        stuck: [3],
        states: ["x = 1", "x = 3"],
        explanation: ["get(x) → 2 by client 0 read 2, but every order of the operations before it leaves x = 1 or x = 3.", "put(x, 2) was overwritten by put(x, 1), which completed before the read began."],
      }),
    ],
  };
  return { history, result };
}

/** 100,000 operations by 20 clients on one register: all linearized but the last, which cannot be. */
function bigCheck(): { history: History; result: CheckResult } {
  const clients = 20;
  const n = 100_000;
  const operations: Operation[] = [];
  for (let i = 0; i < n; i++) {
    const round = Math.floor(i / clients);
    const c = i % clients;
    const call = round * 1000 + c * 40; // µs
    const o: Operation = { id: i, process: c, f: i % 3 === 0 ? "put" : "get", input: i % 3 === 0 ? i : null, status: "ok", output: i % 3 === 0 ? i : i - (i % 3), call: T0 + call * 1000, ret: T0 + (call + 30) * 1000 };
    if (i % 997 === 0) {
      o.status = "info";
      o.ret = Infinity;
      delete o.output;
    }
    operations.push(o);
  }
  const ids = operations.map((o) => o.id);
  const history: History = { operations, nemesis: [{ f: "partition", value: null, start: T0 + 5e8, end: T0 + 2e9 }], failed: 0 };
  const result: CheckResult = {
    model: "register",
    outcome: "illegal",
    elapsedMs: 900,
    parts: [{ label: "", operations: ids, outcome: "illegal", prefix: ids.slice(0, n - 1).filter((id) => operations[id]!.status === "ok"), stuck: [n - 1], states: ["99999"], explanation: ["the last read saw what no order allows"], steps: n, memo: n, elapsedMs: 900 }],
  };
  return { history, result };
}

async function open(browser: Browser, html: string, name: string): Promise<{ page: Page; errors: string[]; loadMs: number }> {
  const path = join(dir, `${name}.html`);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  const errors = pageProblems(page);
  const start = Date.now();
  await page.goto(pathToFileURL(path).href);
  await page.waitForSelector("body[data-ready]");
  return { page, errors, loadMs: Date.now() - start };
}

const canvasData = (page: Page) => page.evaluate(() => ({ ...document.getElementById("canvas")!.dataset }));
const locate = (page: Page, id: number) => page.evaluate((i) => (window as unknown as { clstrPicture: { locate(id: number): { x: number; y: number } | undefined } }).clstrPicture.locate(i), id);
const pageErrors = (page: Page) => page.evaluate(() => document.getElementById("errors")!.textContent);

describe("renderLinearizabilityHtml: the picture of a check", { skip: chromiumMissing }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });
  after(async () => {
    await browser?.close();
  });

  it("opens at the illegal part, says how far the linearization got, and draws its operations, path and faults", async () => {
    const { history, result } = smallCheck();
    const { page, errors } = await open(browser, renderLinearizabilityHtml(history, result, { title: "kv <check>" }), "small");
    assert.equal(await page.title(), "kv <check>");
    assert.equal(await page.textContent("#status"), 'part key "x": illegal, 3 of 5 operations linearized');
    assert.equal(await page.inputValue("#part"), "1", "the illegal part is chosen, though it is listed second");
    assert.deepEqual(await page.$$eval("#part option", (os) => os.map((o) => o.textContent)), ['part key "y": ok (4 operations)', 'part key "x": illegal (5 operations)']);
    assert.deepEqual(await page.$$eval("#explanation li", (ls) => ls.map((l) => l.textContent)), result.parts[1]!.explanation);
    assert.equal(await page.textContent("#states"), "After the linearized operations the object could be: x = 1 or x = 3");
    assert.match((await page.textContent("#summary"))!, /^Model kv · 9 operations, 1 failed invocation left out · 2 parts \(1 ok, 1 illegal\)/);

    const drawn = await canvasData(page);
    assert.equal(drawn.drawn, "5", "every operation of the part is drawn, the unknown one too");
    assert.equal(drawn.path, "3", "the path goes through the three linearized operations");

    // Hovering explains: the first to fail, then an operation of unknown outcome.
    const stuck = (await locate(page, 3))!;
    await page.mouse.move(stuck.x, stuck.y);
    const tip = (await page.textContent("#tooltip"))!;
    assert.match(tip, /^get\("x"\) → 2client 0 · ok/);
    assert.match(tip, /called at 6 ms, returned at 7 ms \(took 1 ms\)/);
    assert.match(tip, /output: 2/);
    assert.match(tip, /the first to fail/);
    const unknown = (await locate(page, 4))!;
    await page.mouse.move(unknown.x, unknown.y);
    assert.match((await page.textContent("#tooltip"))!, /^put\("x", 3\) → \?client 1 · outcome unknown \(info\)called at 3\.5 ms, no answer/);
    const linearized = (await locate(page, 2))!;
    await page.mouse.move(linearized.x, linearized.y);
    assert.match((await page.textContent("#tooltip"))!, /linearized 3 of 3/);

    await page.mouse.move(5, 5);
    const shot = join(dir, "small.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 0);

    // The other part: all linearizable; values with "</script>" in them stay text.
    await page.selectOption("#part", "0");
    assert.equal(await page.textContent("#status"), 'part key "y": ok, 4 operations');
    assert.equal(await page.evaluate(() => document.getElementById("explanation")!.children.length), 0);
    assert.equal((await canvasData(page)).path, "0");
    const put = (await locate(page, 5))!;
    await page.mouse.move(put.x, put.y);
    assert.match((await page.textContent("#tooltip"))!, /^put\("y", "<\/script><script>document\.title='pwned'<\/script>"\)/);
    assert.equal(await page.title(), "kv <check>");

    assert.equal(await pageErrors(page), "");
    assert.deepEqual(errors, []);
  });

  it("stays quick with 100,000 operations: opens at the failure and draws only what is in view", async (t) => {
    const { history, result } = bigCheck();
    const started = Date.now();
    const html = renderLinearizabilityHtml(history, result);
    const renderMs = Date.now() - started;
    const { page, errors, loadMs } = await open(browser, html, "big");
    const pageMs = Number(await page.evaluate(() => document.body.dataset.renderMs));
    t.diagnostic(`HTML ${(html.length / 1e6).toFixed(1)} MB in ${renderMs} ms; page loaded in ${loadMs} ms, its script took ${pageMs} ms`);
    assert.ok(renderMs < 3000, `rendering the HTML took ${renderMs} ms`);
    assert.ok(loadMs < 5000, `the page took ${loadMs} ms to load`);
    assert.ok(pageMs < 3000, `the page's script took ${pageMs} ms`);
    const linearized = result.parts[0]!.prefix!.length;
    assert.equal(await page.textContent("#status"), `the history: illegal, ${linearized} of 100000 operations linearized`);

    const atFailure = await canvasData(page);
    assert.ok(Number(atFailure.drawn) > 0 && Number(atFailure.drawn) < 500, `at the failure ${atFailure.drawn} bars are drawn`);
    assert.ok(await locate(page, 99_999), "the first to fail is in view");
    await page.screenshot({ path: join(dir, "big-failure.png"), fullPage: true });

    // The whole history, then zooming with the wheel and panning by dragging.
    await page.click("#whole");
    await page.evaluate(() => new Promise(requestAnimationFrame));
    const whole = await canvasData(page);
    assert.ok(Number(whole.drawMs) < 1000, `drawing the whole history took ${whole.drawMs} ms`);
    assert.ok(Number(whole.drawn) > 0 && Number(whole.drawn) < 100_000, `zoomed out, ${whole.drawn} bars are drawn (many share a pixel)`);
    await page.screenshot({ path: join(dir, "big-whole.png") });
    const box = (await page.locator("#canvas").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -400);
    await page.evaluate(() => new Promise(requestAnimationFrame));
    const zoomed = await canvasData(page);
    const span = (w: string | undefined) => w!.split(",").map(Number).reduce((a, b) => b - a);
    assert.ok(span(zoomed.window) < span(whole.window) / 10, `the wheel zoomed in from ${whole.window} to ${zoomed.window}`);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 200, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.evaluate(() => new Promise(requestAnimationFrame));
    const panned = await canvasData(page);
    assert.ok(Number(panned.window!.split(",")[0]) < Number(zoomed.window!.split(",")[0]), "dragging right moved the window left");

    assert.equal(await pageErrors(page), "");
    assert.deepEqual(errors, []);
  });
});
