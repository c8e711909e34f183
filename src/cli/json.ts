// The --json document of every command that is not a change (see render-change.ts for those): one mapper
// per result, field by field, so an operation's internal fields never leak into the public schema.
// Every document carries schemaVersion 1; a field is only ever added, never renamed or removed.
import type { AgentProblem } from "../agent/problem.js";
import type { AuditSeverity } from "../audit/rules.js";
import type { AuditResult } from "../operations/audit.js";
import type { DiffResult } from "../operations/inspect/diff.js";
import type { DoctorResult } from "../operations/doctor.js";
import type { InfoResult } from "../operations/inspect/info.js";
import type { InitResult } from "../operations/init.js";
import type { ListedAgent, ListedPlugin, ListResult } from "../operations/inspect/list.js";
import type { TargetState } from "../project/plugin-state.js";
import type { OutdatedResult } from "../operations/inspect/outdated.js";
import type { PackResult } from "../operations/pack.js";
import type { RegistryInfo } from "../operations/registry.js";
import type { SearchResult } from "../operations/inspect/search.js";
import type { StatusResult } from "../operations/inspect/status.js";
import type { VerifyResult } from "../operations/verify.js";
import type { NewResult } from "../authoring/new.js";
import type { PublishResult, RegistryEditResult } from "../authoring/publish.js";
import type { RegistryInitResult } from "../authoring/registry-init.js";
import type { RegistryPackResult } from "../authoring/registry-pack.js";
import type { RegistryIndexResult } from "../authoring/registry-index.js";
import type { ValidateResult } from "../authoring/validate.js";

const SCHEMA = { schemaVersion: 1 } as const;

const problemJson = (p: AgentProblem) => ({ severity: p.severity, code: p.code, message: p.message, ...(p.line !== undefined ? { line: p.line } : {}), ...(p.field !== undefined ? { field: p.field } : {}) });
const agentJson = (a: ListedAgent) => ({ name: a.name, version: a.version, range: a.range, registry: a.registry, file: a.file, state: a.state });

const targetJson = (t: TargetState) => ({ file: t.file, kind: t.kind, part: t.part, state: t.state });
const pluginJson = (p: ListedPlugin) => ({
  name: p.name,
  version: p.version,
  range: p.range,
  registry: p.registry,
  selected: p.selected,
  parts: p.parts,
  state: p.state,
  files: p.files.map(targetJson),
  untracked: p.untracked,
});

export const listJson = (r: ListResult) => ({
  ...SCHEMA,
  agents: r.agents.map((a) => ({ ...agentJson(a), contextTokens: a.contextTokens })),
  untracked: r.untracked,
  notInstalled: r.notInstalled,
  plugins: r.plugins.map((p) => ({ ...pluginJson(p), contextTokens: p.contextTokens })),
  pluginsNotInstalled: r.pluginsNotInstalled,
  warnings: r.warnings,
  contextTokens: r.contextTokens,
  untrackedContextTokens: r.untrackedTokens,
  shadowed: r.shadowed.map((s) => ({ name: s.name, file: s.file, level: s.level, hidden: s.hidden, hiddenLevel: s.hiddenLevel })),
});

const editsJson = (e: { added: number; removed: number } | null) => e && { added: e.added, removed: e.removed };

export const statusJson = (r: StatusResult) => ({
  ...SCHEMA,
  agents: r.agents.map((a) => ({ ...agentJson(a), edits: editsJson(a.edits), upgrade: a.upgrade })),
  untracked: r.untracked,
  notInstalled: r.notInstalled,
  plugins: r.plugins.map((p) => ({ ...pluginJson(p), files: p.files.map((f) => ({ ...targetJson(f), edits: editsJson(f.edits) })), edits: editsJson(p.edits), upgrade: p.upgrade })),
  pluginsNotInstalled: r.pluginsNotInstalled,
  problems: r.problems,
});

export const diffJson = (r: DiffResult) => ({
  ...SCHEMA,
  upstream: r.upstream,
  diffs: r.diffs.map((d) => ({ name: d.name, type: d.type, kind: d.kind, part: d.part, file: d.file, version: d.version, installed: d.installed, missing: d.missing, diff: d.diff })),
  unchanged: r.unchanged.map((u) => ({ name: u.name, installed: u.installed, version: u.version })),
});

export const outdatedJson = (r: OutdatedResult) => ({
  ...SCHEMA,
  checked: r.checked,
  checkedPlugins: r.checkedPlugins,
  outdated: r.outdated.map((o) => ({ name: o.name, type: o.type, current: o.current, wanted: o.wanted, latest: o.latest, range: o.range, registry: o.registry, ...(o.deprecated ? { deprecated: o.deprecated } : {}) })),
  warnings: r.warnings,
});

export const verifyJson = (r: VerifyResult) => ({
  ...SCHEMA,
  ok: r.ok,
  checked: r.checked,
  problems: r.problems.map((p) => ({ kind: p.kind, name: p.name, type: p.type, ...(p.file !== undefined ? { file: p.file } : {}), message: p.message, fix: p.fix })),
  untracked: r.untracked,
  checkedPlugins: r.checkedPlugins,
  ...(r.checkedSignatures !== undefined ? { checkedSignatures: r.checkedSignatures } : {}),
  warnings: r.warnings,
});

export const auditJson = (r: AuditResult, level: AuditSeverity, failed: boolean) => ({
  ...SCHEMA,
  ok: !failed,
  level,
  audited: r.audited,
  entries: r.entries,
  packages: r.packages,
  counts: { high: r.findings.filter((f) => f.severity === "high").length, medium: r.findings.filter((f) => f.severity === "medium").length, low: r.findings.filter((f) => f.severity === "low").length },
  findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity, file: f.file, line: f.line, message: f.message, ...(f.entry !== undefined ? { entry: f.entry } : {}), ...(f.package !== undefined ? { package: f.package } : {}) })),
  skipped: r.skipped.map((s) => ({ file: s.file, reason: s.reason })),
});

