#!/usr/bin/env bash
# Open-file limits: pdl raises its soft RLIMIT_NOFILE to what W workers hold,
# so a low soft limit costs no download; below the hard limit it refuses the
# run before starting it, naming --workers and the limit, instead of letting
# transfers fail part way with "Couldn't connect".
. "$(dirname "$0")/lib.sh"
start_server

n=120
for i in $(seq $n); do echo "$BASE/delay/1000?n=$i"; done >"$WORK/list.txt"

# 120 workers under a soft limit of 64: threads hold three descriptors each,
# async and the processes' parent one, so each needs the raise.
for mode in $MODES; do
    [ "$mode" = serial ] && continue
    (ulimit -Sn 64 && "$PDL" -q -m "$mode" -w $n -o "$WORK/out-$mode" -t "$WORK/$mode.tsv" "$WORK/list.txt") \
        2>"$WORK/err" || fail "$mode -w $n under ulimit -Sn 64 exited $?: $(tail -3 "$WORK/err")"
    expect_eq "$(rows "$WORK/$mode.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" $n "$mode: ok rows"
    expect_eq "$(max_overlap "$WORK/$mode.tsv")" $n "$mode: max in flight"
    expect_eq "$(ls -A "$WORK/out-$mode" | wc -l)" $n "$mode: files"
done

# Under a hard limit of 64, 120 threads cannot have their sockets: refused
# before anything is downloaded or written, with the exit code of a usage
# error; the -o folders it made (-o is made first) are gone again, a
# folder that was there stays as it was.
set +e
(ulimit -n 64 && "$PDL" -q -m threads -w $n -o "$WORK/none/deeper" -t "$WORK/none.tsv" "$WORK/list.txt") 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "threads -w $n under ulimit -n 64: exit status"
expect_grep "$WORK/err" "pdl: --workers $n: $n workers in threads mode hold 392 open files at least, and this process may open 64" "refusal"
[ ! -e "$WORK/none.tsv" ] || fail "a refused run wrote a timeline"
[ ! -e "$WORK/none" ] || fail "a refused run left the folder it made: $(ls -AR "$WORK/none")"
mkdir "$WORK/there" && echo kept >"$WORK/there/old"
(ulimit -n 64 && "$PDL" -q -m threads -w $n -o "$WORK/there" --no-timeline "$WORK/list.txt") 2>/dev/null &&
    fail "threads -w $n under ulimit -n 64 ran"
expect_eq "$(ls -A "$WORK/there")" "old" "a refused run's existing folder"
# What counts is the workers that run, no more than there are tasks: 120
# asked for a list of 3 fit the same limit.
head -3 "$WORK/list.txt" >"$WORK/three.txt"
(ulimit -n 64 && "$PDL" -q -m threads -w $n --discard -t "$WORK/3.tsv" "$WORK/three.txt") \
    2>"$WORK/err" || fail "threads -w $n for 3 tasks under ulimit -n 64 exited $?: $(tail -3 "$WORK/err")"
expect_eq "$(rows "$WORK/3.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 3 "3 tasks: ok rows"

# Serial runs one transfer whatever -w says, so the same limit is enough.
if want_mode serial; then
    (ulimit -n 64 && "$PDL" -q -m serial -w $n --discard -t "$WORK/s.tsv" "$WORK/three.txt") \
        2>"$WORK/err" || fail "serial -w $n under ulimit -n 64 exited $?: $(tail -3 "$WORK/err")"
    expect_eq "$(rows "$WORK/s.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 3 "serial: ok rows"
fi
echo "descriptors: ok"
