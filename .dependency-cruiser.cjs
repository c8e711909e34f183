// `npm run lint` (part of `npm test`): the layers of docs/architecture.md, enforced.
// A module may import its own folder and the layers below it, never one above; no cycles anywhere.
const LAYERS = [
  ["cli", "src/(bin|version|code-cache-launcher)\\.ts$|src/cli/"],
  ["operations", "src/(operations|authoring)/"],
  ["change", "src/change/"],
  ["apply", "src/apply/"],
  ["plan", "src/plan/"],
  ["bundle", "src/bundle/"],
  ["sources", "src/sources/"],
  ["plugin", "src/plugin/"],
  ["project", "src/project/"],
  ["store", "src/store/"],
  ["audit", "src/audit/"],
  ["agent", "src/agent/"],
  ["git", "src/git/"],
  ["archive", "src/archive/"],
  ["util", "src/util/"],
];

const upward = LAYERS.slice(1).map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} sits below ${LAYERS.slice(0, i + 1).map(([n]) => n).join(", ")}: it must not import them`,
  severity: "error",
  from: { path },
  to: { path: LAYERS.slice(0, i + 1).map(([, p]) => `(${p})`).join("|") },
}));

module.exports = {
  forbidden: [
    ...upward,
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    {
      name: "every-module-in-a-layer",
      comment: "a new folder under src/ must be placed in LAYERS above",
      severity: "error",
      from: { path: "^src/", pathNot: LAYERS.map(([, p]) => `(${p})`).join("|") },
      to: {},
    },
    {
      name: "no-test-code-in-src",
      severity: "error",
      from: { path: "^src/", pathNot: "\\.test\\.ts$" },
      to: { path: "(^test/|\\.test\\.ts$|node_modules/(vitest|execa|fs-extra)/)" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6", "cjs"],
  },
};
