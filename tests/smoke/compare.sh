#!/usr/bin/env bash
# pdl compare: one summary row per configuration and repeat, with numbers,
# each naming a timeline that holds every task; the order rotates between
# repeats; failed tasks are data, a failed run is reported; bad values exit 2
# with the one error form; --chart draws a PNG.
. "$(dirname "$0")/lib.sh"
start_server

for i in $(seq 6); do echo "$BASE/delay/100"; done >"$WORK/list.txt"

"$PDL" compare --modes serial,threads,processes --workers 1,2 --repeat 2 \
    --dir "$WORK/cmp" --discard "$WORK/list.txt" >"$WORK/out" 2>"$WORK/err" ||
    fail "compare exited $?: $(cat "$WORK/err")"
S="$WORK/cmp/summary.tsv"
runs() { awk 'NR > 2' "$S"; }

expect_eq "$(sed -n 1p "$S")" "# pdl-compare 1" "summary tag"
expect_eq "$(sed -n 2p "$S" | tr '\t' ' ')" \
    "mode workers schedule repeat wall makespan user sys maxrss_kb ok failed bytes timeline" \
    "summary header"
expect_eq "$(runs | wc -l)" 10 "summary rows"
expect_eq "$(runs | awk -F'\t' '{ print $1, $2, $3, $4 }' | sort | tr '\n' ',')" \
    "processes 1 dynamic 1,processes 1 dynamic 2,processes 2 dynamic 1,processes 2 dynamic 2,serial 1 dynamic 1,serial 1 dynamic 2,threads 1 dynamic 1,threads 1 dynamic 2,threads 2 dynamic 1,threads 2 dynamic 2," \
    "one row per configuration and repeat"
for m in serial:2 threads:4 processes:4; do
    expect_eq "$(runs | awk -F'\t' -v m="${m%:*}" '$1 == m' | wc -l)" "${m#*:}" "${m%:*} rows"
done

# pdl predict replays each series' run at the fewest workers for every W:
# W=1 predicted within 5 % of that run's own makespan, W=2 at most it.
P="$WORK/cmp/summary-predicted.tsv"
expect_grep "$WORK/err" "pdl compare: predictions: $P" "predictions said"
expect_eq "$(awk -F'\t' 'NR > 2 { print $1, $2 }' "$P" | tr '\n' ',')" \
    "threads 1,threads 2,processes 1,processes 2," "predicted series and workers"
for m in threads processes; do
    p1=$(awk -F'\t' -v m=$m 'NR > 2 && $1 == m && $2 == 1 { print $3 }' "$P")
    p2=$(awk -F'\t' -v m=$m 'NR > 2 && $1 == m && $2 == 2 { print $3 }' "$P")
    k1=$(runs | awk -F'\t' -v m=$m '$1 == m && $2 == 1 && $4 == 1 { print $6 }')
    awk -v p="$p1" -v k="$k1" -v q="$p2" 'BEGIN { exit !(p > 0.95 * k && p < 1.05 * k && q <= p) }' ||
        fail "$m: predicted w1 $p1 s, w2 $p2 s against measured w1 $k1 s"
done

# Numbers where numbers belong; every task ok; the command's wall time
# includes the run's makespan.
bad=$(runs | awk -F'\t' '{
    for (i = 2; i <= 12; i++) if (i != 3 && $i !~ /^[0-9]+(\.[0-9]+)?$/) print NR ": field " i ": " $i
    if ($10 != 6 || $11 != 0) print NR ": ok=" $10 " failed=" $11
    if ($5 + 0 < $6 + 0) print NR ": wall " $5 " < makespan " $6
    if ($9 + 0 <= 0) print NR ": maxrss_kb " $9 }')
expect_eq "$bad" "" "summary fields"

# Each row's timeline is that run's: its mode, its workers, all six tasks.
while IFS=$'\t' read -r mode w _ _ _ makespan _ _ _ _ _ _ tl; do
    [ -f "$tl" ] || fail "timeline $tl missing"
    expect_eq "$(rows "$tl" | wc -l)" 6 "$tl: rows"
    grep -q "^# mode=$mode workers=$w " "$tl" || fail "$tl: metadata: $(sed -n 2p "$tl")"
    expect_eq "$(rows "$tl" | awk -F'\t' '$4 > m { m = $4 } END { printf "%.6f", m }')" \
        "$makespan" "$tl: makespan is the last end"
