#!/usr/bin/env bash
# The documentation says what pdl does: the retry example of --help, the man
# page and the README runs the failed list when something failed (||, not
# &&); the man page has a section for every mode of --help and for every
# command, and renders without warnings; --help names every command. The
# README's first screen says what pdl is, shows a chart, gives the two
# commands (the first ending with the demo) and the usage; the benchmarks
# are linked, and their section names its server, its command and has a
# table for each workload; the MPI example says what root and small machines need.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../.." && pwd)
man=$src/src/pdl.1

"$PDL" --help >"$WORK/help"
expect_grep "$WORK/help" "--failed failed.txt urls.txt || pdl failed.txt" "--help retry example"
for f in "$WORK/help" "$man" "$src/README.md"; do
    ! grep -qE -- '&& *(\\-|-)?pdl failed' "$f" || fail "$f retries the failed list only when nothing failed (&&)"
done
grep -qF -- 'urls.txt || pdl failed.txt' "$man" || fail "the man page lacks the retry example with ||"

# Every mode --help lists has its entry under MODES.
modes=$(awk '/-m, --mode MODE/ { on = 1; next } on && /^      [a-z]+ / { print $1; next } on { exit }' "$WORK/help")
[ "$(echo "$modes" | wc -w)" -ge 5 ] || fail "could not read the modes of --help: $modes"
section() {
    awk -v s="$1" '/^\.SH / { on = ($2 == s) ; next } on' "$man"
}
for m in $modes; do
    section MODES | grep -qx "\.B $m" || fail "the man page's MODES lacks $m"
done
# Every command has its section and its synopsis line, and --help names it.
for c in compare export chart predict demo; do
    s=$(echo "$c" | tr a-z A-Z)
    [ "$c" = chart ] && s=CHARTS
    [ -n "$(section "$s")" ] || fail "the man page has no $s section"
    section SYNOPSIS | grep -qx "\.B pdl $c" || fail "the man page's SYNOPSIS lacks pdl $c"
    grep -q "^       pdl $c " "$WORK/help" || fail "--help does not name pdl $c"
done
if command -v groff >/dev/null; then
    groff -man -ww -z "$man" 2>"$WORK/groff.err" || fail "groff: $(cat "$WORK/groff.err")"
    [ ! -s "$WORK/groff.err" ] || fail "the man page has warnings: $(cat "$WORK/groff.err")"
fi
readme=$src/README.md
head -45 "$readme" >"$WORK/screen"
expect_grep "$WORK/screen" "![" "a chart on the README's first screen"
expect_grep "$WORK/screen" "(docs/gantt.png)" "the README's screenshot"
expect_grep "$WORK/screen" "## Usage" "usage on the README's first screen"
expect_grep "$WORK/screen" "ctest --test-dir build --output-on-failure" "the README's second command"
grep -q '^\$(command -v sudo) apt-get .*&& cmake -S . -B build && cmake --build build -j2 && build/pdl demo$' "$WORK/screen" ||
    fail "the README's first command does not build and end with build/pdl demo"
png=$src/docs/gantt.png
[ "$(head -c 4 "$png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "docs/gantt.png is not a PNG"
[ "$(stat -c %s "$png")" -le 102400 ] || fail "docs/gantt.png is over 100 KB"
grep -qF "(tests/bench/RESULTS.md)" "$readme" || fail "the README does not link tests/bench/RESULTS.md"
[ -s "$src/tests/bench/RESULTS.md" ] || fail "no tests/bench/RESULTS.md"
# The benchmark section: measured on nginx, with the command that redoes it
# and a table for each workload.
awk '/^## Benchmarks/ { on = 1; next } /^## / { on = 0 } on' "$readme" >"$WORK/bench"
expect_grep "$WORK/bench" "nginx" "the README's benchmarks name their server"
expect_grep "$WORK/bench" "tests/bench/bench.sh build-rel" "the README's benchmark command"
expect_grep "$WORK/bench" "(tests/bench/RESULTS-nginx.md)" "the README's link to the full tables"
for t in Latency "Request rate" Bandwidth Scale; do
    expect_grep "$WORK/bench" "**$t**" "the README's $t table"
done
awk '/^## Across machines/ { on = 1; next } /^## / { on = 0 } on' "$readme" >"$WORK/mpi"
expect_grep "$WORK/mpi" "OMPI_ALLOW_RUN_AS_ROOT=1" "the README's MPI example as root"
expect_grep "$WORK/mpi" "--oversubscribe" "the README's MPI example on a small machine"
expect_grep "$WORK/mpi" "--hostfile hosts" "the README's MPI example on a cluster"
echo "docs: ok"
