#!/usr/bin/env bash
# How right pdl predict is, as a Markdown report on stdout (the table of
# tests/bench/predict-accuracy.md). A list of 30 uneven delays from the
# bundled server (50-600 ms) is recorded at W=2 in each mode; pdl predict
# replays that recording for W=1, 4, 8 and 16, and each of those is then
# run for real, REPEAT times (median, min-max); the recording replayed is
# the median of REPEAT. Then, from the threads
# recording, schedules, chunk sizes, a per-host cap and longest-first at
# W=4: predicted against measured makespans, and the order they come in.
#
#   tests/bench/predict_accuracy.sh [BUILD_DIR]    (default: build)
#   REPEAT=3 MODES="threads processes async mpi"   (the defaults)
#
# mpi runs as one rank (mpirun -n 1) with W transfers, when mpirun is
# there and pdl was built with MPI. Nothing but the server it starts is
# stopped (by PID); all files go to a temporary folder that is removed.
set -eu

BUILD=${1:-build}
PDL=$(realpath "$BUILD/pdl")
TESTD=$(realpath "$BUILD/pdl-testd")
REPEAT=${REPEAT:-3}
MODES=${MODES:-threads processes async mpi}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pdl-accuracy.XXXXXX")
SERVER=

cleanup() {
    if [ -n "$SERVER" ]; then
        kill "$SERVER" 2>/dev/null || true
        wait "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$TESTD" --port 0 --port-file "$WORK/port" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
[ -s "$WORK/port" ] || { echo "pdl-testd did not start" >&2; exit 1; }
BASE="http://127.0.0.1:$(cat "$WORK/port")"
awk -v base="$BASE" 'BEGIN { for (i = 0; i < 30; i++) printf "%s/delay/%d\n", base, 50 + (i * 337) % 551 }' \
    >"$WORK/uneven.txt"

MPIRUN=$(command -v mpirun || true)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none

# Runs pdl in mode $1 with the rest of the arguments into $WORK/m.tsv and
# prints the makespan (the metadata's wall).
run() {
    local mode=$1
    shift
    if [ "$mode" = mpi ]; then
        "$MPIRUN" --oversubscribe -n 1 "$PDL" -m mpi --discard -q -t "$WORK/m.tsv" "$@" "$WORK/uneven.txt"
    else
        "$PDL" -m "$mode" --discard -q -t "$WORK/m.tsv" "$@" "$WORK/uneven.txt"
    fi
    awk 'NR == 2 { for (i = 2; i <= NF; i++) if ($i ~ /^wall=/) { sub(/^wall=/, "", $i); print $i; exit } }' "$WORK/m.tsv"
}

# REPEAT runs; prints "MEDIAN MIN MAX".
measure() {
    local v=()
    for _ in $(seq "$REPEAT"); do v+=("$(run "$@")"); done
    printf '%s\n' "${v[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f %.3f %.3f\n", a[int((NR + 1) / 2)], a[1], a[NR] }'
}

# Records mode $1 at W=2 REPEAT times and keeps, as $2, the recording
# whose makespan is the median: the machine's load only ever adds time, to
# a recording as to a measurement, so both are taken alike.
record() {
    local i
    for i in $(seq "$REPEAT"); do
        echo "$(run "$1" -w 2) $i"
        cp "$WORK/m.tsv" "$WORK/r$i.tsv"
    done | sort -g | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }' >"$WORK/pick"
    cp "$WORK/r$(cat "$WORK/pick").tsv" "$2"
    # What the replay starts from: a recording slowed by load shows here.
    awk -v m="$1" 'NR == 2 { for (i = 2; i <= NF; i++) if ($i ~ /^wall=/) { sub(/^wall=/, "", $i); printf "%s %.3f s; ", m, $i } }' \
        "$2" >>"$WORK/recorded"
}

# The makespan pdl predict gives for W=$2 (first row) from timeline $1 and
# the predict options that follow.
predicted() {
    local tl=$1 w=$2
    shift 2
    "$PDL" predict "$tl" -w "$w" "$@" | awk -v w="$w" '$1 == w && $3 ~ /^[0-9.]+$/ { print $3; exit }'
}