done < <(runs)

# Repeat 2 starts one configuration later than repeat 1.
expect_eq "$(runs | awk -F'\t' '$4 == 1 { print $1 "-" $2; exit }')" "serial-1" "first run of repeat 1"
expect_eq "$(runs | awk -F'\t' '$4 == 2 { print $1 "-" $2; exit }')" "threads-1" "first run of repeat 2"

# The table and the medians on stdout.
expect_eq "$(grep -cE '^(serial|threads|processes) +[0-9]+ dynamic ' "$WORK/out")" 10 "table rows"
expect_grep "$WORK/out" "median makespan over 2 repeats" "medians"
grep -qE '^  threads +w1 [0-9.]+ s \(x[0-9.]+\)  w2 [0-9.]+ s \(x[0-9.]+\)$' "$WORK/out" ||
    fail "threads median line: $(cat "$WORK/out")"

# A failed task is data (exit 1); a run that cannot start is reported with
# its configuration (exit 2 when no run could be measured).
printf '%s\n' "$BASE/delay/50" "$BASE/status/500" >"$WORK/fail.txt"
set +e
"$PDL" compare --modes threads --workers 2 --dir "$WORK/f" --discard "$WORK/fail.txt" \
    >/dev/null 2>"$WORK/ferr"
rc=$?
set -e
expect_eq "$rc" 1 "compare with a failed task: exit status"
expect_eq "$(awk -F'\t' 'NR > 2 { print $10, $11 }' "$WORK/f/summary.tsv")" "1 1" "ok and failed"
set +e
"$PDL" compare --modes threads --workers 1 --dir "$WORK/g" --timeout soon "$WORK/list.txt" \
    >/dev/null 2>"$WORK/gerr"
rc=$?
set -e
expect_eq "$rc" 2 "compare whose runs all fail: exit status"
expect_grep "$WORK/gerr" "pdl compare: threads -w 1, repeat 1: exited with status 2: " "run error"
expect_grep "$WORK/gerr" "--timeout" "the run's own message"

# --summary -: stdout is the summary TSV, the same bytes as DIR/summary.tsv,
# and no table; with --json - as well, a usage error (one stdout).
"$PDL" compare --modes threads --workers 1,2 --repeat 1 --dir "$WORK/s" \
    --summary - --discard "$WORK/list.txt" >"$WORK/s.tsv" 2>"$WORK/serr" ||
    fail "compare --summary - exited $?: $(cat "$WORK/serr")"
cmp -s "$WORK/s.tsv" "$WORK/s/summary.tsv" || fail "stdout is not the summary: $(head -c 500 "$WORK/s.tsv")"
expect_eq "$(head -n 1 "$WORK/s.tsv")" "# pdl-compare 1" "--summary -: first line"
expect_eq "$(awk 'NR > 2' "$WORK/s.tsv" | wc -l)" 2 "--summary -: rows"
set +e
"$PDL" compare --summary - --json - --dir "$WORK/s2" "$WORK/list.txt" >/dev/null 2>"$WORK/serr"
rc=$?
set -e
expect_eq "$rc" 2 "--summary - with --json -: exit status"
expect_grep "$WORK/serr" "stdout already carries" "--summary - with --json -"

# --json - with the list on stdin: stdout is one JSON document and nothing
# else, whose runs, configurations and predictions agree with the summary
# and summary-predicted.tsv; the copy of stdin is gone afterwards.
"$PDL" compare --modes serial,threads --workers 1,2 --repeat 3 --dir "$WORK/j" \
    --json - --discard - <"$WORK/list.txt" >"$WORK/j.json" 2>"$WORK/jerr" ||
    fail "compare --json - exited $?: $(cat "$WORK/jerr")"
