#!/usr/bin/env bash
# The progress display: absent when stderr is a file (by default, with
# --progress=none and with -q); plain lines, never redrawn, with
# --progress=plain (and with bar, which cannot be redrawn in a file); an
# unknown style is a usage error; on a terminal (through script(1), when
# present) a bar redrawn in place and erased before the summary, and with
# TERM=dumb no escape code at all. Failures are said as they happen; a big
# file in flight moves the percent; --progress json writes JSON lines only.
. "$(dirname "$0")/lib.sh"
start_server

{
    for i in $(seq 38); do echo "$BASE/delay/100?n=$i"; done
    echo "$BASE/status/500?n=1"
    echo "$BASE/status/500?n=2"
} >"$WORK/list.txt"
# Two failures first, then a 4 MiB body paced over about 1.3 s (64 KiB
# every 20 ms): the failures are said while it still comes.
{
    echo "$BASE/status/500?n=1"
    echo "$BASE/status/503?n=2"
    echo "$BASE/range/4194304?ms=20&chunk=65536"
} >"$WORK/early.txt"

# Runs pdl on the list with the options given, stderr to $WORK/err; a run
# with the two failing URLs exits 1.
run_pdl() {
    local rc=0
    "$PDL" -w 4 --discard --no-timeline "$@" "$WORK/list.txt" 2>"$WORK/err" || rc=$?
    expect_eq "$rc" 1 "pdl $*: exit status"
}

# No trace of a display in $WORK/err: no carriage return, no escape, no
# progress line, yet the summary is there.
expect_no_display() {
    if grep -q $'[\r\033]' "$WORK/err" || grep -q 'progress' "$WORK/err"; then
        fail "$1: progress output in a file: $(head -c 2000 "$WORK/err" | od -c | head -20)"
    fi
    expect_grep "$WORK/err" "40 tasks, 38 ok, 2 failed" "$1: summary"
}

run_pdl
expect_no_display "default"
run_pdl --progress=none
expect_no_display "--progress=none"
run_pdl -q
if grep -q $'[\r\033]' "$WORK/err" || grep -q 'progress' "$WORK/err"; then
    fail "-q: progress output: $(head -c 2000 "$WORK/err")"
fi

# Plain lines: at least one while running and one for the end, all before
# the summary, the last with every task and both failures. Each failure is
# said as it happens, so its line may come between progress lines.
check_plain() {
    local what=$1 lines
    grep -q $'[\r\033]' "$WORK/err" && fail "$what: a plain line was redrawn: $(od -c "$WORK/err" | head)"
    lines=$(grep -c '^pdl: progress: ' "$WORK/err")
    [ "$lines" -ge 2 ] || fail "$what: $lines progress lines: $(cat "$WORK/err")"
    expect_eq "$(grep '^pdl: progress: ' "$WORK/err" | tail -n 1 | cut -d, -f1)" \
        "pdl: progress: 40/40 tasks (100%)" "$what: last line"
    expect_grep "$WORK/err" " 2 failed, elapsed " "$what: last line"
    failures=$(grep -c '^pdl: http://.*: HTTP 5' "$WORK/err")
    expect_eq "$failures" 2 "$what: each failure said once"
    expect_eq "$(grep -n . "$WORK/err" | grep -v ':pdl: progress: ' |
                 grep -v ':pdl: http://.*: HTTP 5' | head -n 1 | cut -d: -f1)" \
        "$((lines + failures + 1))" "$what: progress and failure lines come first"
}
run_pdl --progress=plain
check_plain "--progress=plain"
run_pdl --progress bar
check_plain "--progress bar into a file"

set +e
"$PDL" --progress=fancy "$WORK/list.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "--progress=fancy: exit status"
expect_grep "$WORK/err" 'pdl: --progress: must be bar, plain, json or none: "fancy"' "--progress=fancy"

