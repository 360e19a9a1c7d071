// Makes `node_modules/.bin/clstr` run this checkout's build, as an installed
// package's bin would (npm does not link a package's own bin into itself).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "dist", "src", "cli", "main.js");
const link = join(root, "node_modules", ".bin", "clstr");
chmodSync(target, 0o755);
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(dirname(link), target), link);
