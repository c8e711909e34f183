import path from "node:path";
import { sha256 } from "../../util/hash.js";
import type { Mirror } from "../../store/git-mirrors.js";
import { firstParentLog, isRegularFile, listTags, listTree, type GitTag } from "../../git/history.js";
import { objectsAt, readBlobs } from "../../git/objects.js";
import { commitVersions, parseVersionTag } from "../history/git-versions.js";
import { HistorySource, type HistorySourceOptions } from "../history/history-source.js";
import { MAX_AGENT_BYTES } from "../read-checks.js";
import { agentIdentity, exposeAgents, INDEX_FORMAT, type AgentIdentity, type FoundAgent, type SourceIndex } from "../index/source-index.js";
import type { VersionInfo } from "../source.js";

/**
 * A plain git repository of agent files: every `*.md` with agent frontmatter anywhere in it. Versions
 * come from tags (`v1.2.3` / `1.2.3` for every agent, `<name>@1.2.3` / `<name>-v1.2.3` / `<name>/v1.2.3`
 * for one); an agent no tag versions gets one `0.0.0-<yyyymmddhhmmss>.<sha7>` prerelease per commit that
 * changed its file.
 */
export class PlainRepoSource extends HistorySource {
  static async open(name: string, url: string, o: HistorySourceOptions, mirror?: Mirror): Promise<PlainRepoSource> {
    let tags: GitTag[] = [];
    const headFiles = new Map<string, Buffer>();
    const loaded = await HistorySource.load("plain", url, o, {
      key: async (m) => {
        tags = await listTags(m.dir, o.env);
        return `${m.commit}-${sha256(JSON.stringify(tags)).slice(0, 12)}`;
      },
      build: (m, key) => buildPlainIndex(m, key, tags, o.env, headFiles),
    }, mirror);
    const source = new PlainRepoSource("plain", name, url, loaded.mirror, loaded.index, o.env, o.policy === "never");
    source.headFiles = headFiles;
    return source;
  }
}

/** Folders whose Markdown is never an agent: skills, slash commands, hooks, vendored code. */
const NOT_AGENT_DIRS = new Set(["node_modules", ".git", ".github", "skills", "commands", "hooks", "output-styles"]);

export function mayBeAgentFile(p: string): boolean {
  if (!p.endsWith(".md") || path.posix.basename(p).toUpperCase() === "SKILL.MD") return false;
  return !p.split("/").slice(0, -1).some((seg) => NOT_AGENT_DIRS.has(seg));
}

interface HeadAgent {
  path: string;
  id: AgentIdentity;
}

interface TaggedVersion {
  tag: string;
  version: string;
  commit: string;
}

/** `headFiles`, when given, receives the bytes of the head's candidate agent files (read anyway). */
export async function buildPlainIndex(mirror: Mirror, key: string, tags: readonly GitTag[], env: NodeJS.ProcessEnv, headFiles?: Map<string, Buffer>): Promise<SourceIndex> {
  const { dir, commit: head } = mirror;
  const warnings: string[] = [];
  const tree = await listTree(dir, head, env);
  const files = [...tree].filter(([p, f]) => mayBeAgentFile(p) && isRegularFile(f.mode) && f.size <= MAX_AGENT_BYTES);
  const blobs = await readBlobs(dir, files.map(([, f]) => f.oid), env);
  const heads: HeadAgent[] = [];
  const headOid = new Map(files.map(([p, f]) => [p, f.oid]));
  for (const [p, f] of files) {
    const blob = blobs.get(f.oid);
    if (blob) headFiles?.set(p, blob);
    const id = agentIdentity(blob?.toString("utf8") ?? "", p, "", warnings, false);
    if (id) heads.push({ path: p, id });
  }

  // a version whose file is the head's gets its sha256 now (its bytes were just read): installing it then
  // needs no git when the content store has them
  const withHeadSha = (p: string, oid: string): { sha256?: string } => {
    const blob = oid === headOid.get(p) ? blobs.get(oid) : undefined;
    return blob ? { sha256: sha256(blob) } : {};
  };

  // versions from tags
  const repoWide: TaggedVersion[] = [];
  const perAgent = new Map<string, TaggedVersion[]>();
  for (const t of tags) {
    const parsed = parseVersionTag(t.name);
    if (!parsed) continue;
    const v = { tag: t.name, version: parsed.version, commit: t.commit };
    if (parsed.agent === undefined) repoWide.push(v);
    else perAgent.set(parsed.agent, [...(perAgent.get(parsed.agent) ?? []), v]);
  }
  const tagsFor = (h: HeadAgent) => perAgent.get(h.id.name) ?? repoWide;
  const present = await objectsAt(dir, heads.flatMap((h) => tagsFor(h).map((t) => `${t.commit}:${h.path}`)), env);
  const versions = new Map<string, Record<string, VersionInfo>>();
  for (const h of heads) {
    const own: Record<string, VersionInfo> = {};
    for (const t of tagsFor(h)) {
      const oid = present.get(`${t.commit}:${h.path}`);
      if (oid) own[t.version] = { version: t.version, path: h.path, commit: t.commit, ...withHeadSha(h.path, oid) };
      else if (perAgent.has(h.id.name)) warnings.push(`tag ${t.tag} has no ${h.path}; that version is skipped`);
    }
    versions.set(h.path, own);
  }

  // agents no tag versions: one prerelease per commit that changed the file
  const untagged = heads.filter((h) => Object.keys(versions.get(h.path)!).length === 0).map((h) => h.path);
  if (untagged.length) {
    const watch = new Set(untagged);
    // top folders (and root files), not one pathspec per file: git matches a few pathspecs much faster
    const pathspecs = [...new Set(untagged.map((p) => `:(literal)${p.split("/")[0]!}`))];
    const changes = new Map<string, { commit: string; time: number; oid: string }[]>();
    for (const c of await firstParentLog(dir, head, pathspecs, env)) {
      for (const ch of c.changes) {
        if (!ch.oid || !watch.has(ch.path) || !isRegularFile(ch.mode)) continue;
        const list = changes.get(ch.path) ?? [];
        list.push({ commit: c.commit, time: c.time, oid: ch.oid });
        changes.set(ch.path, list);
      }
    }
    for (const p of untagged) {
      const list = changes.get(p) ?? [];
      const own = commitVersions(list, p);
      const newest = Object.values(own).find((v) => v.commit === list[list.length - 1]?.commit);
      if (newest) Object.assign(newest, withHeadSha(p, list[list.length - 1]!.oid));
      versions.set(p, own);
    }
  }

  const found: FoundAgent[] = heads.map((h) => {
    const parent = path.posix.basename(path.posix.dirname(h.path));
    return { name: h.id.name, qualifier: parent === "." ? undefined : parent, path: h.path, description: h.id.description, versions: versions.get(h.path)! };
  });
  const exposed = exposeAgents(found, "folder", warnings);
  return { formatVersion: INDEX_FORMAT, kind: "plain", key, ...exposed, unsupported: {}, warnings };
}
