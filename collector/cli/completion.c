// SPDX-License-Identifier: BSD-2-Clause
/*
 * completion.c - `c2d completion bash|zsh`: a completion script generated from the command
 * table (commands.c), so it never lists a flag the parser does not take. zsh loads the bash
 * function through bashcompinit.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

static const char head[] =
    "# c2d completion; load with: source <(c2d completion bash)\n"
    "_c2d() {\n"
    "\tlocal cur prev cmd w\n"
    "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
    "\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
    "\tfor w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n"
    "\t\tcase $w in findings|trace|introduced|origins|help|completion) cmd=$w; break;; esac\n"
    "\tdone\n"
    "\tcase $prev in\n"
    "\t-o|--output) COMPREPLY=($(compgen -W 'table wide json ndjson' -- \"$cur\")); return;;\n"
    "\t--kind) COMPREPLY=($(compgen -W 'credential_read privileged_call storage_write "
    "metadata_access' -- \"$cur\")); return;;\n"
    "\t--by) COMPREPLY=($(compgen -W 'commit pipeline repository' -- \"$cur\")); return;;\n"
    "\t--token-file|--ca) COMPREPLY=($(compgen -f -- \"$cur\")); return;;\n"
    "\tesac\n"
    "\tlocal flags='--server --token-file --ca -o --output --json --help --version'\n"
    "\tcase $cmd in\n";

static const char tail[] =
    "\t'') COMPREPLY=($(compgen -W 'findings trace introduced origins help completion' -- "
    "\"$cur\")); return;;\n"
    "\thelp) COMPREPLY=($(compgen -W 'findings trace introduced origins completion' -- "
    "\"$cur\")); return;;\n"
    "\tcompletion) COMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\")); return;;\n"
    "\tesac\n"
    "\tCOMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
    "}\n"
    "complete -F _c2d c2d\n";

int cli_completion(FILE *f, const char *shell)
{
	if (!strcmp(shell, "zsh"))
		fputs("#compdef c2d\nautoload -U +X bashcompinit && bashcompinit\n", f);
	else if (strcmp(shell, "bash"))
		return -EINVAL;
	fputs(head, f);
	cli_completion_words(f); /* one case per command: its flags after the global ones */
	fputs(tail, f);
	return 0;
}
