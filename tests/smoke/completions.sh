#!/usr/bin/env bash
# Shell completions (src/completions/): every long option of src/cli.c is
# in each of them; bash completes options and the values of --mode; zsh and
# fish parse them where installed.
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

complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pdl; printf "%s\n" "${COMPREPLY[@]}"' _ "$dir/pdl.bash" "$@"
}
expect_eq "$(complete_words pdl --heade)" "--header" "bash: --heade"
expect_eq "$(complete_words pdl --mode th)" "threads" "bash: --mode th"
expect_eq "$(complete_words pdl --content-d)" "--content-disposition" "bash: --content-d"
expect_eq "$(complete_words pdl --order lon)" "longest-first" "bash: --order lon"

if command -v zsh >/dev/null; then zsh -n "$dir/_pdl" || fail "zsh -n _pdl"; fi
if command -v fish >/dev/null; then fish -n "$dir/pdl.fish" || fail "fish -n pdl.fish"; fi
echo "completions: ok"
