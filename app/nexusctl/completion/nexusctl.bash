# bash completion for nexusctl (installed as
# /usr/share/bash-completion/completions/nexusctl). Completes commands,
# subcommands, options and the values of enumerated options; the tables
# below follow `nexusctl COMMAND --help`.

_nexusctl() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}

    local commands="decode fleet trace kb rollout audit whoami health run"
    local connection="--nexus --token --token-file --tls-ca --tls-cert --tls-key --timeout"

    # Subcommands of each command ("" = none).
    local -A subcommands=(
        [fleet]="ls"
        [audit]="ls"
        [trace]="ls get replay fork"
        [kb]="ls show approve reject"
        [rollout]="ls versions create-version launch status set-weight promote pause resume abort series restore wait"
    )
    # Options of each "command" or "command subcommand"; "+conn" adds the
    # connection options.
    local -A options=(
        [decode]="--raw --max-bytes --json --help"
        [run]="--seed --input --out --kafka --topic --thread-id --tenant --recursion-limit --checkpoint-interval --interrupts --resume --interrupt-before --interrupt-after --label --json --help"
        [whoami]="--json --help +conn"
        [health]="--json --help +conn"
        [fleet ls]="--deployment --json --help +conn"
        [audit ls]="--actor --action --target --limit --json --help +conn"
        [trace ls]="--instance --graph --deployment --tenant --status --text --limit --json --help +conn"
        [trace get]="--out --json --help +conn"
        [trace replay]="--graph --thread --json --states --help"
        [trace fork]="--at --out --set --graph --output --thread --seed --fork-number --json --help"
        [kb ls]="--status --kind --tenant --limit --json --help +conn"
        [kb show]="--json --help +conn"
        [kb approve]="--comment --revision --request-id --json --help +conn"
        [kb reject]="--comment --revision --request-id --json --help +conn"
        [rollout ls]="--active --graph --tenant --json --help +conn"
        [rollout versions]="--graph --node --json --help +conn"
        [rollout create-version]="--from-entry --request-id --json --help +conn"
        [rollout launch]="--tenant --steps --analysis-seconds --min-samples --max-quality-drop --max-p95-increase --max-error-rate --request-id --json --help +conn"
        [rollout status]="--json --help +conn"
        [rollout set-weight]="--request-id --revision --json --help +conn"
        [rollout promote]="--full --request-id --revision --json --help +conn"
        [rollout pause]="--request-id --revision --json --help +conn"
        [rollout resume]="--request-id --revision --json --help +conn"
        [rollout abort]="--reason --request-id --revision --json --help +conn"
        [rollout series]="--step --json --help +conn"
        [rollout restore]="--shipped --seen-live --seen-shipped --reason --request-id --json --help +conn"
        [rollout wait]="--until --timeout --json --help +conn"
    )
    # Values of enumerated options, by "command option".
    local -A values=(
        [trace --status]="running completed failed stale interrupted"
        [kb --status]="pending approved rejected superseded"
        [kb --kind]="success_pattern pitfall prompt_optimization code_pattern"
        [rollout --until]="promoted done step:"
        [run --interrupts]="auto stop"
    )
    # Options whose value is a file name.
    local files=" --token-file --tls-ca --tls-cert --tls-key --out --graph --input --set "

    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return 0
    fi

    local command=${COMP_WORDS[1]}
    local sub=""
    if [[ -n ${subcommands[$command]+set} ]]; then
        if ((COMP_CWORD == 2)); then
            COMPREPLY=($(compgen -W "${subcommands[$command]} --help" -- "$cur"))
            return 0
        fi
        sub=${COMP_WORDS[2]}
    fi

    if [[ -n ${values["$command $prev"]+set} ]]; then
        COMPREPLY=($(compgen -W "${values["$command $prev"]}" -- "$cur"))
        return 0
    fi
    if [[ $files == *" $prev "* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
    fi

    local key=$command
    [[ -n $sub ]] && key="$command $sub"
    if [[ $cur == -* ]]; then
        local words=${options[$key]}
        words=${words/+conn/$connection}
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        return 0
    fi
    # Positional arguments that are files: decode FILE, run GRAPH,
    # trace replay|fork FILE.dstrace.
    case $key in
    decode | run | "trace replay" | "trace fork")
        COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    esac
    return 0
}

complete -o filenames -o default -F _nexusctl nexusctl
