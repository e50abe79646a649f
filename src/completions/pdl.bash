# bash completion for pdl. Installed as
# share/bash-completion/completions/pdl; the options are those of src/cli.c
# (tests/smoke/completions.sh checks that none is missing).

_pdl() {
    local cur prev words cword
    _init_completion 2>/dev/null || {
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cword=$COMP_CWORD
    }
    local opts="--mode --workers --schedule --chunk --order --durations-from
        --rate --per-host --output
        --discard --continue --timeline --no-timeline --failed --export --json
        --chart --chart-by --retries --retry-delay --retry-max-wait
        --connect-timeout --timeout --speed-limit --speed-time --max-filesize
        --limit-rate --max-redirs --insecure --no-glob --user-agent --header
        --user --netrc --cookie --cookie-jar --compressed --proxy --resolve
        --connect-to --checksums --no-clobber --content-disposition
        --force-directories --config --http1.1 --http2 --http2-prior-knowledge
        --cacert --progress --quiet --help --version"

    if [ "$cword" -eq 1 ] && [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "compare export chart predict demo" -- "$cur"))
        COMPREPLY+=($(compgen -f -- "$cur"))
        return
    fi
    # A command's own options (src/cmd/*.c); compare also passes the run's on.
    local cmd=
    [ "$cword" -gt 1 ] && cmd=${COMP_WORDS[1]}
    case $cmd in
    compare)
        # Its own, then the run options it passes on (not those it sets).
        local o own="--modes --workers --schedules --repeat --dir --summary
            --chart --json --help"
        for o in $opts; do
            case $o in
            --mode | --workers | --schedule | --no-glob | --continue | \
                --timeline | --no-timeline | --json | --chart | --chart-by | \
                --help | --version) ;;
            *) own="$own $o" ;;
            esac
        done
        opts=$own ;;
    demo) opts="--no-mpi --help" ;;
    chart) opts="--by --help" ;;
    predict)
        opts="--workers --schedule --chunk --per-host --rate --order --gantt
            --chart --json --help" ;;
    export) opts="--help" ;;
    esac
    case $cmd:$prev in
    compare:--modes)
        COMPREPLY=($(compgen -W "serial threads processes async mpi" -- "$cur"))
        return ;;
    compare:--schedules | predict:--schedule)
        COMPREPLY=($(compgen -W "dynamic static" -- "$cur"))
        return ;;
    compare:--dir)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    compare:--summary | compare:--json | predict:--json)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    compare:--repeat | predict:-w | predict:--workers | predict:--gantt)
        return ;;
    chart:--by)
        COMPREPLY=($(compgen -W "task worker connection overview" -- "$cur"))
        return ;;
    predict:--order)
        COMPREPLY=($(compgen -W "list longest-first" -- "$cur"))
        return ;;
    demo:*)
        if [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -d -- "$cur"))
            return
        fi ;;
    esac
    case $prev in
    -m | --mode)
        COMPREPLY=($(compgen -W "serial threads processes async mpi" -- "$cur"))
        return ;;
    --schedule)
        COMPREPLY=($(compgen -W "dynamic static" -- "$cur"))
        return ;;
    --order)
        COMPREPLY=($(compgen -W "list longest-first" -- "$cur"))
        return ;;
    --chart-by)
        COMPREPLY=($(compgen -W "task worker connection overview" -- "$cur"))
        return ;;
    --progress)
        COMPREPLY=($(compgen -W "bar plain json none" -- "$cur"))
        return ;;
    -o | --output)
        COMPREPLY=($(compgen -d -- "$cur"))
        return ;;
    -t | --timeline | --durations-from | --failed | --export | --json | --chart | --cookie | \
        --cookie-jar | --checksums | -K | --config)
        COMPREPLY=($(compgen -f -- "$cur"))
        return ;;
    -w | --workers | --chunk | --rate | --per-host | --retries | --retry-delay | \
        --retry-max-wait | --connect-timeout | --timeout | --speed-limit | \
        --speed-time | --max-filesize | --limit-rate | --max-redirs | \
        --user-agent | -H | --header | --user | --proxy | --resolve | --connect-to)
        return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _pdl pdl
