#!/usr/bin/env bash
# --rate spaces task starts evenly across all workers, and --per-host caps
# transfers to one host, in every mode (asserted on the timeline).
. "$(dirname "$0")/lib.sh"
start_server

for i in $(seq 10); do echo "$BASE/delay/10?n=$i"; done >"$WORK/ten.txt"
for i in $(seq 8); do echo "$BASE/delay/200?n=$i"; done >"$WORK/eight.txt"
for mode in $MODES; do
    [ "$mode" = serial ] && continue
    "$PDL" -q -m "$mode" -w 4 --rate 20/s --discard -t "$WORK/r.tsv" "$WORK/ten.txt" ||
        fail "$mode --rate exited $?"
    # 10 starts at 20/s: the k-th no earlier than (k-1) x 50 ms after the
    # first (a worker that wakes late makes one gap shorter, never the pace
    # faster), with 5 ms for the clock reads.
    early=$(rows "$WORK/r.tsv" | cut -f3 | sort -g |
        awk 'NR == 1 { f = $1 } { d = ($1 - f) * 1000 - (NR - 1) * 50; if (d < m) m = d }
             END { printf "%d", -m }')
    [ "$early" -le 5 ] || fail "$mode --rate 20/s: a start $early ms ahead of the pace"
    "$PDL" -q -m "$mode" -w 8 --per-host 2 --discard -t "$WORK/h.tsv" "$WORK/eight.txt" ||
        fail "$mode --per-host exited $?"
    expect_eq "$(max_overlap "$WORK/h.tsv")" 2 "$mode --per-host 2: max in flight"
done
echo "limits: ok"
