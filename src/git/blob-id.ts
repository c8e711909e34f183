// The id git gives a file's bytes as a blob: the hash of "blob <length>\0<bytes>", sha1 or sha256 as the
// repository's object format says (`git hash-object` without filters).
import { createHash } from "node:crypto";
import { git } from "./run.js";

export type ObjectFormat = "sha1" | "sha256";

export function gitBlobId(data: Buffer | string, format: ObjectFormat): string {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return createHash(format).update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** The repository's object format; a git too old to say (before 2.31) only has sha1 repositories. */
export async function objectFormat(dir: string, env: NodeJS.ProcessEnv): Promise<ObjectFormat> {
  const out = await git(["rev-parse", "--show-object-format"], { cwd: dir, env }).then((s) => s.trim(), () => "sha1");
  return out === "sha256" ? "sha256" : "sha1";
}
