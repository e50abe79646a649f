#!/usr/bin/env bash
# --order longest-first --durations-from TIMELINE on a straggler list: 16
# tasks of 100 ms, then one of 1 s, at W=4. In list order the long task
# starts only after four rounds of short ones (makespan about 1.4 s);
# longest first starts it at once (about 1.0 s). Asserted from the
# timelines by order: the long task starts before any other task ends, in
# list order only after some have; a URL the durations lack goes first; and
# the makespan is below the list-order run's (a 0.4 s margin, which load
# narrows only if it slows the longest-first run alone by that much). Also
# the summary's advice naming the option, stdin, and the usage errors.
. "$(dirname "$0")/lib.sh"
start_server

{
    for i in $(seq 16); do echo "$BASE/delay/100?n=$i"; done
    echo "$BASE/delay/1000"
} >"$WORK/straggler.txt"

wall() {
    awk 'NR == 2 { for (i = 2; i <= NF; i++) if ($i ~ /^wall=/) { sub(/^wall=/, "", $i); print $i; exit } }' "$1"
}

# The start of the task whose URL is $2, and the first end of any other.
start_of() {
    awk -F'\t' -v u="$2" '$1 ~ /^[0-9]+$/ && $14 == u { print $3 }' "$1"
}
first_other_end() {
    awk -F'\t' -v u="$2" '$1 ~ /^[0-9]+$/ && $14 != u { if (m == "" || $4 < m) m = $4 } END { print m }' "$1"
}
before() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

LONG="$BASE/delay/1000"
for mode in threads processes async; do
    want_mode "$mode" || continue
    "$PDL" -m "$mode" -w 4 --discard --progress none -t "$WORK/list.tsv" "$WORK/straggler.txt" \
        2>"$WORK/list.err" || fail "$mode list order exited $?: $(cat "$WORK/list.err")"
    expect_eq "$(awk -F'\t' '$1 == "id" { print $14 }' "$WORK/list.tsv")" url "$mode: url column"
    # The summary offers the real option, with this timeline.
    expect_grep "$WORK/list.err" "(--order longest-first --durations-from $WORK/list.tsv)" "$mode: advice"
    before "$(first_other_end "$WORK/list.tsv" "$LONG")" "$(start_of "$WORK/list.tsv" "$LONG")" ||
        fail "$mode: in list order the long task started before any short one ended"

    "$PDL" -m "$mode" -w 4 --discard --progress none -t "$WORK/lf.tsv" \
        --order longest-first --durations-from "$WORK/list.tsv" "$WORK/straggler.txt" \
        2>"$WORK/lf.err" || fail "$mode longest first exited $?: $(cat "$WORK/lf.err")"
    before "$(start_of "$WORK/lf.tsv" "$LONG")" "$(first_other_end "$WORK/lf.tsv" "$LONG")" ||
        fail "$mode: longest first did not start the long task at once"
    grep -qF -- "--order longest-first" "$WORK/lf.err" &&
        fail "$mode: a longest-first run was advised longest first: $(cat "$WORK/lf.err")"
    # The metadata says so, and pdl predict replays it so by default.
    sed -n 2p "$WORK/lf.tsv" | grep -q " handout=longest-first " ||
        fail "$mode: metadata: $(sed -n 2p "$WORK/lf.tsv")"
    sed -n 2p "$WORK/list.tsv" | grep -q "handout=" && fail "$mode: list order marked longest first"
    "$PDL" predict "$WORK/lf.tsv" -w 4 >"$WORK/p.txt" || fail "$mode: predict exited $?"
    replayed=$(awk '/replayed as measured/ { print $6 }' "$WORK/p.txt")
    before "$replayed" 1.2 || fail "$mode: the longest-first run replayed in list order: $(cat "$WORK/p.txt")"
    # Ids stay list positions: the long task is still id 16.
    expect_eq "$(awk -F'\t' -v u="$LONG" '$14 == u { print $1 }' "$WORK/lf.tsv")" 16 "$mode: id"
    lw=$(wall "$WORK/list.tsv") fw=$(wall "$WORK/lf.tsv")
    echo "$mode: list order $lw s, longest first $fw s"
    before "$fw" "$lw" || fail "$mode: longest first took $fw s, list order $lw s"
done

