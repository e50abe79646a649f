#!/usr/bin/env bash
# pdl chart and repeated --chart: a saved timeline drawn again into several
# files read once; clear errors and exit codes (2 usage, unreadable or not a
# timeline with its line, unknown extension, unwritable output; 1 a chart
# gnuplot failed with gnuplot's reason); rows in any order and a later
# version read by column name; the lower bound max(task time / workers that
# ran, longest task) in the title; in a run, every --chart drawn, an
# unwritable one refused before any download, a failed one exit status 1.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot missing"

magic() { head -c "$2" "$1" | od -An -c | tr -d ' \n'; }
is_png() { [ "$(magic "$1" 4)" = '211PNG' ] || fail "$1 is not a PNG"; }
is_pdf() { [ "$(magic "$1" 5)" = '%PDF-' ] || fail "$1 is not a PDF"; }
is_svg() { grep -q '<svg' "$1" && grep -q '</svg>' "$1" || fail "$1 is not an SVG"; }
# Runs pdl with the rest; the exit status must be $1 and stderr hold $2.
expect_run() {
    local want=$1 msg=$2; shift 2
    set +e
    "$PDL" "$@" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    set -e
    expect_eq "$rc" "$want" "pdl $*: exit status ($(cat "$WORK/err"))"
    [ -z "$msg" ] || expect_grep "$WORK/err" "$msg" "pdl $*"
}

# Five tasks of a run at -w 8: five workers ran, the longest task (0.4 s)
# bounds the makespan; ceil(5/8) x mean would say 0.21 s.
t5=$WORK/t5.tsv
awk 'BEGIN {
    OFS = "\t"
    print "# pdl-timeline 3"
    print "# mode=threads workers=8 tasks=5 ok=5 failed=0 wall=0.401 started=2026-12-01T00:00:00Z epoch=1796083200.0 host=h pdl=0.1.0"
    print "id", "worker", "start", "end", "dns", "connect", "tls", "ttfb", "bytes", "http", "status", "attempts", "attempt_start", "url", "error", "rank", "host"
    n = split("0.1 0.3 0.05 0.2 0.4", d, " ")
    for (i = 1; i <= n; i++)
        printf "%d\t%d\t0.001000\t%.6f\t0.000010\t0.000100\t0.000000\t%.6f\t15\t200\tok\t1\t0.001000\thttp://h.test:8080/delay/%d\t\t0\th\n", i - 1, i - 1, 0.001 + d[i], d[i] - 0.0005, i - 1
}' >"$t5"

expect_run 2 "pdl chart: no timeline given" chart
expect_run 2 "no output given" chart "$t5"
expect_run 0 "" chart --help
grep -q "Usage: pdl chart" "$WORK/out" || fail "pdl chart --help"
expect_run 2 "pdl chart: $WORK/none.tsv: No such file or directory" chart "$WORK/none.tsv" "$WORK/x.png"
echo "http://h.test/" >"$WORK/list.txt"
expect_run 2 "pdl chart: $WORK/list.txt: line 1: not a pdl timeline" chart "$WORK/list.txt" "$WORK/x.png"
{ head -n 5 "$t5"; printf '9\t1\t0.5\n'; tail -n 2 "$t5"; } >"$WORK/cut.tsv"
expect_run 2 "pdl chart: $WORK/cut.tsv: line 6: expected 17 tab-separated fields, found 3" chart "$WORK/cut.tsv" "$WORK/x.png"
expect_run 2 "pdl chart: $WORK/x.gif: unknown chart format (use .png, .svg or .pdf)" chart "$t5" "$WORK/x.png" "$WORK/x.gif"
[ ! -e "$WORK/x.png" ] || fail "a chart was drawn although another output was refused"
expect_run 2 "pdl chart: $WORK/no/such/x.png: No such file or directory" chart "$t5" "$WORK/no/such/x.png"
expect_run 2 "--by: must be task, worker, connection or overview" chart --by lane "$t5" "$WORK/x.png"

# One timeline, three formats, each view.
for by in task worker overview; do
    expect_run 0 "" chart --by "$by" "$t5" "$WORK/$by.png" "$WORK/$by.svg" "$WORK/$by.pdf"
    is_png "$WORK/$by.png"
    is_svg "$WORK/$by.svg"
    is_pdf "$WORK/$by.pdf"
