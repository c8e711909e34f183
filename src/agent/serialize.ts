// Write an agent file from frontmatter + body. Key order and unknown keys are kept, so that
// parseAgent(serializeAgent(fm, body)) gives back the same frontmatter and body.
import { dumpYaml } from "./yaml.js";

export interface SerializeOptions {
  /** Line ending for the frontmatter block (the body is written as given). Default "\n". */
  eol?: "\n" | "\r\n";
}

export function serializeAgent(
  frontmatter: Record<string, unknown>,
  body: string,
  opts?: SerializeOptions,
): string {
  const eol = opts?.eol ?? "\n";
  const defined = Object.fromEntries(Object.entries(frontmatter).filter(([, v]) => v !== undefined));
  const yamlText = Object.keys(defined).length === 0 ? "" : dumpYaml(defined);
  const lines = yamlText === "" ? [] : yamlText.replace(/\n$/, "").split("\n");
  return ["---", ...lines, "---"].join(eol) + eol + body;
}
