import pc from "picocolors";
import { challenges } from "../../challenges/registry.js";
import { isAvailable } from "../../challenges/types.js";

export default async function list(): Promise<void> {
  console.log("Available challenges:\n");
  for (const c of challenges) {
    const available = c.stages.filter(isAvailable).length;
    console.log(`  ${c.key.padEnd(20)} - ${c.name} (${c.stages.length} stages, ${available} available)`);
  }
  console.log(`\nStart with: ${pc.yellow("clstr init <challenge> --language <lang>")}`);
}
