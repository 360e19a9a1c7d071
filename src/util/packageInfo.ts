import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./packageRoot.js";

/** What clstr's own package.json says about it: the name to install it by, and its version. */
export interface PackageInfo {
  name: string;
  version: string;
}

/** Reads clstr's package.json at run time, so the installed copy reports what was installed. */
export function packageInfo(): PackageInfo {
  const pkg: unknown = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8"));
  if (typeof pkg !== "object" || pkg === null) throw new Error(`clstr: ${packageRoot}/package.json is not an object`);
  const { name, version } = pkg as Record<string, unknown>;
  if (typeof name !== "string" || typeof version !== "string") {
    throw new Error(`clstr: ${packageRoot}/package.json has no name or version`);
  }
  return { name, version };
}
