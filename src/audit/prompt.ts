// Prompt text (agent bodies and descriptions, commands, skills, prompt hooks) that tries to take over the
// model: instructions to ignore the real ones, text posing as the system, orders to send secrets away.
//
// Text that only *mentions* such a phrase (in quotes, in code, or introduced as an example of what to look
// for) is reported low; text that forbids it ("never send credentials to ...") is not reported.
import type { AuditSeverity, RuleId } from "./rules.js";
import { downloadExec } from "./commands.js";
import { visible, type Line } from "./text.js";

export interface PromptHit {
  rule: RuleId;
  severity: AuditSeverity;
  line: number;
  message: string;
}

const OVERRIDE: readonly RegExp[] = [
  /\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+|these\s+|those\s+)?(?:previous|prior|preceding|above|earlier|former|original|initial|system|developer|safety)\s+(?:instructions?|prompts?|rules|directives|guidelines|guidance|messages?|context|constraints)\b/i,
  /\b(?:ignore|disregard|forget)\s+(?:all|everything)\s+(?:(?:you\s+(?:were|have\s+been|'ve\s+been)\s+told)|(?:instructions|rules)\b)/i,
  /\bdisregard\s+(?:the\s+|your\s+)?system\s+prompt\b/i,
  /\byou\s+are\s+no\s+longer\s+bound\s+by\b/i,
  /\b(?:new|updated|real)\s+system\s+prompt\s*:/i,
  /\bdo\s+not\s+follow\s+(?:the\s+|your\s+|any\s+)?(?:system|previous|prior|original)\s+(?:prompt|instructions)\b/i,
];

const BOUNDARY: readonly RegExp[] = [
  /<\/?system>/i,
  /<\/?system[-_](?:reminder|prompt|message|instructions?)>/i,
  /<\|(?:im_start|im_end|system|endoftext|start_header_id|end_header_id|eot_id)\|>/i,
  /<<\/?SYS>>/,
  /\[\/?INST\]/,
  /\[(?:SYSTEM|SYS)(?:\s+(?:MESSAGE|PROMPT|NOTE|NOTICE))?\]/i,
  /^\s*#{1,6}\s*system(?:\s+(?:prompt|message))?\s*:/i,
  /^\s*(?:[*_]{1,2})?SYSTEM(?:\s+(?:BOUNDARY|OVERRIDE|MESSAGE|PROMPT|NOTICE|NOTE|INSTRUCTIONS?|DIRECTIVE|ALERT|UPDATE|COMMAND|RULE|PROTECTION|POLICY))?(?:[*_]{1,2})?\s*:/,
];

// an order: the verb (imperative, not "file uploads"), its object a secret, then where to: "send ~/.ssh/id_rsa to https://..."
const VERB = String.raw`\b(?:send|upload|post|transmit|exfiltrate|forward|leak|e-?mail|submit|copy|paste|pipe)\b`;
const SECRET = String.raw`(?:~\/\.ssh|\.ssh\/|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|(?:^|[\s"'\x60(/])\.env\b|\.aws\/credentials|\.netrc\b|\.git-credentials|\bcredentials?\b|\b(?:api|access|auth|bearer|session|secret|github|gh|npm|aws|oauth|refresh)[ _-]?(?:tokens?|keys?)\b|\btokens\b|\bsecrets?\b|\bpasswords?\b|\bprivate[ _-]keys?\b|\benvironment\s+variables\b|\benv\s+vars\b)`;
const DESTINATION = String.raw`(?:https?:\/\/\S+|\bwebhooks?\b|\bpastebin\b|\bngrok\b|\brequestbin\b|\b(?:remote|external|attacker|third[- ]party)\s+(?:server|host|endpoint|url|address|site)\b|\b(?:this|the\s+following|my|our)\s+(?:server|endpoint|url|address)\b)`;
const ORDER = new RegExp(String.raw`${VERB}.{0,80}?(${SECRET}).{0,80}?\b(?:to|into|at|via|on)\b.{0,40}?(${DESTINATION})`, "i");

/** A sentence that forbids what follows: "never send ...", "do not upload ...". */
const NEGATION = /\b(?:never|not|don't|dont|doesn't|cannot|can't|mustn't|shouldn't|won't|avoid|avoiding|refuse|refuses|without|prevent|prohibit(?:ed)?|forbid(?:den)?)\b/i;
/** A sentence that presents the phrase as something to look for, not as an instruction. */
const MENTION = /\b(?:attempts?\s+to|tries\s+to|trying\s+to|asks?\s+(?:you\s+)?to|asking\s+(?:you\s+)?to|told\s+to|detect|flag|report|watch\s+(?:out\s+)?for|look\s+(?:out\s+)?for|such\s+as|e\.g\.|for\s+example|examples?|phrases?|patterns?|injections?|says?|contains?|containing)\b/i;

/** The sentence of `line` around [start, end): from the previous sentence end to the next. */
function sentenceBefore(line: string, start: number): string {
  const before = line.slice(0, start);
  const cut = Math.max(before.search(/[.!?;](?=\s)[^.!?;]*$/), -1);
  return cut < 0 ? before : before.slice(cut + 1);
}

/** Whether [start, end) of `line` sits inside "double quotes", “curly quotes” or `inline code`. */
function quoted(line: string, start: number): boolean {
  // a YAML value's own quotes (`description: "..."`) do not make its text a quotation
  const before = line.slice(0, start).replace(/^\s*[A-Za-z_][\w-]*:\s*"/, "");
  const count = (re: RegExp) => (before.match(re) ?? []).length;
  return count(/"/g) % 2 === 1 || count(/`/g) % 2 === 1 || count(/\u201c/g) > count(/\u201d/g);
}

interface Context {
  inCode: boolean;
}

/** The severity of a phrase found at `start` of `line`, or undefined when the sentence forbids it. */
function weigh(line: string, start: number, ctx: Context, full: AuditSeverity): AuditSeverity | undefined {
  const sentence = sentenceBefore(line, start);
  if (NEGATION.test(sentence)) return undefined;
  if (ctx.inCode || quoted(line, start) || MENTION.test(sentence)) return "low";
  return full;
}

/** Findings of the prompt rules in `lines` (prose: a fenced code block counts as quoted). */
export function promptRisks(lines: readonly Line[], o: { downloadRule?: boolean } = {}): PromptHit[] {
  const out: PromptHit[] = [];
  const ctx: Context = { inCode: false };
  for (const { n, text } of lines) {
    if (/^\s*(?:```|~~~)/.test(text)) {
      ctx.inCode = !ctx.inCode;
      continue;
    }
    for (const re of OVERRIDE) {
      const m = re.exec(text);
      if (!m) continue;
      const severity = weigh(text, m.index, ctx, "high");
      if (severity) out.push({ rule: "prompt-override", severity, line: n, message: `"${visible(m[0], 60)}": text that tries to override the model's instructions${severity === "low" ? " (quoted or given as an example)" : ""}` });
      break;
    }
    for (const re of BOUNDARY) {
      const m = re.exec(text);
      if (!m) continue;
      const severity = weigh(text, m.index, ctx, "high");
      if (severity) out.push({ rule: "fake-system-boundary", severity, line: n, message: `"${visible(m[0].trim(), 40)}" poses as a system or chat-template boundary${severity === "low" ? " (quoted or in code)" : ""}` });
      break;
    }
    const exfil = exfiltration(text, ctx);
    if (exfil) out.push({ ...exfil, line: n });
    if (o.downloadRule) {
      const run = downloadExec(text);
      if (run) out.push({ rule: "download-exec-text", severity: "medium", line: n, message: `${run.how}: "${visible(run.at, 60)}"` });
    }
  }
  return out;
}

/** An order to send secrets somewhere: a verb, a secret and where to, in that order, in one sentence. */
function exfiltration(line: string, ctx: Context): Omit<PromptHit, "line"> | undefined {
  let offset = 0;
  for (const sentence of line.split(/(?<=[.!?])\s+/)) {
    const start = offset;
    offset += sentence.length + 1;
    const m = ORDER.exec(sentence);
    if (!m) continue;
    const severity = weigh(line, start + m.index, ctx, "high");
    if (!severity) continue;
    const verb = m[0].split(/\s/)[0]!.toLowerCase();
    return { rule: "secret-exfiltration", severity, message: `tells the model to ${verb} ${visible(m[1]!.trim(), 30)} to ${visible(m[2]!, 40)}${severity === "low" ? " (quoted or given as an example)" : ""}` };
  }
  return undefined;
}
