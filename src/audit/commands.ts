// Shell command lines (hooks, MCP servers, `!` lines of commands): downloads that are run, packages run at
// whatever version a registry serves, secrets sent over the network. Heuristics over the text, not a shell
// parser: they aim at the forms real installers and attacks use, and say which one they saw.
import { visible } from "./text.js";

const FETCH = String.raw`(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod)`;
/** a downloader as a command word, not inside a longer word or path (`curl-config`, `/x/curl.d`) */
const FETCH_WORD = new RegExp(String.raw`(?<![\w./-])${FETCH}(?![\w.-])`, "i");
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "csh", "tcsh", "fish", "ash", "mksh"]);
/** interpreters whose flags in `code` give them a program on the command line instead of stdin */
const CODE_FLAGS: Record<string, RegExp> = {
  shell: /^-[a-z]*c[a-z]*$/i,
  python: /^-(?:[a-z]*[cm][a-z]*)$/i,
  node: /^(?:-e|--eval|-p|--print|-pe)$/,
  perl: /^-[a-z]*[enp][a-z]*$/i,
  ruby: /^-[a-z]*e[a-z]*$/i,
  php: /^-[a-z]*[rfB][a-z]*$/,
  powershell: /^-(?:c|command|f|file|encodedcommand|e|ec)$/i,
};

