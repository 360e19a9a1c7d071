// Installing tools with this machine's package manager: apt-get, dnf or apk.

import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Tool } from "./requirements.js";

export interface PackageManager {
  name: "apt-get" | "dnf" | "apk";
  /** The packages that give each tool. */
  packages(tool: Tool): string[];
  /** The commands that install these packages, non-interactively. */
  installCommands(packages: readonly string[]): string[][];
}

const managers: PackageManager[] = [
  {
    name: "apt-get",
    packages: (tool) => [tool],
    installCommands: (pkgs) => [
      ["apt-get", "update", "-qq"],
      ["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...pkgs],
    ],
  },
  {
    name: "dnf",
    packages: (tool) => ({ "util-linux": ["util-linux"], iproute2: ["iproute", "iproute-tc"], iptables: ["iptables-nft"], python3: ["python3"] })[tool],
    installCommands: (pkgs) => [["dnf", "install", "-y", "-q", ...pkgs]],
  },
  {
    name: "apk",
    packages: (tool) => ({ "util-linux": ["util-linux"], iproute2: ["iproute2"], iptables: ["iptables"], python3: ["python3"] })[tool],
    installCommands: (pkgs) => [["apk", "add", "--no-cache", "-q", ...pkgs]],
  },
];

/** Whether `command` is an executable on PATH (or in the sbin folders root uses). */
export function hasCommand(command: string): boolean {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/local/sbin"];
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function findPackageManager(): PackageManager | undefined {
  return managers.find((m) => hasCommand(m.name));
}

/** Runs the install, its output shown as it comes; throws with the command that failed. */
export function install(manager: PackageManager, packages: readonly string[]): void {
  for (const argv of manager.installCommands(packages)) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "inherit", "inherit"], env });
    if (r.status !== 0) throw new Error(`\`${argv.join(" ")}\` failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})`);
  }
}

/** True when this process runs as root (and may install packages). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
