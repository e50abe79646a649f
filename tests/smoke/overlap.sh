#!/usr/bin/env bash
# Every mode on 8 x /delay/200: serial never overlaps; threads, processes and
# async with -w 4 reach exactly 4 tasks in flight and never more; the bodies are
# saved byte for byte; every task is done exactly once; async records its
# event loops (one for every 16 workers, at most one per CPU) in the
# metadata.
. "$(dirname "$0")/lib.sh"
start_server

for i in $(seq 8); do echo "$BASE/delay/200"; done >"$WORK/list.txt"

check_mode() {
    local mode=$1 want=$2 out="$WORK/out-$1"
    "$PDL" --mode "$mode" -w 4 -o "$out" --timeline "$WORK/$mode.tsv" \
        "$WORK/list.txt" 2>"$WORK/$mode.err" || fail "$mode exited $?: $(cat "$WORK/$mode.err")"
    expect_eq "$(rows "$WORK/$mode.tsv" | wc -l)" 8 "$mode: rows"
    expect_eq "$(rows "$WORK/$mode.tsv" | cut -f1 | sort -n | uniq | wc -l)" 8 "$mode: distinct ids"
    expect_eq "$(rows "$WORK/$mode.tsv" | awk -F'\t' '$11 != "ok"' | wc -l)" 0 "$mode: failed rows"
    expect_eq "$(max_overlap "$WORK/$mode.tsv")" "$want" "$mode: max overlap"
    expect_eq "$(rows "$WORK/$mode.tsv" | cut -f2 | sort -u | wc -l)" "$want" "$mode: workers used"
    expect_eq "$(ls -A "$out" | wc -l)" 8 "$mode: files in output"
    for f in "$out"/*; do
        expect_eq "$(cat "$f")" "delayed 200 ms" "$mode: body of $f"
    done
    grep -q "^# mode=$mode workers=$want tasks=8 ok=8 failed=0 " "$WORK/$mode.tsv" ||
        fail "$mode: metadata line: $(sed -n 2p "$WORK/$mode.tsv")"
    # Async mode runs an event loop for every 16 workers, at most one per
    # CPU; the other modes have no loops to record.
    local loops
    loops=$(sed -n 2p "$WORK/$mode.tsv" | grep -o ' loops=[0-9]*' || true)
    if [ "$mode" = async ]; then
        local per16=$(((want + 15) / 16))
        expect_eq "$loops" " loops=$(($(nproc) < per16 ? $(nproc) : per16))" "async: loops"
    else
        expect_eq "$loops" "" "$mode: loops"
    fi
}

for mode in $MODES; do
    check_mode "$mode" "$([ "$mode" = serial ] && echo 1 || echo 4)"
done
echo "overlap: ok"
