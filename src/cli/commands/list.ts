import pc from "picocolors";
import { challenges } from "../../challenges/registry.js";

export default async function list(): Promise<void> {
  console.log("Available challenges:\n");
  for (const c of challenges) {
    const ready = c.stages.filter((s) => s.load).length;
    const stages = ready === c.stages.length ? `${c.stages.length} stages` : `${c.stages.length} stages, ${ready} available, more coming`;
    console.log(`  ${c.key.padEnd(20)} - ${c.name} (${stages})`);
  }
  console.log(`\nStart with: ${pc.yellow("clstr init <challenge> --language <lang>")}`);
}
