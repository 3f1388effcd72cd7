// `p7apps completion [bash|zsh]`: prints a shell completion script. The
// completions themselves come from yargs (`--get-yargs-completions`); the
// scripts are ours so that they find p7apps where it is installed, also as a
// project's devDependency (node_modules/.bin, not on PATH), and so that the
// command has a --help of its own and takes the shell as an argument.

import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import type { CommandFactory } from './index.js';

export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/**
 * Shell code that prints how to run p7apps: the one on PATH, else the nearest
 * node_modules/.bin/p7apps from the current directory upwards.
 */
const FIND_P7APPS = `_p7apps_bin()
{
  if command -v p7apps >/dev/null 2>&1; then printf '%s\\n' p7apps; return; fi
  local dir="$PWD"
  while :; do
    if [ -x "$dir/node_modules/.bin/p7apps" ]; then printf '%s\\n' "$dir/node_modules/.bin/p7apps"; return; fi
    [ "$dir" = / ] && return 1
    dir=$(dirname "$dir")
  done
}`;

const BASH = `###-begin-p7apps-completions-###
# p7apps completion for bash. Install: p7apps completion bash >> ~/.bashrc
${FIND_P7APPS}
_p7apps_completions()
{
  local bin cur_word
  bin=$(_p7apps_bin) || return 0
  cur_word="\${COMP_WORDS[COMP_CWORD]}"
  mapfile -t COMPREPLY < <(compgen -W "$("$bin" --get-yargs-completions "\${COMP_WORDS[@]}" 2>/dev/null)" -- "$cur_word")
  return 0
}
complete -o bashdefault -o default -F _p7apps_completions p7apps
###-end-p7apps-completions-###
`;

const ZSH = `#compdef p7apps
###-begin-p7apps-completions-###
# p7apps completion for zsh. Install: p7apps completion zsh >> ~/.zshrc
${FIND_P7APPS}
_p7apps_completions()
{
  local bin reply
  bin=$(_p7apps_bin) || return 0
  local si=$IFS
  IFS=$'\\n' reply=($("$bin" --get-yargs-completions "\${words[@]}" 2>/dev/null))
  IFS=$si
  if [[ \${#reply} -gt 0 ]]; then _describe 'values' reply; else _default; fi
}
if [[ "\${zsh_eval_context[-1]}" == "loadautofunc" ]]; then
  _p7apps_completions "$@"
else
  compdef _p7apps_completions p7apps
fi
###-end-p7apps-completions-###
`;

export function completionScript(shell: CompletionShell): string {
  return shell === 'zsh' ? ZSH : BASH;
}

/** The shell to write for when none is named: the user's login shell if we have a script for it, else bash. */
export function defaultShell(env: NodeJS.ProcessEnv): CompletionShell {
  return /(^|\/)zsh$/.test(env.SHELL ?? '') ? 'zsh' : 'bash';
}

export const completionCommand: CommandFactory = (ctx) => ({
  command: 'completion [shell]',
  describe: 'Print a bash or zsh completion script',
  builder: (yargs: Argv) =>
    yargs
      .positional('shell', { type: 'string', describe: `The shell to complete in: ${COMPLETION_SHELLS.join(' or ')} (default: your login shell, else bash)` })
      .usage('$0 completion [bash|zsh]\n\nPrint a shell completion script for p7apps, also when it is installed in a project (node_modules/.bin).')
      .epilogue('')
      .example('$0 completion bash > p7apps-completion.bash', 'Write the bash script; add ". ./p7apps-completion.bash" to ~/.bashrc')
      .example('$0 completion zsh > _p7apps', 'Write the zsh script; put it in a folder on $fpath'),
  handler: (args) => {
    const requested = (args as { shell?: string }).shell;
    if (requested !== undefined && !(COMPLETION_SHELLS as readonly string[]).includes(requested)) {
      throw new UsageError(`completion: no script for the shell "${requested}"`, { hint: `Name one of: ${COMPLETION_SHELLS.join(', ')}.` });
    }
    ctx.stdout.write(completionScript((requested as CompletionShell | undefined) ?? defaultShell(ctx.env)));
  },
});
