#!/usr/bin/env bash
# Large timelines: 200,000 generated rows (charts_gen.awk) are drawn as the
# overview, from bins computed in one streaming pass, in the task and worker
# views and as PNG, SVG and PDF; rows in completion order too; a broken row
# far down is reported with its line. Times are for the record, never
# asserted (see the README for measured figures).
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot missing"
gen=$(dirname "$0")/charts_gen.awk

awk -v n=200000 -v w=64 -f "$gen" >"$WORK/big.tsv"
start=$(date +%s.%N)
"$PDL" chart "$WORK/big.tsv" "$WORK/big.png" "$WORK/big.svg" "$WORK/big.pdf" 2>"$WORK/err" ||
    fail "pdl chart on 200,000 rows: $(cat "$WORK/err")"
echo "200,000 rows, 3 outputs: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f s", e - s }')"
expect_grep "$WORK/err" "200000 tasks: drawn as an overview over time (--by task draws up to 2000)" "cut-over note"
[ "$(head -c 4 "$WORK/big.png" | od -An -c | tr -d ' \n')" = '211PNG' ] || fail "big.png is not a PNG"
[ "$(head -c 5 "$WORK/big.pdf")" = '%PDF-' ] || fail "big.pdf is not a PDF"
grep -q '</svg>' "$WORK/big.svg" || fail "big.svg is not an SVG"
expect_grep "$WORK/big.svg" "200,000 tasks" "overview title"
expect_grep "$WORK/big.svg" "workers that ran = 64" "overview: workers"
for f in big.png big.svg big.pdf; do
    [ "$(stat -c %s "$WORK/$f")" -ge 20000 ] || fail "$f is only $(stat -c %s "$WORK/$f") bytes"
    [ "$(stat -c %s "$WORK/$f")" -le 2000000 ] || fail "$f is $(stat -c %s "$WORK/$f") bytes"
done

# The worker view, rows as tasks end, and the run's own --chart path.
awk -v n=200000 -v w=64 -v order=end -f "$gen" >"$WORK/ends.tsv"
"$PDL" chart --by worker "$WORK/ends.tsv" "$WORK/ends.png" 2>"$WORK/err" || fail "worker view: $(cat "$WORK/err")"
expect_grep "$WORK/err" "(--by worker draws up to 10000)" "worker view cut-over"
[ "$(head -c 4 "$WORK/ends.png" | od -An -c | tr -d ' \n')" = '211PNG' ] || fail "ends.png is not a PNG"

# A broken row near the end: the line is named, nothing is drawn.
awk 'NR == 150000 { print "17\t3\tsoon"; next } { print }' "$WORK/big.tsv" >"$WORK/broken.tsv"
set +e
"$PDL" chart "$WORK/broken.tsv" "$WORK/broken.png" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "broken timeline: exit status"
expect_grep "$WORK/err" "line 150000: expected 17 tab-separated fields, found 3" "broken row"
[ ! -e "$WORK/broken.png" ] || fail "a chart of a broken timeline"
echo "charts_big: ok"
