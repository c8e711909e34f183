// Validation entry points: errors = Claude Code would not load the agent; warnings = loads, but
// something is ignored, dropped or unportable.
import semver from "semver";
import { parseAgent } from "./parse.js";
import type { AgentProblem, ParsedAgent } from "./parse.js";

export interface ValidateOptions {
  /** Path of the file, used for file-level checks (extension, file name vs `name`). */
  file?: string;
  /** a file of a registry checkout: `<name>/<version>.md` is a version of agent `name`, not a misnamed file */
  registry?: boolean;
}

export interface FileProblems {
  path: string;
  problems: AgentProblem[];
}

function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] ?? file;
}

/** A registry's version file, `<name>/<version>.md` (DESIGN.md §3): installed as `<name>.md`. */
function isRegistryVersionFile(file: string, stem: string, name: string): boolean {
  const parts = file.split(/[\\/]/);
  return parts.length >= 2 && parts[parts.length - 2] === name && semver.valid(stem) !== null;
}

function byLine(a: AgentProblem, b: AgentProblem): number {
  return (a.line ?? 0) - (b.line ?? 0);
}

function fileProblems(parsed: ParsedAgent, text: string, file: string | undefined, registry: boolean): AgentProblem[] {
  if (file === undefined) return [];
  const out: AgentProblem[] = [];
  const base = baseName(file);
  if (!base.endsWith(".md")) {
    out.push({
      severity: "error",
      code: "file-extension",
      message: `\`${base}\` is not a .md file; Claude Code only loads agents from .md files`,
    });
    return out;
  }
  const stem = base.slice(0, -3);
  if (parsed.name !== undefined && stem !== parsed.name && !(registry && isRegistryVersionFile(file, stem, parsed.name))) {
    const line = findNameLine(text);
    out.push({
      severity: "warning",
      code: "name-file-mismatch",
      message: `file name \`${base}\` differs from name \`${parsed.name}\`; Claude Code identifies the agent by \`name\``,
      field: "name",
      ...(line === undefined ? {} : { line }),
    });
  }
  return out;
}

function validateParsed(text: string, opts?: ValidateOptions): { parsed: ParsedAgent; problems: AgentProblem[] } {
  const parsed = parseAgent(text);
  const problems = [...parsed.problems, ...fileProblems(parsed, text, opts?.file, opts?.registry === true)].sort(byLine);
  return { parsed, problems };
}

export function validateAgentText(text: string, opts?: ValidateOptions): AgentProblem[] {
  return validateParsed(text, opts).problems;
}

/** Line (1-based) of the top-level `name:` key, for duplicate-name reports. */
function findNameLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^---[ \t]*$/.test(line)) return undefined;
    if (/^name[ \t]*:/.test(line)) return i + 1;
  }
  return undefined;
}

/** One file's problems, with what the duplicate-`name` check needs of it (not its text). */
export interface CheckedAgentFile extends FileProblems {
  /** the name Claude Code would load it by; undefined when it would not load */
  name?: string;
  nameLine?: number;
  /** a registry's version file: its other versions share its name, and only one is ever installed */
  version?: boolean;
}

export function checkAgentFile(path: string, text: string, o: { registry?: boolean } = {}): CheckedAgentFile {
  const v = validateParsed(text, { file: path, registry: o.registry });
  const loads = !v.problems.some((p) => p.severity === "error");
  const name = loads ? v.parsed.name : undefined;
  if (name === undefined) return { path, problems: v.problems };
  const version = o.registry === true && isRegistryVersionFile(path, baseName(path).replace(/\.md$/, ""), name);
  return { path, problems: v.problems, name, nameLine: findNameLine(text), ...(version ? { version } : {}) };
}

/** Adds the duplicate-`name` error to files that share one scope (one agents directory), in place. */
export function addDuplicateNames(files: readonly CheckedAgentFile[]): void {
  const byName = new Map<string, string[]>();
  for (const r of files) {
    if (r.name === undefined || r.version) continue;
    const paths = byName.get(r.name);
    if (paths) paths.push(r.path);
    else byName.set(r.name, [r.path]);
  }
  for (const r of files) {
    const paths = r.name === undefined ? undefined : byName.get(r.name);
    if (!paths || paths.length < 2 || !paths.includes(r.path)) continue;
    const others = paths.filter((p) => p !== r.path);
    r.problems.push({
      severity: "error",
      code: "duplicate-name",
      message: `name \`${r.name}\` is also used by ${others.join(", ")}; Claude Code loads only one of them, unpredictably`,
      field: "name",
      ...(r.nameLine === undefined ? {} : { line: r.nameLine }),
    });
    r.problems.sort(byLine);
  }
}

/** Validate files that share one scope (one agents directory): adds the duplicate-`name` error. */
export function validateAgentFiles(files: { path: string; text: string }[]): FileProblems[] {
  const checked = files.map((f) => checkAgentFile(f.path, f.text));
  addDuplicateNames(checked);
  return checked.map(({ path, problems }) => ({ path, problems }));
}
