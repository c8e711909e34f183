// Preloaded (NODE_OPTIONS=--require) by bench/compare.mjs: reports the process's CPU time (user + system,
// all its threads, in microseconds) at exit.
"use strict";
const file = process.env.AGENTPKG_BENCH_CPU_FILE;
if (file) {
  process.on("exit", () => {
    try {
      const { user, system } = process.cpuUsage();
      require("node:fs").writeFileSync(file, `${user + system}\n`);
    } catch {
      // measuring must never change the outcome of the measured command
    }
  });
}