function interpreterKind(word: string): keyof typeof CODE_FLAGS | "iex" | "source" | undefined {
  const w = word.toLowerCase().replace(/^.*\//, "");
  if (SHELLS.has(w)) return "shell";
  if (/^python[0-9.]*$/.test(w)) return "python";
  if (w === "node" || w === "nodejs" || w === "deno" || w === "bun") return "node";
  if (w === "perl") return "perl";
  if (w === "ruby") return "ruby";
  if (w === "php") return "php";
  if (w === "pwsh" || w === "powershell" || w === "powershell.exe") return "powershell";
  if (w === "iex" || w === "invoke-expression") return "iex";
  if (w === "source" || w === ".") return "source";
  return undefined;
}

/** A shell word without the quotes or brackets around it. */
export const unquote = (t: string) => t.replace(/^["'`(]+|["'`);]+$/g, "");

/** The words of one pipeline stage, past `sudo -u x`, `env A=b` and `exec`. */
function stageWords(stage: string): string[] {
  const words = stage.trim().split(/\s+/).map(unquote).filter(Boolean);
  let i = 0;
  while (i < words.length) {
    const w = words[i]!.toLowerCase();
    if (w === "sudo" || w === "doas") {
      i++;
      while (words[i]?.startsWith("-")) i += /^-[ugCh]$/.test(words[i]!) ? 2 : 1;
    } else if (w === "env" || w === "/usr/bin/env") {
      i++;
      while (words[i] !== undefined && (words[i]!.includes("=") || words[i]!.startsWith("-"))) i++;
    } else if (w === "exec" || w === "command" || w === "nohup" || w === "time") i++;
    else break;
  }
  return words.slice(i);
}

/** Whether a stage that receives the download runs it: an interpreter that reads its program from stdin. */
function runsStdin(stage: string): string | undefined {
  const [word, ...args] = stageWords(stage);
  if (word === undefined) return undefined;
  const kind = interpreterKind(word);
  if (kind === undefined) return undefined;
  if (kind === "iex" || kind === "source") return word;
  let readsStdin = true;
  for (const a of args) {
    if (a === "-" || a === "-s" || a === "--") break;
    if (CODE_FLAGS[kind]!.test(a)) return undefined; // bash -c '...', python -c '...': stdin is data
    if (!a.startsWith("-")) {
      readsStdin = false; // a script file: stdin is its data
      break;
    }
  }
  return readsStdin ? word : undefined;
}

/** The command segments a line is made of: split at `;`, `&&`, `||` and newlines (pipes stay inside). */
const SEPARATOR = /;|&&|\|\||\n/g;
const segments = (cmd: string) => cmd.split(SEPARATOR);

/** The segment of `cmd` around `index`, trimmed: what a message quotes (not a prefix such as `export X=...;`). */
function segmentAt(cmd: string, index: number): string {
  let start = 0;
  let end = cmd.length;
  for (const m of cmd.matchAll(SEPARATOR)) {
    if (m.index < index) start = m.index + m[0].length;
    else if (m.index >= index) {
      end = m.index;
      break;
    }
  }
  return cmd.slice(start, end).trim();
}

/** What a command does that the audit reports (how it downloads and runs code, or sends a secret), and where. */
export interface CommandRisk {
  how: string;
  /** the command segment that does it (a message quotes this, not a prefix such as `export X=...;`) */
  at: string;
}

/** `curl ... | sh`: a download piped into something that runs it. */
function pipedIntoInterpreter(cmd: string): CommandRisk | undefined {
  for (const seg of segments(cmd)) {
    const stages = seg.split("|");
    const from = stages.findIndex((s) => FETCH_WORD.test(s));
    if (from < 0) continue;
    for (const stage of stages.slice(from + 1)) {
      const runner = runsStdin(stage);
      if (runner) return { how: `pipes a download (${fetcherIn(stages[from]!)}) into ${runner}`, at: seg.trim() };
    }
  }
  return undefined;
}

const fetcherIn = (s: string) => (FETCH_WORD.exec(s)?.[0] ?? "curl").toLowerCase();

const INTERP_WORD = String.raw`(?:(?:ba|z|da|k|c|tc|fi|a|mk)?sh|python[0-9.]*|node|nodejs|perl|ruby|php|pwsh|powershell|eval|source|\.|iex|invoke-expression)`;
/** `bash -c "$(curl ...)"`, `sh <(curl ...)`, `eval "$(wget -qO- ...)"`, `source <(curl ...)` */
const SUBSTITUTED = new RegExp(String.raw`(?<![\w-])${INTERP_WORD}(?:\s+-{1,2}[\w-]+)*\s*["']?\s*(?:\$\(|\x60|<\()\s*["']?\s*${FETCH}(?![\w.-])`, "i");
/** PowerShell: `iex (iwr ...)`, `iex (New-Object Net.WebClient).DownloadString(...)` */
const PS_IEX = new RegExp(String.raw`(?<![\w-])(?:iex|invoke-expression)\b[\s(]*(?:\$\()?\s*(?:${FETCH}|new-object\s+(?:system\.)?net\.webclient)`, "i");
const PS_DOWNLOADSTRING = /\.downloadstring\s*\(/i;
const PS_ANY_IEX = /(?<![\w-])(?:iex|invoke-expression)\b/i;
/** `python -c "...urlopen('https://...')...exec(...)"`: a one-liner that fetches a URL and evaluates it */
const ONE_LINER = /(?<![\w-])(?:python[0-9.]*|node|nodejs|perl|ruby|php)\s+(?:-[\w-]+\s+)*?(?:-c|-e|-r|--eval|-[a-z]*e)\s+(.*)/i;
const URL = /\bhttps?:\/\/[^\s"'`)]+/i;
const EVALS = /\b(?:exec|eval|Function|runpy|instance_eval)\b/;
/** `deno run https://...`: runs a remote script directly */
const REMOTE_RUN = /(?<![\w-])(?:deno\s+(?:run|install)|bun\s+run)\b[^\n;|&]*?\shttps?:\/\//i;

/** Files a download writes: `-o FILE`, `--output FILE`, wget's `-O FILE`, or the URL's last path segment. */
function downloadedNames(seg: string): string[] {
  const names: string[] = [];
  for (const m of seg.matchAll(/(?:^|\s)(?:-o|-O|--output|--output-document)(?:\s+|=)["']?([^\s"';&|]+)/g)) {
    const v = m[1]!;
    if (v !== "-" && !/^https?:/.test(v)) names.push(v.replace(/^.*\//, ""));
  }
  if (/(?:^|\s)(?:-O|--remote-name)(?:\s|$)/.test(seg) || /(?<![\w-])wget\b/i.test(seg)) {
    for (const m of seg.matchAll(/https?:\/\/[^\s"'`)]+/g)) {
      const last = m[0].replace(/[?#].*$/, "").replace(/\/+$/, "").replace(/^.*\//, "");
      if (last && !last.includes(":")) names.push(last);
    }
  }
  return names.filter((n) => n.length > 0);
}

/** Download segments looked at per command, and the segments after each searched for running what it wrote. */
const MAX_DOWNLOADS = 20;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `curl -o x.sh URL && sh x.sh`, `wget URL; chmod +x f; ./f`: a downloaded file run later in the same line. */
function downloadedThenRun(cmd: string): CommandRisk | undefined {
  const segs = segments(cmd);
  let downloads = 0;
  for (let i = 0; i < segs.length; i++) {
    // a bounded look: untrusted text must not cost the square of its length
    if (!FETCH_WORD.test(segs[i]!) || ++downloads > MAX_DOWNLOADS) continue;
    const rest = segs.slice(i + 1, i + 1 + MAX_DOWNLOADS * 4).join("\n");
    for (const name of downloadedNames(segs[i]!).slice(0, 5)) {
      const run = new RegExp(String.raw`(?:^|[\n|(])\s*(?:(?:sudo|doas)\s+)?(?:${INTERP_WORD}\s+(?:-\S+\s+)*)?["']?(?:\S*/)?${escapeRe(name)}["']?(?=$|[\s|)])`, "im");
      if (run.test(rest)) return { how: `downloads ${visible(name, 40)} and runs it`, at: segs[i]!.trim() };
    }
  }
  return undefined;
}

const MAY_DOWNLOAD = /curl|wget|fetch|iwr|irm|invoke-web|invoke-rest|webclient|downloadstring|https?:\/\//i;

/** How `cmd` downloads code and runs it, or undefined. */
export function downloadExec(cmd: string): CommandRisk | undefined {
  if (!MAY_DOWNLOAD.test(cmd)) return undefined; // every form below names a downloader or a URL
  const piped = pipedIntoInterpreter(cmd);
  if (piped) return piped;
  const found = (re: RegExp, how: string): CommandRisk | undefined => {
    const m = re.exec(cmd);
    return m ? { how, at: segmentAt(cmd, m.index) } : undefined;
  };
  const one = ONE_LINER.exec(cmd);
  return (
    found(SUBSTITUTED, `runs the output of ${fetcherIn(cmd)} as code`) ??
    found(PS_IEX, "evaluates a web download with Invoke-Expression") ??
    (PS_ANY_IEX.test(cmd) ? found(PS_DOWNLOADSTRING, "evaluates a web download with Invoke-Expression") : undefined) ??
    (one && URL.test(one[1]!) && EVALS.test(one[1]!) ? { how: "evaluates code fetched from a URL in an interpreter one-liner", at: segmentAt(cmd, one.index) } : undefined) ??
    found(REMOTE_RUN, "runs a script straight from a URL") ??
    downloadedThenRun(cmd)
  );
}

// --- secrets sent over the network ---------------------------------------------------------------------------

const SECRET_SOURCES: readonly [RegExp, string][] = [
  [/(?:^|[\s"'=:@<(])(?:~|\$HOME|\$\{HOME\}|\/root|\/home\/[^/\s]+)?\/?\.ssh(?:\/|\b)/, "~/.ssh"],
  [/\bid_(?:rsa|dsa|ecdsa|ed25519)\b/, "an SSH private key"],
  [/\.aws\/credentials\b/, "AWS credentials"],
  [/\.netrc\b|\.git-credentials\b|\.docker\/config\.json|\.npmrc\b|\.pypirc\b|\.config\/gh\/hosts\.yml|\.kube\/config\b/, "a credentials file"],
  [/(?:^|[\s"'=:@<(/])\.env(?:\.[\w-]+)?(?=$|[\s"';|&)])/, "a .env file"],
  [/\/proc\/(?:self|\d+|\$\$)\/environ|\bprintenv\b|(?:^|[\s;&|(])env\s*(?=$|[|;&)])/, "the environment"],
  [/\bsecurity\s+find-(?:generic|internet)-password\b/, "the keychain"],
];
const isDataFlag = (t: string) => /^(?:-d|--data(?:-binary|-raw|-urlencode|-ascii)?|-F|--form|-T|--upload-file)(?:$|[=@"'])/.test(t) || /^-[dFT]\S/.test(t);

/**
 * Whether one command segment sends data over the network: curl with a body (-d, -F, -T, -X POST), wget
 * --post-*, nc and friends, scp or rsync to a host, PowerShell with -Body/-InFile, bash's /dev/tcp. One pass
 * over its words: untrusted text must not cost more than its length.
 */
function sendsData(seg: string): boolean {
  if (/\/dev\/(?:tcp|udp)\//.test(seg)) return true;
  let tool = "";
  let previous = "";
  for (const raw of seg.split(/\s+/)) {
    const t = unquote(raw);
    const word = t.toLowerCase().replace(/^.*\//, "");
    if (["curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "scp", "rsync", "iwr", "irm", "invoke-webrequest", "invoke-restmethod"].includes(word)) {
      tool = word;
      previous = word;
      continue;
    }
    if (tool === "curl" && (isDataFlag(t) || /^-X(?:POST|PUT|PATCH)$/i.test(t) || (previous === "-X" && /^(?:POST|PUT|PATCH)$/i.test(t)))) return true;
    if (tool === "wget" && /^--post-(?:data|file)/.test(t)) return true;
    if (["nc", "ncat", "netcat", "socat", "telnet"].includes(tool) && previous === tool && t !== "") return true;
    if ((tool === "scp" || tool === "rsync") && /^[\w.@-]+:/.test(t)) return true;
    if (["iwr", "irm", "invoke-webrequest", "invoke-restmethod"].includes(tool) && (/^-(?:body|infile)$/i.test(t) || (previous.toLowerCase() === "-method" && /^(?:post|put)$/i.test(t)))) return true;
    previous = t;
  }
  return false;
}

/**
 * What secret a command sends over the network, or undefined: a secret and a sender in one command segment
 * (`cat ~/.ssh/id_rsa | curl -d @- URL`, `curl -F f=@.env URL`), so `source .env && curl -X POST ...`,
 * which only uses the file, is not one.
 */
export function sendsSecret(cmd: string): CommandRisk | undefined {
  for (const seg of segments(cmd)) {
    const source = SECRET_SOURCES.find(([re]) => re.test(seg));
    if (source && sendsData(seg)) return { how: `reads ${source[1]} and sends it over the network`, at: seg.trim() };
  }
  return undefined;
}
