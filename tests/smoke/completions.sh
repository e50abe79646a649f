#!/usr/bin/env bash
# Shell completions (src/completions/): every long option of src/cli.c, and
# every command with the options of compare and demo (src/cmd/), is in each
# of them; bash completes options, commands, compare's and demo's own
# options and the values of --mode; zsh and fish parse them where installed,
# and fish completes the commands.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$src/src/completions

opts=$(grep -o '^    {"[a-z0-9-]*", [a-z_]*_argument' "$src/src/cli.c" | sed 's/^    {"//; s/".*//')
[ "$(echo "$opts" | wc -l)" -gt 40 ] || fail "could not read the options of cli.c"
for o in $opts; do
    grep -qE -- "--$o([^a-z0-9-]|$)" "$dir/pdl.bash" || fail "pdl.bash lacks --$o"
    grep -qE -- "--$o([^a-z0-9-]|$)" "$dir/_pdl" || fail "_pdl lacks --$o"
    grep -qE -- "-l $o([^a-z0-9-]|$)" "$dir/pdl.fish" || fail "pdl.fish lacks --$o"
done

# The long options of a command's table in src/cmd/NAME.c.
cmd_opts() {
    grep -o '^    {"[a-z0-9-]*", [a-z_]*_argument' "$src/src/cmd/$1.c" | sed 's/^    {"//; s/".*//'
}
for c in compare demo; do
    [ -n "$(cmd_opts $c)" ] || fail "could not read the options of cmd/$c.c"
    for o in $(cmd_opts $c); do
        grep -qE -- "--$o([^a-z0-9-]|$)" "$dir/pdl.bash" || fail "pdl.bash lacks $c --$o"
        grep -qE -- "--$o([^a-z0-9-]|$)" "$dir/_pdl" || fail "_pdl lacks $c --$o"
        grep -qE -- "-l $o([^a-z0-9-]|$)" "$dir/pdl.fish" || fail "pdl.fish lacks $c --$o"
    done
done
for c in compare export chart predict demo; do
    grep -q "compgen -W \"[a-z ]*$c" "$dir/pdl.bash" || fail "pdl.bash lacks the command $c"
    grep -q "commands:command:([a-z ]*$c" "$dir/_pdl" || fail "_pdl lacks the command $c"
    grep -q "__fish_use_subcommand' -a '[a-z ]*$c" "$dir/pdl.fish" || fail "pdl.fish lacks the command $c"
done

complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pdl; printf "%s\n" "${COMPREPLY[@]}"' _ "$dir/pdl.bash" "$@"
}
expect_eq "$(complete_words pdl --heade)" "--header" "bash: --heade"
expect_eq "$(complete_words pdl --mode th)" "threads" "bash: --mode th"
expect_eq "$(complete_words pdl --content-d)" "--content-disposition" "bash: --content-d"
expect_eq "$(complete_words pdl de)" "demo" "bash: pdl de"
expect_eq "$(complete_words pdl compare --js)" "--json" "bash: compare --js"
expect_eq "$(complete_words pdl compare --mode)" "--modes" "bash: compare --mode (compare sets --mode)"
expect_eq "$(complete_words pdl compare --ret | tr '\n' ' ')" "--retries --retry-delay --retry-max-wait " \
    "bash: compare --ret (run options passed on)"
expect_eq "$(complete_words pdl compare --modes as)" "async" "bash: compare --modes as"
expect_eq "$(complete_words pdl demo --n)" "--no-mpi" "bash: demo --n"
expect_eq "$(complete_words pdl chart --by w)" "worker" "bash: chart --by w"
expect_eq "$(complete_words pdl --order lon)" "longest-first" "bash: --order lon"

if command -v zsh >/dev/null; then zsh -n "$dir/_pdl" || fail "zsh -n _pdl"; fi
if command -v fish >/dev/null; then
    fish -n "$dir/pdl.fish" || fail "fish -n pdl.fish"
    fish_words() {
        fish -c 'source $argv[1]; complete -C $argv[2]' "$dir/pdl.fish" "$1" | cut -f1
    }
    expect_eq "$(fish_words 'pdl de')" "demo" "fish: pdl de"
    expect_eq "$(fish_words 'pdl compare --js')" "--json" "fish: compare --js"
    expect_eq "$(fish_words 'pdl demo --no-m')" "--no-mpi" "fish: demo --no-m"
fi
echo "completions: ok"
