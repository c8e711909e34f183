/** One thing wrong with an agent file: an error (Claude Code would not load it) or a warning. */
export type Severity = "error" | "warning";

export interface AgentProblem {
  severity: Severity;
  code: string;
  message: string;
  line?: number;
  field?: string;
}
