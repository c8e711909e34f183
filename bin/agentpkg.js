#!/usr/bin/env node
// The agentpkg command, and the package's bin for good (an npx cache links to this path). CommonJS (see
// bin/package.json). `npm run build` makes dist/code-cache-launcher.cjs, which runs the bundled CLI
// (dist/agentpkg.cjs) through a V8 code cache: docs/architecture.md, "Start-up".
require("../dist/code-cache-launcher.cjs");
