// `clstr list` must count what runs: every stage, and the stages clstr can
// run today (an HTTP suite or a Maelstrom test), as the registry holds them.
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { challenges } from "../../src/challenges/registry.js";
import list from "../../src/cli/commands/list.js";

/** What `clstr list` prints, without colours. */
async function listOutput(): Promise<string[]> {
  const log = mock.method(console, "log", () => {});
  try {
    await list();
    return log.mock.calls.map((call) => String(call.arguments[0] ?? "").replace(/\x1b\[[0-9;]*m/g, ""));
  } finally {
    log.mock.restore();
  }
}

/** challenge key → the counts its line prints. */
function printedCounts(lines: string[]): Map<string, { total: number; available: number }> {
  const counts = new Map<string, { total: number; available: number }>();
  for (const line of lines) {
    const m = /^ {2}(\S+) +- .+ \((\d+) stages, (\d+) available\)$/.exec(line);
    if (m) counts.set(m[1]!, { total: Number(m[2]), available: Number(m[3]) });
  }
  return counts;
}

describe("clstr list", () => {
  it("prints, for every challenge, its number of stages and of stages that run, as the registry holds them", async () => {
    const printed = printedCounts(await listOutput());
    const expected = new Map(
      challenges.map((c) => [c.key, { total: c.stages.length, available: c.stages.filter((s) => s.kind !== "planned").length }]),
    );
    assert.deepEqual(printed, expected);
  });

  it("counts Maelstrom stages as available (gossip-glomers has some and all of them run)", async () => {
    const printed = printedCounts(await listOutput()).get("gossip-glomers");
    const gossip = challenges.find((c) => c.key === "gossip-glomers")!;
    const maelstromStages = gossip.stages.filter((s) => s.kind === "maelstrom").length;
    assert.ok(maelstromStages > 0);
    assert.equal(printed?.available, maelstromStages);
  });
});
