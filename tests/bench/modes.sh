#!/usr/bin/env bash
# Wall time of N x /delay/MS for every mode at several worker counts, next to
# the ideal ceil(N/W) x MS, against the bundled server. Prints a markdown
# table; a measurement, never a pass/fail test.
# Usage: tests/bench/modes.sh [BUILD_DIR] [N] [MS] [WORKERS...]
set -eu
build=${1:-build} n=${2:-40} ms=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
workers=${*:-1 2 4 8}
work=$(mktemp -d)
"$build/pdl-testd" --port 0 --port-file "$work/port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
for i in $(seq "$n"); do echo "http://127.0.0.1:$(cat "$work/port")/delay/$ms?n=$i"; done >"$work/list"

echo "| mode | -w | makespan (s) | ideal (s) | efficiency | command wall (s) | max in flight |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in ${MODES:-serial threads processes async}; do
    for w in $workers; do
        [ "$mode" = serial ] && [ "$w" != 1 ] && continue
        t0=$(date +%s%N)
        "$build/pdl" -q -m "$mode" -w "$w" --discard -t "$work/t.tsv" "$work/list"
        t1=$(date +%s%N)
        awk -F'\t' -v mode="$mode" -v w="$w" -v n="$n" -v ms="$ms" -v cmd=$(( (t1 - t0) / 1000 )) '
            $1 ~ /^[0-9]+$/ { if ($4 > wall) wall = $4 }
            END {
                ideal = int((n + w - 1) / w) * ms / 1000
                printf "| %s | %d | %.3f | %.3f | %.3f | %.3f |", mode, w, wall, ideal, ideal / wall, cmd / 1e6
            }' "$work/t.tsv"
        awk -F'\t' '$1 ~ /^[0-9]+$/ { print $3, 1; print $4, -1 }' "$work/t.tsv" |
            sort -k1,1g -k2,2n | awk '{ c += $2; if (c > m) m = c } END { printf " %d |\n", m }'
    done
done
