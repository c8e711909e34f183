// `agentpkg new NAME`: scaffold an agent file from templates/agent.md that `validate --strict` accepts.
import fs from "node:fs/promises";
import path from "node:path";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { tryReadRegularFile } from "../util/safe-read.js";
import { MAX_AGENT_BYTES } from "../util/limits.js";
import { isValidAgentName } from "../util/names.js";
import { scopeFor } from "../project/scope.js";
import { packageRoot } from "../sources/bundled/builtin-source.js";
import { NAME_PATTERN, suggestName } from "../agent/fields.js";
import { parseAgent, type AgentProblem } from "../agent/parse.js";
import { splitToolString } from "../agent/tools.js";
import { validateAgentText } from "../agent/validate.js";
import { loadYaml, retryWouldQuote } from "../agent/yaml.js";
import { findAgentFiles } from "../project/agents-dir.js";

export const DEFAULT_TOOLS = "Read, Grep, Glob";
export const DEFAULT_MODEL = "inherit";

export interface NewOptions {
  name: string;
  description?: string;
  /** comma- or space-separated, e.g. "Read, Grep, Bash(git diff:*)"; "*" for every tool */
  tools?: string;
  model?: string;
  /** target folder; default: the scope's .claude/agents */
  dir?: string;
  force?: boolean;
  global?: boolean;
}

export interface NewResult {
  name: string;
  /** the written file, relative to cwd when inside it */
  file: string;
  overwritten: boolean;
  /** validator warnings for the generated file (none with the defaults) */
  warnings: AgentProblem[];
}

/** Fill `{{key}}` placeholders in one pass, so values containing `{{...}}` are never expanded again. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, key: string) => (Object.hasOwn(values, key) ? values[key]! : m));
}

/** The inside of a YAML double-quoted scalar (JSON escapes are valid YAML escapes). */
export function yamlDoubleQuotedBody(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/** A value for `key: value`: plain when YAML (and Claude Code's retry) reads it back unchanged, else quoted. */
export function yamlInline(value: string): string {
  const parsed = loadYaml(`k: ${value}`);
  const plain =
    value !== "" &&
    !retryWouldQuote(`k: ${value}`) &&
    parsed.ok &&
    typeof parsed.value === "object" &&
    parsed.value !== null &&
    (parsed.value as Record<string, unknown>).k === value;
  return plain ? value : JSON.stringify(value);
}

/** `Read, Grep` -> `[Read, Grep]`: a YAML list (a comma string is a style warning); `*` stays `"*"`. */
export function toolsYaml(tools: string): string {
  const items = splitToolString(tools);
  if (items.includes("*")) return '"*"';
  const item = (t: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? t : JSON.stringify(t));
  return `[${items.map(item).join(", ")}]`;
}

export function renderAgent(template: string, o: { name: string; description: string; tools: string; model: string }): string {
  return fillTemplate(template, {
    name: o.name,
    description: yamlDoubleQuotedBody(o.description),
    tools: toolsYaml(o.tools),
    model: yamlInline(o.model),
  });
}

async function description(o: NewOptions, deps: Deps): Promise<string> {
  const given = o.description?.trim();
  if (given) return given;
  if (deps.io.interactive && deps.ask) {
    return (await deps.ask(`Description of ${o.name} (when should Claude use it?):`)).trim();
  }
  throw new AgentpkgError("E_USAGE", "missing --description: say what the agent does and when Claude should use it", {
    hint: `agentpkg new ${o.name} --description "Reviews SQL migrations for locking and rollback problems"`,
  });
}

function checkName(name: string): void {
  if (!isValidAgentName(name) || !NAME_PATTERN.test(name)) {
    const suggestion = suggestName(name);
    throw new AgentpkgError("E_USAGE", `invalid agent name ${JSON.stringify(name)}: new agents use lowercase letters, digits and hyphens`, {
      hint: `agentpkg new ${suggestion}`,
    });
  }
}

/** Another file in the folder already declares this name: Claude Code would pick one at random. */
async function sameNameElsewhere(dir: string, target: string, name: string): Promise<string | undefined> {
  for (const f of await findAgentFiles(dir)) {
    const r = f.abs === target ? undefined : tryReadRegularFile(f.abs, { limit: MAX_AGENT_BYTES });
    if (!r?.ok) continue; // Claude Code skips what is over 1 MiB; a device or pipe is never read
    const parsed = parseAgent(r.data.toString("utf8"));
    if (parsed.name === name) return f.abs;
  }
  return undefined;
}

function shown(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : abs;
}

export async function runNew(o: NewOptions, deps: Deps, templatesDir = path.join(packageRoot(), "templates")): Promise<NewResult> {
  checkName(o.name);
  const dir = o.dir !== undefined ? path.resolve(deps.cwd, o.dir) : scopeFor(deps, o.global === true).agentsDir;
  const target = path.join(dir, `${o.name}.md`);
  const exists = await fs.lstat(target).then(() => true, () => false);
  if (exists && !o.force) {
    throw new AgentpkgError("E_EXISTS", `${shown(target, deps.cwd)} already exists; not overwriting it`, {
      hint: `agentpkg new ${o.name} --force (replaces the file), or pick another name`,
    });
  }
  const other = await sameNameElsewhere(dir, target, o.name);
  if (other) {
    throw new AgentpkgError("E_EXISTS", `${shown(other, deps.cwd)} already declares name ${o.name}; Claude Code would load only one of them`, {
      hint: "pick another name, or edit that file",
    });
  }
  const desc = await description(o, deps);
  if (!desc) throw new AgentpkgError("E_USAGE", "the description must not be empty");
  const template = await fs.readFile(path.join(templatesDir, "agent.md"), "utf8").catch((err: unknown) => {
    throw new AgentpkgError("E_IO", `the agent template is missing (${path.join(templatesDir, "agent.md")})`, { cause: err, hint: "reinstall agentpkg" });
  });
  const text = renderAgent(template, { name: o.name, description: desc, tools: o.tools ?? DEFAULT_TOOLS, model: o.model ?? DEFAULT_MODEL });
  const problems = validateAgentText(text, { file: target });
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length) {
    throw new AgentpkgError("E_AGENT_INVALID", `the generated agent would not load: ${errors[0]!.message}`, {
      hint: "check the --description, --tools and --model values",
    });
  }
  await writeFileAtomic(target, text);
  return { name: o.name, file: shown(target, deps.cwd), overwritten: exists, warnings: problems.filter((p) => p.severity === "warning") };
}
