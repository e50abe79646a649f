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
    # 10 starts at 20/s: each at least ~50 ms after the one before.
    gaps=$(rows "$WORK/r.tsv" | cut -f3 | sort -g |
        awk 'NR > 1 { g = $1 - p; if (min == "" || g < min) min = g } { p = $1 } END { printf "%d", min * 1000 }')
    [ "$gaps" -ge 45 ] || fail "$mode --rate 20/s: two starts only $gaps ms apart"
    "$PDL" -q -m "$mode" -w 8 --per-host 2 --discard -t "$WORK/h.tsv" "$WORK/eight.txt" ||
        fail "$mode --per-host exited $?"
    expect_eq "$(max_overlap "$WORK/h.tsv")" 2 "$mode --per-host 2: max in flight"
done
echo "limits: ok"
