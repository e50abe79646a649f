#!/usr/bin/env bash
# The progress display: absent when stderr is a file (by default, with
# --progress=none and with -q); plain lines, never redrawn, with
# --progress=plain (and with bar, which cannot be redrawn in a file); an
# unknown style is a usage error; on a terminal (through script(1), when
# present) a bar redrawn in place and erased before the summary.
. "$(dirname "$0")/lib.sh"
start_server

{
    for i in $(seq 38); do echo "$BASE/delay/100?n=$i"; done
    echo "$BASE/status/500?n=1"
    echo "$BASE/status/500?n=2"
} >"$WORK/list.txt"

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
expect_grep "$WORK/err" 'pdl: --progress: must be bar, plain or none: "fancy"' "--progress=fancy"

# On a terminal: frames redrawn with \r and erased at the end, so that the
# summary starts a clean line. script(1) gives pdl a pseudo-terminal.
if command -v script >/dev/null 2>&1; then
    cmd="'$PDL' -w 4 --discard --no-timeline '$WORK/list.txt'"
    NO_COLOR= script -qec "$cmd" /dev/null </dev/null >"$WORK/tty" 2>&1 || true
    grep -q $'\r\033\\[K' "$WORK/tty" || fail "terminal: no bar drawn: $(od -c "$WORK/tty" | head)"
    grep -q $'\r\033\\[Kpdl: http' "$WORK/tty" ||
        fail "terminal: the bar was not erased before the first failure: $(od -c "$WORK/tty" | tail -40)"
    expect_grep "$WORK/tty" "40 tasks, 38 ok, 2 failed" "terminal: summary"
else
    echo "progress: script(1) not found, terminal part skipped"
fi
echo "progress: ok"