# A URL the earlier timeline lacks goes first, before the long task; the
# list read from stdin is ordered too.
{
    cat "$WORK/straggler.txt"
    echo "$BASE/delay/50?new=1"
} | "$PDL" -w 1 --discard --progress none -t "$WORK/new.tsv" --order longest-first \
    --durations-from "$WORK/list.tsv" - 2>"$WORK/err" || fail "stdin exited $?: $(cat "$WORK/err")"
order=$(awk -F'\t' '$1 ~ /^[0-9]+$/ { print $3, $1 }' "$WORK/new.tsv" | sort -g | awk '{ print $2 }' | head -2 | tr '\n' ' ')
expect_eq "$order" "17 16 " "one worker: the new URL, then the long one"

# pdl compare passes --order on, and its predicted curve replays the runs
# longest first too: at W=4 about 1.0 s (the long task), where list order
# would be predicted about 1.4 s.
"$PDL" compare --modes threads -w 2,4 --dir "$WORK/cmp" --discard --order longest-first \
    --durations-from "$WORK/list.tsv" "$WORK/straggler.txt" >/dev/null 2>"$WORK/err" ||
    fail "compare exited $?: $(cat "$WORK/err")"
p4=$(awk -F'\t' '$1 == "threads" && $2 == 4 { print $3 }' "$WORK/cmp/summary-predicted.tsv")
before "$p4" 1.2 || fail "compare: W=4 predicted $p4 s, not replayed longest first"
# pdl predict --compare: that summary's runs as the measured column (and
# points on the chart, and the JSON's compare.runs).
"$PDL" predict "$WORK/cmp/threads-w2-dynamic-r1.tsv" -w 2,4,8 --order longest-first \
    --compare "$WORK/cmp/summary.tsv" --json "$WORK/p.json" >"$WORK/p.txt" 2>"$WORK/err" ||
    fail "predict --compare exited $?: $(cat "$WORK/err")"
expect_grep "$WORK/p.txt" "measured    error" "predict --compare: column"
# W schedule makespan s bound s efficiency % speed-up connections measured s error %
awk '$1 == 4 && $2 == "dynamic" { exit !($11 ~ /^[0-9.]+$/ && $13 ~ /^[-+][0-9.]+$/) }' "$WORK/p.txt" ||
    fail "predict --compare: W=4 has no measured makespan: $(cat "$WORK/p.txt")"
awk '$1 == 8 && $2 == "dynamic" { exit !($11 == "-") }' "$WORK/p.txt" ||
    fail "predict --compare: W=8 was not compared: $(cat "$WORK/p.txt")"
expect_eq "$(grep -o '"makespan": [0-9.]*}' "$WORK/p.json" | wc -l)" 2 "predict --compare: JSON runs"
rc=0
"$PDL" predict "$WORK/lf.tsv" --compare "$WORK/straggler.txt" >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "$rc" 2 "predict --compare LIST: exit status"
expect_grep "$WORK/err" "pdl predict: --compare $WORK/straggler.txt: line 1: not a pdl compare summary" \
    "predict --compare LIST: message"

rc=0
"$PDL" compare --schedules dynamic,static --order longest-first --durations-from "$WORK/list.tsv" \
    "$WORK/straggler.txt" >/dev/null 2>"$WORK/err" || rc=$?
expect_eq "$rc" 2 "compare --schedules static with longest first: exit status"
expect_grep "$WORK/err" "pdl compare: --order longest-first: the static schedule" "compare: message"

# Usage errors name the option.
check() {
    local want=$1 rc=0
    shift
    "$PDL" --discard "$@" >/dev/null 2>"$WORK/err" || rc=$?
    expect_eq "$rc" 2 "pdl $*: exit status"
    expect_grep "$WORK/err" "$want" "pdl $*: message"
}
check 'pdl: --order longest-first: needs the tasks' --order longest-first "$WORK/straggler.txt"
check 'pdl: --order: must be list or longest-first: "x"' --order x "$WORK/straggler.txt"
check 'pdl: --durations-from: only --order longest-first uses it' \
    --durations-from "$WORK/list.tsv" "$WORK/straggler.txt"
check 'pdl: --order longest-first: the static schedule' --order longest-first \
    --durations-from "$WORK/list.tsv" --schedule static "$WORK/straggler.txt"
check "pdl: --durations-from: $WORK/straggler.txt: line 1:" --order longest-first \
    --durations-from "$WORK/straggler.txt" "$WORK/straggler.txt"
check 'pdl: --durations-from: No such file or directory' --order longest-first \
    --durations-from "$WORK/nope.tsv" "$WORK/straggler.txt"
echo "order: ok"
