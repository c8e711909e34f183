// Preloaded (NODE_OPTIONS=--require) into node children when GNU time is absent: reports peak RSS in KiB.
"use strict";
const file = process.env.AGENTPKG_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    try {
      require("node:fs").appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // measuring must never change the outcome of the measured command
    }
  });
}
