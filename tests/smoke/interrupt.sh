#!/usr/bin/env bash
# SIGINT or SIGTERM mid-run, in every mode: pdl stops dispatching, aborts the
# transfers in flight within about a second, leaves no temporary file, still
# writes the timeline (in-flight tasks "interrupted", the rest "not-run"), and
# exits 130 or 143. Finished tasks keep their files.
. "$(dirname "$0")/lib.sh"
start_server

{
    echo "$BASE/bytes/100"
    for i in $(seq 8); do echo "$BASE/delay/20000?n=$i"; done
} >"$WORK/list.txt"

check() {
    local mode=$1 sig=$2 want=$3 inflight=$4 out="$WORK/out-$1-$2"
    "$PDL" -m "$mode" -w 3 -o "$out" -t "$WORK/t.tsv" "$WORK/list.txt" 2>"$WORK/err" &
    local pid=$!
    # Wait for the first task to finish and the slow ones to be in flight.
    for _ in $(seq 100); do [ -e "$out/100" ] && break; sleep 0.05; done
    sleep 0.3
    local t0=$(date +%s%N)
    kill -"$sig" "$pid"
    set +e
    wait "$pid"; local rc=$?
    set -e
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    expect_eq "$rc" "$want" "$mode $sig: exit status"
    [ "$ms" -lt 5000 ] || fail "$mode $sig: took $ms ms to stop"
    expect_eq "$(ls -A "$out" | tr '\n' ' ')" "100 " "$mode $sig: folder contents"
    expect_eq "$(rows "$WORK/t.tsv" | wc -l)" 9 "$mode $sig: timeline rows"
    expect_eq "$(field "$WORK/t.tsv" 0 11)" ok "$mode $sig: first task"
    expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "interrupted"' | wc -l)" "$inflight" \
        "$mode $sig: interrupted rows"
    expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "not-run"' | wc -l)" $((8 - inflight)) \
        "$mode $sig: not-run rows"
    expect_grep "$WORK/err" "pdl: interrupted by SIG$sig" "$mode $sig"
}

want_mode threads && check threads INT 130 3
want_mode processes && check processes TERM 143 3
want_mode async && check async INT 130 3
want_mode serial && check serial INT 130 1
echo "interrupt: ok"
