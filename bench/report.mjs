// Rendering of benchmark results: the main table, the growth table, and the JSON document.
import os from "node:os";

const fmtMs = (x) => (x === null || x === undefined ? "n/a" : `${x.toFixed(0)} ms`);
const fmtMB = (x) => (x === null || x === undefined ? "n/a" : `${x.toFixed(0)} MB`);

export const MEMORY_LIMIT_MB = 100;

/** "ok" / "MISS" against the ratio target and the memory limit; "" when the row has no target. */
export function verdict(row) {
  if (row.missing) return "";
  const ratioOk = row.target === null || row.ratio <= row.target;
  const memOk = row.peakRssMB === null || row.peakRssMB < MEMORY_LIMIT_MB;
  return ratioOk && memOk ? "ok" : "MISS";
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function mainTable(rows) {
  return table(
    ["row", "median", "baseline", "ratio", "target", "peak RSS", "runs", ""],
    rows.map((r) =>
      r.missing
        ? [r.name, r.reason ? `skipped: ${r.reason}` : "n/a (command missing)", "", "", r.target ? `≤${r.target}x` : "", "", "", ""]
        : [r.name, fmtMs(r.ms), `${fmtMs(r.baselineMs)} (${r.baselineName})`, `${r.ratio.toFixed(2)}x`, r.target ? `≤${r.target}x` : "-", fmtMB(r.peakRssMB), r.runs, verdict(r)],
    ),
  );
}

/** Growth: one line per measure, one column per size, and the cost ratio largest/smallest. */
export function growthTable(growth, sizes) {
  return table(
    ["growth (median)", ...sizes.map((n) => `${n} agents`), `${sizes.at(-1)}/${sizes[0]}`, "peak RSS"],
    growth.map((g) => {
      if (g.missing) return [g.name, ...sizes.map(() => "n/a"), "n/a (command missing)", ""];
      const first = g.points[0].ms;
      const last = g.points.at(-1).ms;
      const rss = Math.max(...g.points.map((p) => p.peakRssMB ?? 0));
      return [g.name, ...g.points.map((p) => fmtMs(p.ms)), `${(last / first).toFixed(2)}x`, fmtMB(rss || null)];
    }),
  );
}

export function jsonDocument({ rows, growth, sizes, memoryMethod, runs, totalSeconds }) {
  const cpus = os.cpus();
  return {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? "unknown", memoryGB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}`, node: process.version },
    memoryMethod,
    runs,
    targets: { memoryMB: MEMORY_LIMIT_MB },
    rows: rows.map((r) => ({ ...r, verdict: verdict(r) || null })),
    growth: { sizes, measures: growth },
    totalSeconds,
  };
}
