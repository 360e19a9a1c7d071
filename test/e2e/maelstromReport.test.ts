import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { execa } from "execa";
import { chromium, type Page } from "playwright-core";
import { packageRoot } from "../../src/util/packageRoot.js";
import { CHROMIUM, chromiumMissing, pageProblems } from "../support/browser.js";

// The HTML report of a real Maelstrom run, opened in headless Chromium:
// it loads without errors, and its timeline, space-time diagram and plots draw.
const CLI = join(packageRoot, "dist", "src", "cli", "main.js");
const PY = join(packageRoot, "test", "fixtures", "maelstrom", "python");

async function maelstrom(...args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), "clstr-maelstrom-"));
  const r = await execa(process.execPath, [CLI, "maelstrom", "test", ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: 120_000 });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), cwd };
}

function arrowCounts(page: Page) {
  return page.evaluate(() => {
    const svg = document.getElementById("lamport")!;
    return { drawn: document.querySelectorAll("#lamport g.msg").length, said: Number(svg.getAttribute("data-arrows")), total: Number(svg.getAttribute("data-total")) };
  });
}

function setWindow(page: Page, start: number, end: number) {
  return page.evaluate(
    ([s, e]) => {
      const startInput = document.getElementById("window-start") as HTMLInputElement;
      const endInput = document.getElementById("window-end") as HTMLInputElement;
      startInput.value = String(s);
      endInput.value = String(e);
      endInput.dispatchEvent(new Event("change"));
    },
    [start, end] as const,
  );
}

/** The middle of a drawn arrow that the mouse would land on (not hidden by another). */
function arrowMidpoint(page: Page) {
  return page.evaluate(() => {
    const svg = document.getElementById("lamport")!;
    svg.scrollIntoView({ block: "center" });
    const box = svg.getBoundingClientRect();
    for (const g of document.querySelectorAll("#lamport g.msg")) {
      const line = g.querySelector("line.hit")!;
      const x = box.left + (Number(line.getAttribute("x1")) + Number(line.getAttribute("x2"))) / 2;
      const y = box.top + (Number(line.getAttribute("y1")) + Number(line.getAttribute("y2"))) / 2;
      if (document.elementFromPoint(x, y)?.closest("g.msg") === g) return { x, y };
    }
    return undefined;
  });
}


describe("clstr maelstrom test: the HTML report", () => {
  it("opens in a browser with no errors and draws the timeline, the messages and the plots", { skip: chromiumMissing }, async () => {
    const run = await maelstrom("-w", "broadcast", "--bin", join(PY, "broadcast.py"), "--node-count", "5", "--time-limit", "3", "--rate", "20", "--latency", "20", "--nemesis", "partition", "--nemesis-interval", "1", "--seed", "7");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const store = realpathSync(join(run.cwd, "store", "latest"));
    const reportPath = join(store, "report.html");
    assert.match(run.stdout, new RegExp(`Report: ${reportPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    const history = readFileSync(join(store, "history.jsonl"), "utf8").trim().split("\n");

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = pageProblems(page);
      await page.goto(pathToFileURL(reportPath).href);
      await page.waitForSelector("#lamport g.msg");

      // The timeline: one bar per operation of the history, main phase and final.
      const timeline = await page.evaluate(() => ({ bars: Number(document.getElementById("timeline")!.dataset.bars), text: document.getElementById("timeline-count")!.textContent! }));
      assert.equal(timeline.bars, history.length);
      assert.match(timeline.text, new RegExp(`^${history.length} operations from 5 clients`));
      assert.equal(await page.textContent("#verdict"), "VALID");

      // The space-time diagram: arrows in the default window; another window draws another number.
      const first = await arrowCounts(page);
      assert.ok(first.drawn > 0, "the diagram draws arrows");
      assert.equal(first.drawn, first.said);
      const endMs = await page.evaluate(() => (JSON.parse(document.getElementById("data")!.textContent!) as { endMs: number }).endMs);
      await setWindow(page, 0, Math.ceil(endMs));
      const whole = await arrowCounts(page);
      assert.ok(whole.drawn > first.drawn, `the whole run draws more arrows (${whole.drawn}) than the first slice (${first.drawn})`);
      assert.equal(await page.inputValue("#window-start"), "0");
      await page.check("#hide-clients");
      const withoutClients = await arrowCounts(page);
      assert.ok(withoutClients.drawn > 0 && withoutClients.drawn < whole.drawn, "hiding client messages hides some arrows");
      await page.uncheck("#hide-clients");

      // Hovering an arrow explains the message.
      const point = await arrowMidpoint(page);
      assert.ok(point, "an arrow can be hovered");
      await page.mouse.move(point.x, point.y);
      assert.match((await page.textContent("#tooltip")) ?? "", / from \S+ to \S+msg_id: /);

      // Dragging across the timeline chooses the diagram's window.
      await page.locator("#timeline").scrollIntoViewIfNeeded();
      const box = (await page.locator("#timeline").boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
      await page.mouse.up();
      const start = Number(await page.inputValue("#window-start"));
      const end = Number(await page.inputValue("#window-end"));
      assert.ok(start > 0 && end > start && end - start < endMs / 5, `the drag chose ${start}..${end} ms`);

      // Both uPlot charts drew.
      for (const id of ["latency-chart", "rate-chart"]) {
        const size = await page.evaluate((sel) => {
          const c = document.querySelector(`#${sel} canvas`) as HTMLCanvasElement | null;
          return c ? { w: c.width, h: c.height } : undefined;
        }, id);
        assert.ok(size && size.w > 0 && size.h > 0, `${id} has a canvas`);
      }

      assert.deepEqual(errors, []);
      const shot = join(store, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 0);
    } finally {
      await browser.close();
    }
  });
});
