import type { Deps } from "../util/deps.js";
import type { ChangePrompts } from "../change/prompts.js";
import { permissionLines } from "../plan/review.js";

/**
 * The questions of a change, asked on the terminal (stderr, one line read from stdin per answer); undefined
 * when not interactive (piped, CI=true, --json), so nothing is ever asked there.
 */
export function changePrompts(deps: Deps): ChangePrompts | undefined {
  const prompt = deps.prompt;
  if (!prompt || !deps.io.interactive) return undefined;
  const io = deps.io;
  return {
    async localEdit(q) {
      for (;;) {
        const deleting = q.step.op === "remove";
        const answer = await prompt(`${q.summary}: what now?`, [
          { key: "k", label: deleting ? "keep mine (left in place, untracked)" : "keep mine" },
          { key: "o", label: deleting ? "delete it (save mine as .orig)" : "take theirs (save mine as .orig)" },
          ...(q.canMerge ? [{ key: "m", label: "merge" }] : []),
          { key: "d", label: "show diff" },
        ]);
        if (answer === "k") return "keep";
        if (answer === "o") return "overwrite";
        if (answer === "m" && q.canMerge) return "merge";
        const diff = await q.diff();
        const { colorizeDiff } = await import("../util/text-diff.js"); // the diff library loads only here
        io.err(diff ? (io.color ? colorizeDiff(diff) : diff) : "(no textual difference)");
      }
    },
    async permissions(review) {
      io.err(["This change starts programs, lets agents do more, or brings text the audit flags:", ...permissionLines(review)].join("\n"));
      const answer = await prompt("Apply them?", [
        { key: "y", label: "yes" },
        { key: "n", label: "no" },
      ]);
      return answer === "y";
    },
  };
}
