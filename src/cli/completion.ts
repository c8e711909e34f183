// `agentpkg completion bash|zsh|fish`: the shell script that completes agentpkg's commands, flags, registry
// names and agent and plugin names. Each script asks `agentpkg __complete -- WORDS...` (cli/complete.ts),
// which answers from the manifest, the lock and the cached registry indexes, never the network.
import { Command } from "commander";
import type { Deps } from "../util/deps.js";
import { AgentpkgError } from "../util/errors.js";
import { SHELLS } from "./complete.js";

const BASH = `# agentpkg completion for bash. Load it in ~/.bashrc:  source <(agentpkg completion bash)
_agentpkg_complete() {
  local i w cur prefix j IFS=$'\\n'
  local -a words=()
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    # bash splits kit:greet at the colon (COMP_WORDBREAKS): join the pieces back into one word
    if ((\${#words[@]} > 0 && i > 1)) && [[ "$w" == ":" || "\${COMP_WORDS[i-1]}" == ":" ]]; then
      words[\${#words[@]}-1]+="$w"
    else
      words+=("$w")
    fi
  done
  ((\${#words[@]})) || words=("")
  cur="\${words[\${#words[@]}-1]}"
  COMPREPLY=($(agentpkg __complete -- "\${words[@]}" 2>/dev/null))
  # bash replaces only the text after the last colon of the word
  if [[ "$cur" == *:* ]]; then
    prefix="\${cur%"\${cur##*:}"}"
    for j in "\${!COMPREPLY[@]}"; do COMPREPLY[j]="\${COMPREPLY[j]#"$prefix"}"; done
  fi
}
complete -o default -F _agentpkg_complete agentpkg
`;

const ZSH = `#compdef agentpkg
# agentpkg completion for zsh. Load it in ~/.zshrc (after compinit):  source <(agentpkg completion zsh)
_agentpkg() {
  local -a candidates
  candidates=("\${(@f)$(agentpkg __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if (( $+functions[compdef] )); then
  compdef _agentpkg agentpkg
else
  print -u2 "agentpkg completion: run compinit first (autoload -Uz compinit && compinit)"
fi
`;

const FISH = `# agentpkg completion for fish. Install it:  agentpkg completion fish > ~/.config/fish/completions/agentpkg.fish
function __agentpkg_complete
    set -l words (commandline -opc)[2..-1] (commandline -ct)
    agentpkg __complete -- $words 2>/dev/null
end
complete -c agentpkg -f -a '(__agentpkg_complete)'
# file arguments
complete -c agentpkg -n '__fish_seen_subcommand_from publish validate pack new' -F
`;

/** The completion script of a shell. */
function completionScript(shell: string): string {
  switch (shell) {
    case "bash":
      return BASH;
    case "zsh":
      return ZSH;
    case "fish":
      return FISH;
    default:
      throw new AgentpkgError("E_USAGE", `no completion for shell "${shell}"`, { hint: `use one of: ${SHELLS.join(", ")}` });
  }
}

export function completionCommand(deps: Deps): Command {
  return new Command("completion")
    .description("print a shell completion script: commands, flags, registries, agent and plugin names (source <(agentpkg completion bash))")
    .argument("<shell>", SHELLS.join(", "))
    .action((shell: string) => {
      deps.io.out(completionScript(shell).trimEnd());
    });
}
