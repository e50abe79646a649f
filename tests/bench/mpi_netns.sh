#!/usr/bin/env bash
# The mpi mode on 1, 2 and 3 network-namespace nodes (tests/smoke/netns_cluster.sh:
# 25 ms round trips to the origin, 10 ms between nodes, one rank per node),
# on a latency-bound list (N x /delay/MS) and a request-rate list
# (M x /bytes/64). Prints a markdown table: makespan and tasks per second
# from the merged timeline, messages per task from its metadata, and the CPU
# time of each rank (bash's `time` around pdl), from which the cost of rank
# 0's dispatching per task is estimated: rank 0's CPU minus what its own
# tasks cost at the followers' rate, every rank's CPU taken net of what a run
# of 3 tasks costs it (start, MPI, clocks, end). A measurement, never a
# pass/fail test.
# Needs root; every node shares this machine's cores.
# Usage: tests/bench/mpi_netns.sh [BUILD_DIR] [N] [MS] [W] [M] [W_RATE] [NODES...]
set -eu
build=$(cd "${1:-build}" && pwd)
n=${2:-300} ms=${3:-100} w=${4:-8} m=${5:-20000} wrate=${6:-32}
shift $(($# < 6 ? $# : 6))
nodes_list=${*:-1 2 3}
PDL=$build/pdl PDL_TESTD=$build/pdl-testd
PDL_NETDELAY=${PDL_NETDELAY:-$build/tests/tools/pdl-netdelay}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pdl-bench.XXXXXX")
fail() {
    echo "mpi_netns bench: $*" >&2
    exit 1
}
skip() {
    echo "mpi_netns bench: cannot run here: $*" >&2
    exit 77
}
. "$(dirname "$0")/../smoke/netns_cluster.sh"
trap 'cluster_down; rm -rf "$WORK"' EXIT
cluster_require
cluster_up 3
[ "$CLUSTER_DELAY" != none ] || echo "note: no delay on the wire (neither netem nor NFQUEUE)" >&2

# Each rank's CPU time, on its stderr, after pdl ends.
cat >"$WORK/cpu.sh" <<'EOF'
#!/bin/bash
TIMEFORMAT="pdl-cpu rank=$OMPI_COMM_WORLD_RANK user=%3U sys=%3S"
time "$@"
EOF
chmod +x "$WORK/cpu.sh"

for i in $(seq "$n"); do echo "$ORIGIN/delay/$ms?n=$i"; done >"$WORK/latency.txt"
for i in $(seq "$m"); do echo "$ORIGIN/bytes/64?n=$i"; done >"$WORK/rate.txt"
head -3 "$WORK/rate.txt" >"$WORK/base.txt"

meta() {
    sed -n 2p "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Runs list $1 on $2 nodes with $3 workers per rank; the ranks' CPU times
# go to $WORK/cpu.$1.$2, the timeline to $WORK/t.tsv.
run() {
    local list=$1 r=$2 w=$3
    cluster_mpirun -n "$r" "$WORK/cpu.sh" "$PDL" -q --mode mpi -w "$w" --per-host 0 --discard \
        -t "$WORK/t.tsv" "$WORK/$list.txt" 2>"$WORK/err" || fail "$list on $r nodes: $(cat "$WORK/err")"
    grep '^pdl-cpu ' "$WORK/err" >"$WORK/cpu.$list.$r" || fail "no CPU times: $(cat "$WORK/err")"
}

# One measured run: $1 the list's name, $2 nodes, $3 workers per rank.
measure() {
    local list=$1 r=$2 w=$3 t=$WORK/t.tsv
    local t0 t1
    [ -s "$WORK/cpu.base.$r" ] || run base "$r" "$w"
    t0=$(date +%s%N)
    run "$list" "$r" "$w"
    t1=$(date +%s%N)
    awk -F'\t' -v list="$list" -v r="$r" -v w="$w" -v ms="$ms" -v cmd=$(((t1 - t0) / 1000)) \
        -v mpt="$(meta "$t" messages_per_task)" -v msgs="$(meta "$t" mpi_messages)" \
        -v clk="$(meta "$t" clock_error_us)" -v cpufile="$WORK/cpu.$list.$r" \
        -v basefile="$WORK/cpu.base.$r" '
        BEGIN {
            while ((getline line < cpufile) > 0) {
                split(line, f, /[ =]/)
                cpu[f[3]] += f[5] + f[7]
            }
            while ((getline line < basefile) > 0) {
                split(line, f, /[ =]/)
                cpu[f[3]] -= f[5] + f[7]
            }
        }
        $1 ~ /^[0-9]+$/ {
            tasks++; ran[$16]++
            if ($11 != "ok") bad++
            if (first == "" || $3 < first) first = $3
            if ($4 > last) last = $4
        }
        END {
            span = last - first
            for (k = 1; k < r; k++) { fcpu += cpu[k]; ftasks += ran[k] }
            per = ftasks ? fcpu / ftasks : 0
            d = "-"
            if (r > 1)
                d = sprintf("%.0f", 1e6 * (cpu[0] - ran[0] * per) / tasks)
            split_ = ran[0]
            for (k = 1; k < r; k++) split_ = split_ "/" ran[k]
            printf "| %s | %d | %d | %d | %s | %.2f | %.0f | %s | %d | %.2f | %.0f | %.0f | %s | %.2f | %s |\n",
                list, r, w, tasks, split_, span, tasks / span, mpt, msgs, cpu[0],
                1e6 * cpu[0] / tasks, 1e6 * per, d,
                cmd / 1e6, clk (bad ? " (" bad " failed)" : "")
        }' "$t"
}

echo "| list | nodes | -w | tasks | by rank | makespan (s) | tasks/s | messages/task | mpi messages | rank 0 net CPU (s) | rank 0 CPU/task (µs) | follower CPU/task (µs) | rank 0 dispatch/task (µs) | command wall (s) | clock error (µs) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $nodes_list; do measure latency "$r" "$w"; done
for r in $nodes_list; do measure rate "$r" "$wrate"; done
echo
echo "latency: $n x /delay/$ms; rate: $m x /bytes/64; delay on the wire: $CLUSTER_DELAY" \
    "(${CLUSTER_DELAY_ORIGIN_MS} ms out of the origin, ${CLUSTER_DELAY_NODE_MS} ms out of each node);" \
    "$(nproc) CPUs shared by every node"