jq -e . "$WORK/j.json" >/dev/null || fail "stdout is not one JSON document: $(head -c 500 "$WORK/j.json")"
expect_eq "$(head -c 1 "$WORK/j.json")" "{" "stdout starts with the document"
J="$WORK/j/summary.tsv"
[ ! -e "$WORK/j/stdin-list.txt" ] || fail "the copy of stdin was left"
expect_eq "$(jq '.runs | length' "$WORK/j.json")" "$(awk 'NR > 2' "$J" | wc -l)" "json runs = summary rows"
expect_eq "$(jq '.runs | length' "$WORK/j.json")" 9 "json runs"
expect_eq "$(jq -r '.runs[] | [.mode, .workers, .schedule, .repeat, .wall, .makespan, .user, .sys, .maxrss_kb, .ok, .failed, .bytes, .timeline] | @tsv' "$WORK/j.json" |
    awk -F'\t' -v OFS='\t' '{ for (i = 5; i <= 8; i++) $i = sprintf("%.6f", $i); print }')" \
    "$(awk 'NR > 2' "$J")" "json runs = summary rows, field by field"
expect_eq "$(jq -r '[.configurations[] | "\(.mode)-\(.workers)-\(.measured_runs)"] | join(",")' "$WORK/j.json")" \
    "serial-1-3,threads-1-3,threads-2-3" "json configurations"
# Median, min and max of each configuration from the summary's makespans.
for cfg in serial:1 threads:1 threads:2; do
    want=$(awk -F'\t' -v m="${cfg%:*}" -v w="${cfg#*:}" 'NR > 2 && $1 == m && $2 == w { print $6 }' "$J" |
        sort -n | awk '{ v[NR] = $1 } END { printf "%.6f %.6f %.6f", v[2], v[1], v[3] }')
    got=$(jq -r --arg m "${cfg%:*}" --argjson w "${cfg#*:}" \
        '.configurations[] | select(.mode == $m and .workers == $w) | .makespan | "\(.median) \(.min) \(.max)"' "$WORK/j.json" |
        awk '{ printf "%.6f %.6f %.6f", $1, $2, $3 }')
    expect_eq "$got" "$want" "$cfg: median, min, max makespan"
done
expect_eq "$(jq -r '.reference.mode' "$WORK/j.json")" serial "reference"
expect_eq "$(jq -r '.reference.makespan' "$WORK/j.json" | awk '{ printf "%.6f", $1 }')" \
    "$(jq -r '.configurations[0].makespan.median' "$WORK/j.json" | awk '{ printf "%.6f", $1 }')" "reference is serial's median"
expect_eq "$(jq -r '.predictions[] | [.series, .workers, .makespan, .from_workers] | @tsv' "$WORK/j.json" |
    awk -F'\t' -v OFS='\t' '{ $3 = sprintf("%.6f", $3); print }')" \
    "$(awk 'NR > 2' "$WORK/j/summary-predicted.tsv")" "json predictions = summary-predicted.tsv"
expect_eq "$(jq '[.configurations[] | select(.mode == "threads") | .predicted != null] | all' "$WORK/j.json")" true \
    "threads configurations carry their prediction"
# --json FILE: the same document in a file, nothing partial left beside it.
"$PDL" compare --modes threads --workers 2 --dir "$WORK/jf" --json "$WORK/jf.json" \
    --discard "$WORK/list.txt" >"$WORK/jf.out" 2>"$WORK/jferr" || fail "compare --json FILE exited $?"
expect_eq "$(jq '.runs | length' "$WORK/jf.json")" 1 "--json FILE runs"
expect_grep "$WORK/jf.out" "median makespan over 1 repeat" "the table still on stdout with --json FILE"
expect_eq "$(ls "$WORK" | grep -c 'jf.json.part')" 0 "no partial JSON left"

check() {
    local want=$1; shift
    set +e
    "$PDL" compare --dir "$WORK/bad" "$@" >/dev/null 2>"$WORK/err"
    local rc=$?
    set -e
    expect_eq "$rc" 2 "pdl compare $*: exit status"
    expect_grep "$WORK/err" "$want" "pdl compare $*"
    [ ! -e "$WORK/bad" ] || fail "pdl compare $*: ran anyway"
}
check 'pdl compare: --workers: must be whole numbers from 1 to 1024, separated by commas: "x"' \
    --workers 1,x "$WORK/list.txt"
