import { statSync } from "node:fs";
import path from "node:path";
import { AgentpkgError } from "../util/errors.js";
import { classifyGitUrl, githubShorthand } from "../git/run.js";
import { isValidRegistryName } from "../util/names.js";
import { isTarballUrl } from "./tarball/tarball-url.js";

/**
 * `install <repository>[#<agent>]`: a git url (https, ssh, git@host:path, file://, a path starting with
 * `/`, `./`, `../` or `~/`; `git+` in front, as npm writes them), `github:OWNER/NAME`, or `OWNER/NAME`.
 */
export interface RepoSpec {
  /** what the user typed before `#` (shown back in pasteable commands) */
  typed: string;
  /** the url as the manifest records it (GitHub forms expanded, a path made absolute) */
  url: string;
  /** the agent (or plugin) after `#`, with an optional @range */
  pick?: string;
  /**
   * `OWNER/NAME` with nothing else to tell it from `REGISTRY/AGENT`: it names a repository only when OWNER is
   * not a configured registry (an agent spec stays an agent spec)
   */
  shorthand: boolean;
}

const OWNER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+$/;
const URL_LIKE = /^(git\+)?(https|ssh|file):\/\//i;
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)\S+$/;
const PATH_LIKE = /^(\/|\.\.?\/|~\/)/;

/**
 * Whether an install argument may name a repository (cheap, no file system): an agent spec never holds
 * `#`, `://`, a leading `/`, `.` or `~`, `github:OWNER/` or `user@host:`. `OWNER/NAME` may (see `shorthand`).
 */
export function mayNameRepository(arg: string): boolean {
  return arg.includes("#") || URL_LIKE.test(arg) || SCP_LIKE.test(arg) || PATH_LIKE.test(arg) || /^github:[^/]+\//i.test(arg) || OWNER_NAME.test(arg);
}

/** Parse an install argument naming a repository; undefined when it is an agent spec. */
export function parseRepoSpec(arg: string, cwd: string, home: string): RepoSpec | undefined {
  if (!mayNameRepository(arg)) return undefined;
  const hash = arg.lastIndexOf("#");
  const typed = hash === -1 ? arg : arg.slice(0, hash);
  const pick = hash === -1 ? undefined : arg.slice(hash + 1);
  if (pick !== undefined && (pick === "" || pick.includes("/"))) {
    throw new AgentpkgError("E_USAGE", `invalid repository spec "${arg}": after # comes one agent or plugin name`, { hint: "write URL#agent, e.g. github:acme/agents#reviewer" });
  }
  if (!/[/:]/.test(typed) && !typed.startsWith("~")) {
    throw new AgentpkgError("E_USAGE", `invalid repository spec "${arg}": ${typed || "(nothing)"} is not a repository`, { hint: `write a url, OWNER/NAME, or ./${typed || "folder"} for a folder here` });
  }
  let url = typed.replace(/^git\+(?=(https|ssh|file):\/\/)/i, "");
  const github = /^github:([A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+)$/i.exec(url);
  if (github) url = `https://github.com/${github[1]!.replace(/\.git$/, "")}.git`;
  else if (url.startsWith("~/")) url = `${home}/${url.slice(2)}`;
  const shorthand = !github && OWNER_NAME.test(typed) && pick === undefined;
  if (!github) url = githubShorthand(url, cwd); // OWNER/NAME, unless that folder exists here
  if (isTarballUrl(url)) throw new AgentpkgError("E_USAGE", `install takes git repositories, not archives: ${typed}`, { hint: `add an archive as a registry: agentpkg registry add NAME ${typed}` });
  // classifyGitUrl refuses everything else (ext::, http://, credentials) with its own message
  if (classifyGitUrl(url) === "path") {
    url = path.resolve(cwd, url);
    if (!isFolder(url)) {
      throw new AgentpkgError("E_USAGE", `invalid agent spec "${arg}": ${typed} is no folder (a path names a git repository to install from)`, { hint: "an agent is named as name, name@range or registry/name; a repository as a url, OWNER/NAME or the path of its folder" });
    }
  }
  return { typed, url, pick, shorthand };
}

/** The registry name a repository gets when none is given: its last path segment, as a registry name. */
export function registryNameFor(url: string): string | undefined {
  const last = url.replace(/[/\\]+$/, "").split(/[/:\\]/).pop() ?? "";
  const name = last.replace(/\.git$/i, "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").replace(/-{2,}/g, "-").slice(0, 50).replace(/-+$/, "");
  return isValidRegistryName(name) ? name : undefined;
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
