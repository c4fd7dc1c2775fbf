# bash completion for flakeguard                        -*- shell-script -*-
#
# Install: make install (to $(PREFIX)/share/bash-completion/completions), or
# source this file. Commands and options are read from flakeguard's own
# --help output, so completion never disagrees with the binary.

_flakeguard()
{
	local cur prev words cword cmd opts
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		cword=$COMP_CWORD
		words=("${COMP_WORDS[@]}")
	}
	if [ "$cword" -eq 1 ]; then
		opts=$(flakeguard --help 2>/dev/null |
			sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
		COMPREPLY=($(compgen -W "$opts --help --version" -- "$cur"))
		return
	fi
	cmd=${words[1]}
	case $prev in
	-c | --config | --plan | --quarantine)
		COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
		return ;;
	--db | --json | --junit | --html | --markdown | -o)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--log-dir | --ctest | --meson)
		COMPREPLY=($(compgen -d -- "$cur"))
		return ;;
	--color)
		COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
		return ;;
	--flaky-result)
		COMPREPLY=($(compgen -W "pass fail" -- "$cur"))
		return ;;
	--junit-profile)
		COMPREPLY=($(compgen -W "surefire attempts plain" -- "$cur"))
		return ;;
	esac
	if [[ $cur == -* ]]; then
		opts=$(flakeguard "$cmd" --help 2>/dev/null |
			grep -o -- '--[a-z][a-z-]*' | sort -u)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _flakeguard flakeguard