check 'pdl compare: --workers: must be whole numbers from 1 to 1024, separated by commas: "0"' \
    -w 0 "$WORK/list.txt"
check 'pdl compare: --workers: empty item in the list: "1,,2"' --workers 1,,2 "$WORK/list.txt"
check 'pdl compare: --workers: listed twice: "2"' --workers=2,2 "$WORK/list.txt"
check 'pdl compare: --modes: unknown mode' --modes serial,fibers "$WORK/list.txt"
check 'pdl compare: --schedules: must be dynamic or static: "guided"' --schedules guided "$WORK/list.txt"
check 'pdl compare: --repeat: must be a whole number from 1 to 100: "101"' --repeat 101 "$WORK/list.txt"
check 'pdl compare: --chart: unknown chart format' --chart c.gif "$WORK/list.txt"
check 'pdl compare: --repeat: needs a value' "$WORK/list.txt" --repeat
check 'pdl compare: --mode: compare sets it for each run; use --modes' --mode threads "$WORK/list.txt"
check 'pdl compare: -t: compare writes one timeline per run into --dir' -t x.tsv "$WORK/list.txt"
check 'pdl compare: no URL list given' --workers 2
check 'pdl compare: --no-timeline: compare reads every run' --no-timeline "$WORK/list.txt"
check 'pdl compare: --continue: every run must perform every task' --continue "$WORK/list.txt"
check 'pdl compare: --frobnicate: unknown option' --frobnicate "$WORK/list.txt"
check 'pdl compare: --summary: empty name' --summary '' "$WORK/list.txt"
check 'pdl compare: --json: empty name' --json '' "$WORK/list.txt"
check 'pdl compare: --dir: must name a file (- is not stdout here): "-"' --dir - "$WORK/list.txt"
"$PDL" compare --help | grep -q -- "--schedules LIST" || fail "compare --help lacks --schedules"

if ! command -v gnuplot >/dev/null; then
    echo "compare: gnuplot not found, the chart is not checked"
    echo "compare: ok"
    exit 0
fi
"$PDL" compare --modes serial,threads --workers 2 --dir "$WORK/c" --chart "$WORK/c.png" \
    --discard "$WORK/list.txt" >/dev/null 2>"$WORK/cerr" || fail "compare --chart exited $?: $(cat "$WORK/cerr")"
[ -f "$WORK/c.png" ] || fail "no chart: $(cat "$WORK/cerr")"
expect_eq "$(head -c 4 "$WORK/c.png" | od -An -tx1 | tr -d ' \n')" "89504e47" "PNG magic"
size=$(wc -c <"$WORK/c.png")
[ "$size" -gt 10240 ] || fail "chart is only $size bytes"

# The predicted makespan over the measured points: one dashed line and one
# legend entry per predicted series, and the note on how far it was off.
"$PDL" compare --modes serial,threads,processes --workers 1,2,4 --dir "$WORK/p" \
    --chart "$WORK/p.svg" --discard "$WORK/list.txt" >/dev/null 2>"$WORK/perr" ||
    fail "compare --chart .svg exited $?: $(cat "$WORK/perr")"
for m in threads processes; do
    expect_grep "$WORK/p.svg" "$m predicted from W=1" "legend of $m's prediction"
done
expect_eq "$(grep -c 'predicted from W=' "$WORK/p.svg")" 2 "one legend entry per predicted series"
expect_grep "$WORK/p.svg" "from the measured medians" "how far predictions are from the medians"
err=$(sed -n 's/.*at most \([0-9.]*\) % from the measured medians.*/\1/p' "$WORK/p.svg" | head -1)
echo "compare: predictions at most $err % from the measured medians"
# Each prediction is a dashed path in its series' colour (Okabe & Ito blue
# and orange for the first two series after serial) through its three W:
# two segments, where the legend's sample has one.
for rgb in '0, *114, *178' '230, *159, *0'; do
    n=$(grep -cE "stroke='rgb\( *$rgb\)' stroke-dasharray='[^']*' +d='M[0-9.,]+ L[0-9.,]+ L[0-9.,]+ +'" "$WORK/p.svg" || true)
    expect_eq "$n" 1 "dashed prediction path in rgb($rgb)"
done
echo "compare: ok"
