#!/usr/bin/env node
// The agentpkg command. `npm run build` makes dist/bin.cjs, which runs the bundled CLI (dist/agentpkg.cjs).
require("../dist/bin.cjs");
