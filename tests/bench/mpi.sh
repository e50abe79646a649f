#!/usr/bin/env bash
# The mpi mode on one machine: N x /delay/MS with 1, 2 and 3 ranks of -w W
# each, against the bundled server, next to the ideal ceil(N/(R x W)) x MS.
# Prints a markdown table; a measurement, never a pass/fail test. Makespan is
# the merged timeline's (first start to last end, on rank 0's clock); the
# command wall includes mpirun starting and ending the ranks.
# Usage: tests/bench/mpi.sh [BUILD_DIR] [N] [MS] [W] [RANKS...]
# Open MPI as root needs OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; MPIRUN picks another launcher.
set -eu
build=${1:-build} n=${2:-200} ms=${3:-100} w=${4:-4}
shift $(( $# < 4 ? $# : 4 ))
ranks=${*:-1 2 3}
mpirun=${MPIRUN:-mpirun}
flags=()
if "$mpirun" --version 2>&1 | grep -qiE "open mpi|openrte"; then
    flags=(--oversubscribe)
    export OMPI_MCA_btl_vader_single_copy_mechanism=none # containers
fi
work=$(mktemp -d)
"$build/pdl-testd" --port 0 --port-file "$work/port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
for i in $(seq "$n"); do echo "http://127.0.0.1:$(cat "$work/port")/delay/$ms?n=$i"; done >"$work/list"

# The value of metadata key $2 in timeline $1: on its metadata line or, for
# the keys known only at the end (version 4), on its "# end" line.
meta() {
    grep '^#' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | tail -1
}

echo "| ranks | -w | makespan (s) | ideal (s) | efficiency | command wall (s) | max in flight | messages per task | clock error (µs) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $ranks; do
    t0=$(date +%s%N)
    "$mpirun" "${flags[@]}" -n "$r" "$build/pdl" -q --mode mpi -w "$w" --discard \
        -t "$work/t.tsv" "$work/list"
    t1=$(date +%s%N)
    inflight=$(awk -F'\t' '$1 ~ /^[0-9]+$/ { print $3, 1; print $4, -1 }' "$work/t.tsv" |
        sort -k1,1g -k2,2n | awk '{ c += $2; if (c > m) m = c } END { print m + 0 }')
    awk -F'\t' -v r="$r" -v w="$w" -v n="$n" -v ms="$ms" -v cmd=$(( (t1 - t0) / 1000 )) \
        -v inflight="$inflight" -v mpt="$(meta "$work/t.tsv" messages_per_task)" \
        -v clk="$(meta "$work/t.tsv" clock_error_us)" '
        $1 ~ /^[0-9]+$/ { if ($4 > wall) wall = $4 }
        END {
            ideal = int((n + r * w - 1) / (r * w)) * ms / 1000
            printf "| %d | %d | %.3f | %.3f | %.3f | %.3f | %d | %s | %s |\n", r, w, wall,
                ideal, ideal / wall, cmd / 1e6, inflight, mpt, clk
        }' "$work/t.tsv"
done