done
for f in task worker; do
    expect_grep "$WORK/$f.svg" "8 workers (5 ran tasks)" "$f view: workers"
    expect_grep "$WORK/$f.svg" "lower bound 0.4 s" "$f view: lower bound = the longest task"
    expect_grep "$WORK/$f.svg" "÷ 5 workers that ran" "$f view: workers that ran"
done
expect_grep "$WORK/overview.svg" "lower bound 400 ms" "overview: lower bound"
# The 0.4 s task ran on alone for a quarter of the run: the straggler. Three
# tasks that end together have none (the last of them is not one).
expect_grep "$WORK/task.svg" "straggler: task 4" "task view: the straggler"
sed -e 's/workers=8 tasks=5 ok=5/workers=3 workers_asked=8 tasks=3 ok=3/' \
    -e '/^[34]\t/d' -e 's/^\([012]\t[0-9]*\t0.001000\t\)[0-9.]*/\10.101000/' "$t5" >"$WORK/even.tsv"
expect_run 0 "" chart "$WORK/even.tsv" "$WORK/even.svg"
grep -q "straggler" "$WORK/even.svg" && fail "three tasks ending together: a straggler drawn"
expect_grep "$WORK/even.svg" "3 workers (8 asked)" "title: the workers asked"
# Rows labelled with the URL in short, the host once above them.
expect_grep "$WORK/task.svg" "/delay/3" "task view: a URL label"
expect_grep "$WORK/task.svg" "h.test:8080" "task view: the host"

# Rows in completion order, a version 4 header with a new key and a new
# column: the same chart.
{
    printf '# pdl-timeline 4\n'
    sed -n 2p "$t5" | sed 's/$/ newkey=1/'
    sed -n 3p "$t5" | sed 's/$/\textra/'
    tail -n 5 "$t5" | sort -t "$(printf '\t')" -k4,4gr | sed 's/$/\tx/'
} >"$WORK/v4.tsv"
expect_run 0 "" chart "$WORK/v4.tsv" "$WORK/v4.svg"
expect_grep "$WORK/v4.svg" "lower bound 0.4 s" "version 4, rows by end: lower bound"
[ "$(grep -c '<title>task ' "$WORK/v4.svg")" = 5 ] || fail "version 4: not 5 tooltips"

# gnuplot fails: exit status 1 with gnuplot's reason and the command.
mkdir "$WORK/plots"
cp "$(dirname "$0")"/../../plots/*.gp "$(dirname "$0")"/../../plots/*.awk "$WORK/plots/"
echo 'plot no_such_thing(1)' >>"$WORK/plots/gantt.gp"
PDL_PLOTS_DIR=$WORK/plots expect_run 1 "gnuplot failed: " chart "$t5" "$WORK/f.png"
expect_grep "$WORK/err" "undefined function: no_such_thing" "gnuplot's reason"
expect_grep "$WORK/err" "to draw it later: gnuplot -e" "the command"

# In a run: every --chart, checked first, a failed one exits 1.
start_server
printf '%s\n' "$BASE/delay/30" "$BASE/delay/60" "$BASE/bytes/1000" >"$WORK/run.txt"
expect_run 0 "pdl: chart: $WORK/r.svg" -w 2 --discard -t "$WORK/r.tsv" --chart "$WORK/r.png" --chart "$WORK/r.svg" "$WORK/run.txt"
expect_grep "$WORK/err" "pdl: chart: $WORK/r.png" "first --chart"
is_png "$WORK/r.png"
is_svg "$WORK/r.svg"
expect_run 2 "pdl: --chart: $WORK/no/r.png: No such file or directory" -w 2 --discard -t "$WORK/r2.tsv" --chart "$WORK/r.png" --chart "$WORK/no/r.png" "$WORK/run.txt"
[ ! -e "$WORK/r2.tsv" ] || fail "an unwritable --chart did not stop the run before it started"
expect_run 2 "pdl: --chart: unknown chart format" -w 2 --discard --chart "$WORK/r.bmp" "$WORK/run.txt"
PDL_PLOTS_DIR=$WORK/plots expect_run 1 "pdl: chart $WORK/f.png: gnuplot failed: " -w 2 --discard -t "$WORK/r3.tsv" --chart "$WORK/f.png" "$WORK/run.txt"
[ -s "$WORK/r3.tsv" ] || fail "no timeline when the chart failed"
echo "charts_cmd: ok"