export const infoJson = (r: InfoResult) => ({
  ...SCHEMA,
  type: r.type,
  name: r.name,
  registry: r.registry,
  url: r.url,
  description: r.description,
  deprecated: r.deprecated,
  latest: r.latest,
  tags: r.tags,
  versions: r.versions.map((v) => ({ version: v.version, yanked: v.yanked, changelog: v.changelog, tags: v.tags })),
  shown: r.shown,
  tools: r.tools,
  model: r.model,
  warnings: r.warnings,
  plugin: r.plugin,
  alsoPlugin: r.alsoPlugin,
  parts: r.parts,
  notes: r.notes,
  contextTokens: r.contextTokens,
});

export const searchJson = (r: SearchResult) => ({
  ...SCHEMA,
  query: r.query,
  registries: r.registries,
  results: r.results.map((h) => ({ name: h.name, type: h.type, plugin: h.plugin, registry: h.registry, version: h.version, description: h.description, deprecated: h.deprecated, match: h.match })),
  warnings: r.warnings,
});

export const doctorJson = (r: DoctorResult) => ({
  ...SCHEMA,
  fixed: r.fixed,
  findings: r.findings.map((f) => ({ kind: f.kind, severity: f.severity, message: f.message, ...(f.file !== undefined ? { file: f.file } : {}), ...(f.hint !== undefined ? { hint: f.hint } : {}) })),
  healthy: r.healthy,
});

export const packJson = (r: PackResult) => ({
  ...SCHEMA,
  file: r.file,
  bytes: r.bytes,
  sha256: r.sha256,
  agents: r.agents.map((a) => ({ name: a.name, version: a.version, sha256: a.sha256 })),
  plugins: r.plugins.map((p) => ({ name: p.name, version: p.version, files: p.files })),
  fetched: r.fetched,
});

export const initJson = (r: InitResult) => ({ ...SCHEMA, file: r.file, created: r.created, dryRun: r.dryRun, registries: r.registries, notes: r.notes });

export const newJson = (r: NewResult) => ({ ...SCHEMA, name: r.name, file: r.file, overwritten: r.overwritten, warnings: r.warnings.map(problemJson) });

export const publishJson = (r: PublishResult) => ({
  ...SCHEMA,
  name: r.name,
  version: r.version,
  registry: r.registry,
  path: r.path,
  sha256: r.sha256,
  tags: r.tags,
  index: r.index,
  commit: r.commit,
  gitTag: r.gitTag,
  pushed: r.pushed,
  signed: r.signed === true,
  dryRun: r.dryRun,
  warnings: r.warnings.map(problemJson),
});

/** yank and deprecate */
export const registryEditJson = (r: RegistryEditResult) => ({
  ...SCHEMA,
  name: r.name,
  ...(r.version !== undefined ? { version: r.version } : {}),
  registry: r.registry,
  changed: r.changed,
  tags: r.tags,
  commit: r.commit,
  pushed: r.pushed,
  dryRun: r.dryRun,
});

export const validateJson = (r: ValidateResult, ok: boolean) => ({
  ...SCHEMA,
  ok,
  files: r.files.map((f) => ({ path: f.path, problems: f.problems.map(problemJson), ...(f.fixes ? { fixes: f.fixes } : {}), ...(f.diff !== undefined ? { diff: f.diff } : {}), ...(f.notFixed ? { notFixed: f.notFixed } : {}) })),
  errors: r.errors,
  warnings: r.warnings,
  fixed: r.fixed,
  fixable: r.fixable,
  dryRun: r.dryRun,
  searched: r.searched,
  indexes: r.indexes,
});

const registryJson = (r: RegistryInfo) => ({
  name: r.name,
  url: r.url,
  ...(r.type !== undefined ? { type: r.type } : {}),
  ...(r.agents !== undefined ? { agents: r.agents } : {}),
  ...(r.commit !== undefined ? { commit: r.commit } : {}),
  ...(r.plugins !== undefined ? { plugins: r.plugins, parts: r.parts ?? {} } : {}),
  ...(r.externalPlugins !== undefined ? { externalPlugins: r.externalPlugins } : {}),
  ...(r.allowedSigners !== undefined ? { allowedSigners: r.allowedSigners } : {}),
  ...(r.signer !== undefined ? { signer: r.signer } : {}),
});

export const registryAddJson = (r: RegistryInfo, dryRun: boolean) => ({ ...SCHEMA, ...registryJson(r), dryRun, warnings: r.warnings ?? [] });
export const registryListJson = (r: RegistryInfo[]) => ({ ...SCHEMA, registries: r.map(registryJson) });
export const registryRemoveJson = (r: RegistryInfo, dryRun: boolean) => ({ ...SCHEMA, name: r.name, url: r.url, dryRun });
export const registryUpdateJson = (r: RegistryInfo[]) => ({ ...SCHEMA, registries: r.map(registryJson) });

export const registryInitJson = (r: RegistryInitResult) => ({ ...SCHEMA, dir: r.dir, name: r.name, files: r.files, skipped: r.skipped, initialized: r.initialized, commit: r.commit });

export const registryIndexJson = (r: RegistryIndexResult) => ({ ...SCHEMA, registry: r.registry, agents: r.agents, written: r.written, removed: r.removed, unchanged: r.unchanged, commit: r.commit, pushed: r.pushed, dryRun: r.dryRun });
export const registryPackJson = (r: RegistryPackResult) => ({ ...SCHEMA, file: r.file, bytes: r.bytes, sha256: r.sha256, agents: r.agents, versions: r.versions });
