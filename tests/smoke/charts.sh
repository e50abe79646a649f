#!/usr/bin/env bash
# Charts: --chart draws PNG, SVG and PDF files that are valid files of their
# format and not trivially small, in both views, from a run and from the
# shipped scripts on their own; without gnuplot the timeline and the filled
# script are still written, the message gives the command, and the exit
# status is the run's.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot missing"
start_server

for i in $(seq 12); do echo "$BASE/delay/$((i * 20))"; done >"$WORK/list.txt"
echo "$BASE/status/500" >>"$WORK/list.txt"

magic() { head -c "$2" "$1" | od -An -c | tr -d ' \n'; }
check_chart() {
    local f=$1 min=$2
    [ -s "$f" ] || fail "$f not written"
    [ "$(stat -c %s "$f")" -ge "$min" ] || fail "$f is only $(stat -c %s "$f") bytes"
    case "$f" in
    *.png) [ "$(magic "$f" 4)" = '211PNG' ] || fail "$f is not a PNG" ;;
    *.pdf) [ "$(magic "$f" 5)" = '%PDF-' ] || fail "$f is not a PDF" ;;
    *.svg) grep -q '<svg' "$f" && grep -q '</svg>' "$f" || fail "$f is not an SVG" ;;
    esac
}

for view in task worker; do
    for ext in png svg pdf; do
        set +e
        "$PDL" -w 3 --discard -t "$WORK/t.tsv" --chart "$WORK/$view.$ext" \
            --chart-by "$view" "$WORK/list.txt" 2>"$WORK/err"
        rc=$?
        set -e
        expect_eq "$rc" 1 "--chart $view.$ext: exit status (one 500)"
        check_chart "$WORK/$view.$ext" 10000
    done
done

# The shipped scripts, on their own, on the timeline the run wrote.
plots=$(cd "$(dirname "$0")/../../plots" && pwd)
gnuplot -e "data='$WORK/t.tsv'; out='$WORK/own.png'" "$plots/gantt.gp" 2>"$WORK/gp.err" ||
    fail "gantt.gp on its own: $(cat "$WORK/gp.err")"
check_chart "$WORK/own.png" 10000
gnuplot -e "data='$WORK/t.tsv'; out='$WORK/own-lanes.svg'" "$plots/lanes.gp" 2>"$WORK/gp.err" ||
    fail "lanes.gp on its own: $(cat "$WORK/gp.err")"
check_chart "$WORK/own-lanes.svg" 10000

# Many tasks: still drawn, no per-task labels needed to read it.
for i in $(seq 2000); do echo "$BASE/delay/$((i % 7))?n=$i"; done >"$WORK/many.txt"
"$PDL" -m async -w 64 --discard -q -t "$WORK/many.tsv" --chart "$WORK/many.png" "$WORK/many.txt" ||
    fail "2000 tasks exited $?"
check_chart "$WORK/many.png" 10000

# Without gnuplot: same exit status, data and filled script kept, the
# command to draw them said.
mkdir "$WORK/bin"
for t in sh bash awk sed sort cat; do
    p=$(command -v "$t") && ln -s "$p" "$WORK/bin/$t"
done
set +e
PATH="$WORK/bin" "$PDL" -w 3 --discard -t "$WORK/no.tsv" --chart "$WORK/no.png" \
    "$WORK/list.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "without gnuplot: exit status"
expect_grep "$WORK/err" "pdl: chart $WORK/no.png: gnuplot not found; to draw it later: gnuplot -e \"data='$WORK/no.tsv'; out='$WORK/no.png'\"" "without gnuplot"
[ -s "$WORK/no.tsv" ] || fail "without gnuplot: no timeline"
[ -s "$WORK/no.png.gp" ] || fail "without gnuplot: no filled script"
(cd "$WORK" && gnuplot "$WORK/no.png.gp") || fail "the filled script does not draw"
check_chart "$WORK/no.png" 10000
echo "charts: ok"
