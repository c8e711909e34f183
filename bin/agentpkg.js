#!/usr/bin/env node
// The agentpkg command (CommonJS: see bin/package.json). `npm run build` makes dist/bin.cjs, which runs the
// bundled CLI (dist/agentpkg.cjs) through a V8 code cache.
require("../dist/bin.cjs");