# Failures as they happen, and a big file moving the percent: each failure
# line comes before a progress line of the run still under way, past the
# 66% that the two settled tasks make and under 100%: only the bytes of the
# big body in flight can put it there.
# Every mode feeds the counters: threads and async from the worker's own
# memory, processes through the shared mapping.
for mode in $MODES; do
    rc=0
    "$PDL" -m "$mode" -w 1 --discard --no-timeline --progress plain "$WORK/early.txt" 2>"$WORK/err" || rc=$?
    expect_eq "$rc" 1 "$mode: early failures: exit status"
    first_fail=$(grep -n '^pdl: http://.*/status/50[03].*: HTTP 50[03]' "$WORK/err" | head -n 1 | cut -d: -f1)
    [ -n "$first_fail" ] || fail "$mode: early failures: not said: $(cat "$WORK/err")"
    moving=$(grep -n '^pdl: progress: 2/3 tasks (\(6[7-9]\|[7-9][0-9]\)%)' "$WORK/err" | head -n 1 | cut -d: -f1)
    [ -n "$moving" ] || fail "$mode: big file: no progress line with its bytes in flight: $(cat "$WORK/err")"
    [ "$first_fail" -lt "$moving" ] || fail "$mode: early failures: said after the run: $(cat "$WORK/err")"
    expect_eq "$(grep -c 'HTTP 50[03]$' "$WORK/err")" 2 "$mode: early failures: each said once"
done

# --progress json (kept by -q): every line of stderr one JSON object, with
# progress lines (their fields), one task line per task and a message for
# an output that fails while the run goes on.
rc=0
"$PDL" -q -w 2 --discard --timeline /dev/full --progress json "$WORK/early.txt" 2>"$WORK/err" || rc=$?
expect_eq "$rc" 1 "json: exit status"
grep -q $'[\r\033]' "$WORK/err" && fail "json: escape or carriage return: $(od -c "$WORK/err" | head)"
if command -v jq >/dev/null 2>&1; then
    jq -e . "$WORK/err" >/dev/null || fail "json: not JSON lines: $(cat "$WORK/err")"
    expect_eq "$(jq -r .type "$WORK/err" | sort | uniq -c | awk '$1 > 0 {print $2}' | tr '\n' ' ')" \
        "message progress task " "json: types"
    expect_eq "$(jq -r 'select(.type == "task") | "\(.index) \(.status) \(.http)"' "$WORK/err" | sort | tr '\n' ,)" \
        "0 http 500,1 http 503,2 ok 200," "json: tasks"
    expect_eq "$(jq -r 'select(.type == "progress") | [.done, .failed, .total, .bytes, .bytes_in_flight, .size_in_flight, .in_flight, .rate, .task_rate, .elapsed, .percent] | map(type) | unique | join(",")' "$WORK/err" | sort -u)" \
        "number" "json: progress fields are numbers"
    expect_eq "$(jq -r 'select(.type == "progress") | .done' "$WORK/err" | tail -n 1)" 3 "json: last progress line"
    [ "$(jq -r 'select(.type == "progress" and .bytes_in_flight > 0 and .percent > 0 and .percent < 100) | .done' "$WORK/err" | head -n 1)" = 2 ] ||
        fail "json: no line with the big body in flight: $(cat "$WORK/err")"
    expect_grep "$WORK/err" '"type":"message","text":"pdl: /dev/full: No space left on device (the run goes on)"' "json: message"
else
    echo "progress: jq not found, JSON lines not parsed"
    expect_grep "$WORK/err" '{"type":"progress",' "json: progress line"
    expect_grep "$WORK/err" '{"type":"task",' "json: task line"
fi

# On a terminal: frames redrawn with \r and erased at the end, so that the
# summary starts a clean line. script(1) gives pdl a pseudo-terminal.
if command -v script >/dev/null 2>&1; then
    cmd="'$PDL' -w 4 --discard --no-timeline '$WORK/list.txt'"
    TERM=xterm NO_COLOR= script -qec "$cmd" /dev/null </dev/null >"$WORK/tty" 2>&1 || true
    grep -q $'\r\033\\[J' "$WORK/tty" || fail "terminal: no bar drawn: $(od -c "$WORK/tty" | head)"
    grep -q $'\r\033\\[Jpdl: http' "$WORK/tty" ||
        fail "terminal: the bar was not erased before the first failure: $(od -c "$WORK/tty" | tail -40)"
    expect_grep "$WORK/tty" "40 tasks, 38 ok, 2 failed" "terminal: summary"
    # A dumb terminal: a bar all the same, but not one escape byte.
    TERM=dumb NO_COLOR= script -qec "$cmd" /dev/null </dev/null >"$WORK/tty" 2>&1 || true
    grep -q $'\033' "$WORK/tty" && fail "TERM=dumb: escape codes: $(od -c "$WORK/tty" | head -40)"
    grep -q $'\r\\[' "$WORK/tty" || fail "TERM=dumb: no bar drawn: $(od -c "$WORK/tty" | head)"
    expect_grep "$WORK/tty" "40 tasks, 38 ok, 2 failed" "TERM=dumb: summary"
else
    echo "progress: script(1) not found, terminal part skipped"
fi
echo "progress: ok"