err() {
    awk -v p="$1" -v m="$2" 'BEGIN { printf "%+.1f %%", 100 * (p - m) / m }'
}

echo "## Predicted against measured makespans"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, pdl $("$PDL" --version | awk '{ print $2 }'), REPEAT=$REPEAT."
echo "List: 30 × \`/delay/D\` of pdl-testd, D = 50 + (i × 337) mod 551 ms, i = 0..29"
echo "(9.26 s of tasks). Each mode recorded $REPEAT times at W=2, the recording"
echo "with the median makespan replayed; measured = median of $REPEAT runs (min–max);"
echo "error = (predicted − measured) / measured; error vs min uses the fastest"
echo "run instead (load from other work on the machine only ever adds time)."
echo "Load average when the runs began: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| mode | W | predicted | measured | min–max | error | error vs min |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in $MODES; do
    if [ "$mode" = mpi ]; then
        if [ -z "$MPIRUN" ] || ! "$PDL" --mode mpi --version >/dev/null 2>&1; then
            echo "| mpi | | | | | not run: no mpirun or pdl built without MPI | |"
            continue
        fi
    fi
    record "$mode" "$WORK/rec-$mode.tsv"
    for w in 1 4 8 16; do
        p=$(predicted "$WORK/rec-$mode.tsv" "$w")
        read -r med lo hi < <(measure "$mode" -w "$w")
        echo "| $mode | $w | $p s | $med s | $lo–$hi | $(err "$p" "$med") | $(err "$p" "$lo") |"
    done
done

[ -s "$WORK/recorded" ] && echo && echo "Recordings replayed (makespan at W=2): $(cat "$WORK/recorded")"

# ---- schedules, chunks, a per-host cap and longest first at W=4 ----------
REC=$WORK/rec-threads.tsv
[ -s "$REC" ] || record threads "$REC"
echo
echo "From the threads recording at W=2, threads mode at W=4 (W=8 for the cap):"
echo
echo "| configuration | predicted | measured | min–max | error | error vs min |"
echo "|---|---:|---:|---:|---:|---:|"
: >"$WORK/order.txt"
config() {
    local label=$1 w=$2 popts=$3 ropts=$4 p med lo hi
    # shellcheck disable=SC2086
    p=$(predicted "$REC" "$w" $popts)
    # shellcheck disable=SC2086
    read -r med lo hi < <(measure threads -w "$w" $ropts)
    echo "| \`$label\` | $p s | $med s | $lo–$hi | $(err "$p" "$med") | $(err "$p" "$lo") |"
    echo "$label	$p	$med" >>"$WORK/order.txt"
}
config "-w 4 --schedule dynamic" 4 "" ""
config "-w 4 --chunk 2" 4 "--chunk 2" "--chunk 2"
config "-w 4 --chunk 4" 4 "--chunk 4" "--chunk 4"
config "-w 4 --chunk 8" 4 "--chunk 8" "--chunk 8"
config "-w 4 --schedule static" 4 "--schedule static" "--schedule static"
config "-w 4 --order longest-first" 4 "--order longest-first" \
    "--order longest-first --durations-from $REC"
echo
echo "Fastest to slowest, predicted: $(sort -t'	' -k2,2g "$WORK/order.txt" | cut -f1 | sed 's/^-w 4 //' | paste -sd, | sed 's/,/, /g')"
echo
echo "Fastest to slowest, measured: $(sort -t'	' -k3,3g "$WORK/order.txt" | cut -f1 | sed 's/^-w 4 //' | paste -sd, | sed 's/,/, /g')"
echo
echo "| configuration | predicted | measured | min–max | error | error vs min |"
echo "|---|---:|---:|---:|---:|---:|"
config "-w 8 --per-host 2" 8 "--per-host 2" "--per-host 2"
config "-w 8" 8 "" ""
