import fs from "node:fs/promises";
import path from "node:path";
import { sha256 } from "../util/hash.js";
import type { Scope } from "./scope.js";

export type FileState =
  | { kind: "missing" }
  | { kind: "present"; sha256: string; content: Buffer };

export async function readAgentFile(scope: Scope, rel: string): Promise<FileState> {
  try {
    const content = await fs.readFile(path.join(scope.root, rel));
    return { kind: "present", sha256: sha256(content), content };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    throw err;
  }
}

/**
 * Every file Claude Code would load from the agents folder: walked recursively, names ending in
 * `.md` (case-sensitive), dotfiles included. Returned relative to the scope root, sorted.
 */
export async function listAgentFiles(scope: Scope): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory() && depth < 8) await walk(abs, depth + 1);
      else if (e.name.endsWith(".md") && (e.isFile() || e.isSymbolicLink())) out.push(path.relative(scope.root, abs).split(path.sep).join("/"));
    }
  }
  await walk(scope.agentsDir, 0);
  return out.sort();
}
