// bash completion for vmcatcher_eventHndl_ON, generated from the program's own --help (commands and
// their options), so it cannot drift from what the program takes. Identifiers are completed from the
// spool ($VMCHNDL_ON_STATE_DIR or the default state directory) and vmcatcher's cache.index
// ($VMCATCHER_CACHE_DIR_CACHE or /var/lib/vmcatcher/cache).

function optionsOf(help) {
  const section = help.sections.find((s) => s.title === 'Options');
  const out = [];
  for (const e of section ? section.entries : []) for (const m of e.term.match(/--?[A-Za-z][\w-]*/g) || []) out.push(m);
  return out;
}

/** The completion script. */
export function renderCompletion({ help, stateDir }) {
  const name = 'vmcatcher_eventHndl_ON';
  const commands = help.commands.map((c) => c.name);
  const takesIds = help.commands.filter((c) => /<identifier>|\[identifier/.test(c.help.usage)).map((c) => c.name);
  const cases = help.commands.map((c) => `    ${c.name}) opts="${optionsOf(c.help).join(' ')}" ;;`).join('\n');
  return `# bash completion for ${name} (generated from its --help)
_${name}_identifiers() {
    local state="\${VMCHNDL_ON_STATE_DIR:-${stateDir}}" cache="\${VMCATCHER_CACHE_DIR_CACHE:-/var/lib/vmcatcher/cache}" f
    for f in "$state"/spool/*.json; do
        [ -e "$f" ] || continue
        f=\${f##*/}; f=\${f%.json}; echo "\${f#*-*-}"
    done
    [ -r "$cache/cache.index" ] && grep -o '"[0-9a-fA-F][0-9a-fA-F-]\\{7,\\}" *:' "$cache/cache.index" 2>/dev/null | sed 's/^"\\([^"]*\\)".*/\\1/'
}

_${name}() {
    local cur cmd opts i
    COMPREPLY=()
    cur="\${COMP_WORDS[COMP_CWORD]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "\${COMP_WORDS[i]}" in
            -*) ;;
            *) cmd="\${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$cmd" in
${cases}
    *) opts="${optionsOf(help.main).join(' ')}" ;;
    esac
    if [ -z "$cmd" ] && [[ "$cur" != -* ]]; then
        COMPREPLY=( $(compgen -W "${commands.join(' ')} help" -- "$cur") )
    elif [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    else
        case "$cmd" in
        ${takesIds.join('|') || 'none'}) COMPREPLY=( $(compgen -W "$(_${name}_identifiers | sort -u)" -- "$cur") ) ;;
        help) COMPREPLY=( $(compgen -W "${commands.join(' ')}" -- "$cur") ) ;;
        *) COMPREPLY=( $(compgen -f -- "$cur") ) ;;
        esac
    fi
}
complete -F _${name} ${name}
`;
}
