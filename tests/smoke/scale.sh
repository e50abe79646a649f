#!/usr/bin/env bash
# Streaming at scale, in bounded memory. 200,000 URLs (one line of a
# pattern, and a plain list of the same size) in each mode: every task
# appears in the timeline exactly once, the timeline ends complete, and the
# peak RSS measured here does not grow with the list (200,000 tasks against
# 20,000 at the same W). A run killed with SIGKILL leaves on disk every row
# settled more than 50 ms before, in a timeline whose rows parse, and
# --continue then runs only what is missing.
. "$(dirname "$0")/lib.sh"
[ -x /usr/bin/time ] || skip "/usr/bin/time is not installed (Debian: time)"
start_server

big=200000 small=20000
seq 0 $((big - 1)) | sed "s|^|$BASE/bytes/1?i=|" >"$WORK/big.txt"
head -n $small "$WORK/big.txt" >"$WORK/small.txt"
echo "$BASE/bytes/1?i=[0-$((big - 1))]" >"$WORK/pattern.txt"

# Peak RSS (KiB) of pdl on list $2 in mode $1; the timeline goes to $3.
peak() {
    /usr/bin/time -f %M -o "$WORK/rss" "$PDL" -m "$1" -w 16 --discard -q \
        -t "$3" "$2" 2>"$WORK/err" || fail "$1 on $2 exited $?: $(tail -3 "$WORK/err")"
    cat "$WORK/rss"
}

# Every id from 0 to n-1 once, and the end line.
check_once() {
    local tl=$1 n=$2 what=$3
    expect_eq "$(rows "$tl" | cut -f1 | uniq -d | wc -l)" 0 "$what: ids seen twice"
    expect_eq "$(rows "$tl" | wc -l)" "$n" "$what: rows"
    expect_eq "$(rows "$tl" | head -1 | cut -f1) $(rows "$tl" | tail -1 | cut -f1)" \
        "0 $((n - 1))" "$what: first and last id"
    expect_eq "$(rows "$tl" | awk -F'\t' '$11 != "ok"' | wc -l)" 0 "$what: rows not ok"
    expect_eq "$(tail -n 1 "$tl")" \
        "$(printf '# end tasks=%d ok=%d failed=0 ' "$n" "$n")$(tail -n 1 "$tl" | sed 's/.* wall=/wall=/')" \
        "$what: end line"
    head -2 "$tl" | grep -q " complete=1 *$" || fail "$what: metadata not completed"
}

for mode in $MODES; do
    [ "$mode" = serial ] && continue
    small_kib=$(peak "$mode" "$WORK/small.txt" "$WORK/s.tsv")
    big_kib=$(peak "$mode" "$WORK/big.txt" "$WORK/b.tsv")
    check_once "$WORK/b.tsv" $big "$mode list"
    # Growth with the list: the repeat counter's table (at most 1 MiB) and
    # allocator noise; a record kept per task would cost 50 MB here.
    [ $((big_kib - small_kib)) -le 6144 ] ||
        fail "$mode: peak RSS grew from $small_kib KiB ($small tasks) to $big_kib KiB ($big tasks)"
    echo "$mode: peak RSS $small_kib KiB at $small tasks, $big_kib KiB at $big"
    pat_kib=$(peak "$mode" "$WORK/pattern.txt" "$WORK/p.tsv")
    check_once "$WORK/p.tsv" $big "$mode pattern"
    [ $((pat_kib - small_kib)) -le 6144 ] ||
        fail "$mode: a $big-task pattern took $pat_kib KiB"
done

# SIGKILL mid-run: the rows written so far parse, and --continue fetches
# only what is missing.
if want_mode async; then
    out="$WORK/dl" tl="$WORK/k.tsv"
    seq 0 399 | sed "s|^|$BASE/delay/25?i=|" >"$WORK/slow.txt"
    "$PDL" -m async -w 8 -q -o "$out" -t "$tl" "$WORK/slow.txt" 2>"$WORK/err" &
    pid=$!
    for _ in $(seq 200); do
        n=$(ls "$out" 2>/dev/null | wc -l)
        [ "$n" -ge 40 ] && break
        sleep 0.05
    done
    # Rows are written out every 50 ms: a task settled before that is on
    # disk when the kill comes.
    sleep 0.2
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null || true
    part=$(ls "$WORK"/k.tsv.part-* 2>/dev/null | head -1)
    [ -n "$part" ] || fail "SIGKILL: no partial timeline beside $tl"
    head -2 "$part" | grep -q " complete=0 " || fail "SIGKILL: partial timeline not marked incomplete"
    done_rows=$(rows "$part" | awk -F'\t' '$11 == "ok"' | wc -l)
    [ "$done_rows" -ge 40 ] || fail "SIGKILL: only $done_rows finished rows on disk"
    "$PDL" export "$part" "$WORK/k.jsonl" || fail "SIGKILL: the partial timeline does not parse"
    # Every finished row's file is there.
    rows "$part" | awk -F'\t' '$11 == "ok" { sub(/.*\//, "", $14); sub(/\?/, "_", $14); print $14 }' |
        while read -r f; do [ -f "$out/$f" ] || fail "SIGKILL: $f recorded ok but missing"; done
    "$PDL" -m async -w 8 --continue -o "$out" -t "$tl" "$WORK/slow.txt" 2>"$WORK/err" ||
        fail "--continue after SIGKILL exited $?: $(tail -3 "$WORK/err")"
    expect_grep "$WORK/err" "partial timelines of killed runs" "--continue adopts the killed run's rows"
    skipped=$(rows "$tl" | awk -F'\t' '$11 == "skipped"' | wc -l)
    [ "$skipped" -ge "$done_rows" ] || fail "--continue skipped $skipped, the killed run finished $done_rows"
    expect_eq "$(rows "$tl" | wc -l)" 400 "--continue: rows"
    expect_eq "$(ls "$WORK" | grep -c 'k.tsv.part-')" 0 "--continue: partial timelines removed"
    expect_eq "$(ls -A "$out" | wc -l)" 400 "--continue: files"
fi
echo "scale: ok"
