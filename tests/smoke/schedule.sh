#!/usr/bin/env bash
# Scheduling as a lab variable. On a skewed list (four slow tasks first),
# static slices give worker 0 all the slow ones in a row, so its makespan is
# larger than dynamic's, which spreads them over four workers; --chunk N
# hands out runs of N consecutive tasks; pdl compare shows the difference.
. "$(dirname "$0")/lib.sh"
start_server

{
    for i in $(seq 4); do echo "$BASE/delay/800"; done
    for i in $(seq 12); do echo "$BASE/delay/100"; done
} >"$WORK/skewed.txt"

makespan() {
    rows "$1" | awk -F'\t' '$4 > m { m = $4 } END { print m + 0 }'
}

run() {
    local out=$1; shift
    "$PDL" "$@" --discard -q --timeline "$out" "$WORK/skewed.txt" 2>"$WORK/err" ||
        fail "pdl $* exited $?: $(cat "$WORK/err")"
    expect_eq "$(rows "$out" | awk -F'\t' '$11 == "ok"' | wc -l)" 16 "pdl $*: ok rows"
}

for mode in threads processes; do
    st="$WORK/$mode-static.tsv" dy="$WORK/$mode-dynamic.tsv"
    run "$st" --mode "$mode" -w 4 --schedule static
    run "$dy" --mode "$mode" -w 4 --schedule dynamic
    expect_eq "$(rows "$st" | awk -F'\t' '$1 <= 3 { print $2 }' | sort -u | tr '\n' ' ')" "0 " \
        "$mode static: workers of the slow tasks 0-3"
    expect_eq "$(rows "$st" | awk -F'\t' '$2 == 0 { print $1 }' | sort -n | tr '\n' ' ')" "0 1 2 3 " \
        "$mode static: tasks of worker 0"
    expect_eq "$(rows "$dy" | awk -F'\t' '$1 <= 3 { print $2 }' | sort -u | wc -l)" 4 \
        "$mode dynamic: distinct workers of the slow tasks"
    ms=$(makespan "$st") md=$(makespan "$dy")
    awk -v s="$ms" -v d="$md" 'BEGIN { exit !(s > d) }' ||
        fail "$mode: static makespan $ms is not larger than dynamic $md"
done

# --chunk 4, dynamic, 16 tasks over 3 workers: sorted by worker and start,
# each worker's task ids come in runs of 4 consecutive ids, 4k to 4k+3.
for i in $(seq 16); do echo "$BASE/delay/50?n=$i"; done >"$WORK/sixteen.txt"
for mode in threads processes; do
    "$PDL" --mode "$mode" -w 3 --chunk 4 --discard -q --timeline "$WORK/chunk.tsv" \
        "$WORK/sixteen.txt" 2>"$WORK/err" || fail "$mode --chunk 4 exited $?: $(cat "$WORK/err")"
    expect_eq "$(rows "$WORK/chunk.tsv" | wc -l)" 16 "$mode --chunk 4: rows"
    bad=$(rows "$WORK/chunk.tsv" | sort -t$'\t' -k2,2n -k3,3g |
        awk -F'\t' '{ k = (NR - 1) % 4
                      if (k == 0) { first = $1; w = $2; if (first % 4) print "run starts at " $1 }
                      else if ($1 != first + k || $2 != w) print "task " $1 " on worker " $2 " breaks the run from " first }')
    expect_eq "$bad" "" "$mode --chunk 4: runs of 4"
done

# pdl compare shows it too: static's median makespan is the larger.
"$PDL" compare --modes threads --workers 4 --schedules dynamic,static --dir "$WORK/cmp" \
    --discard "$WORK/skewed.txt" >"$WORK/out" 2>"$WORK/err" ||
    fail "compare exited $?: $(cat "$WORK/err")"
S="$WORK/cmp/summary.tsv"
expect_eq "$(awk -F'\t' 'NR > 2 { print $3 }' "$S" | sort | tr '\n' ' ')" "dynamic static " "compare rows"
ms=$(awk -F'\t' '$3 == "static" { print $6 }' "$S")
md=$(awk -F'\t' '$3 == "dynamic" { print $6 }' "$S")
awk -v s="$ms" -v d="$md" 'BEGIN { exit !(s > d) }' ||
    fail "compare: static makespan $ms is not larger than dynamic $md"
grep -qE '^  threads static +w4 ' "$WORK/out" || fail "compare: no median line for static: $(cat "$WORK/out")"
# Processes mode sends a worker its next task while it runs the current
# one; a worker left idle takes a queued task back before it starts. With
# two workers on [short, long, X, Y]: worker A runs short then X, worker B
# long with Y queued behind it; once A is done with X it must run Y, not
# leave it waiting behind long.
{ echo "$BASE/bytes/16"; echo "$BASE/delay/2000"
  echo "$BASE/delay/300?x"; echo "$BASE/delay/300?y"; } >"$WORK/queued.txt"
"$PDL" -m processes -w 2 --discard -q -t "$WORK/q.tsv" "$WORK/queued.txt" ||
    fail "processes queue: exit $?"
expect_eq "$(column "$WORK/q.tsv" status | sort | uniq -c | awk '{ print $1, $2 }')" "4 ok" \
    "processes queue: statuses"
a=$(field "$WORK/q.tsv" 0 2) b=$(field "$WORK/q.tsv" 1 2)
[ "$a" != "$b" ] || fail "processes queue: short and long on one worker"
expect_eq "$(field "$WORK/q.tsv" 3 2)" "$a" "processes queue: Y's worker (the idle one)"
awk -v y="$(field "$WORK/q.tsv" 3 3)" -v e="$(field "$WORK/q.tsv" 1 4)" 'BEGIN { exit !(y < e) }' ||
    fail "processes queue: Y started after long ended: $(rows "$WORK/q.tsv")"
echo "schedule: ok"
