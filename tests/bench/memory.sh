#!/usr/bin/env bash
# Memory against the list's length: peak RSS, wall time and time to the
# first request for 10^5, 10^6 and 10^7 URLs in each mode, next to curl -Z
# and wget2 on the same lists, against a private nginx (tests/bench/nginx.sh).
# Prints a markdown table; a benchmark, never pass/fail.
#
#   tests/bench/memory.sh BUILD_DIR [SIZES] [W]
#     SIZES  default "100000 1000000 10000000"
#     W      workers / parallelism, default 64
#   OTHERS_MAX=N  run curl and wget2 only up to lists of N URLs (default
#                 1000000: at 10^7 they take many minutes; said in the table)
#
# Peak RSS is GNU time's %M for the command; for the processes mode also the
# largest worker's (VmHWM sampled every 50 ms while it runs). Time to the
# first request is pdl's own record: the run's start (epoch=) plus its
# earliest task start, from the moment the command was launched; it is not
# measured for curl and wget2 (nginx logs nothing here). Lists are made, not
# committed: http://127.0.0.1:PORT/bytes/64?i=N, distinct URLs, 64-byte
# bodies, bodies discarded, the timeline written to a temporary folder.
set -euo pipefail

build=${1:?usage: memory.sh BUILD_DIR [SIZES] [W]}
sizes=${2:-100000 1000000 10000000}
w=${3:-64}
others_max=${OTHERS_MAX:-1000000}
pdl=$(cd "$build" && pwd)/pdl
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pdl-memory.XXXXXX")

cleanup() {
    bash "$here/nginx.sh" stop "$work/nginx" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

bash "$here/nginx.sh" start "$work/nginx" --sizes 64 >"$work/env"
# shellcheck disable=SC1091
. "$work/env"

# The largest VmHWM (KiB) among the children of $1, sampled until it ends.
sample_children() {
    local pid=$1 max=0 v c
    while kill -0 "$pid" 2>/dev/null; do
        for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
            v=$(awk '/^VmHWM/ { print $2 }' /proc/"$c"/status 2>/dev/null || echo 0)
            [ "${v:-0}" -gt "$max" ] && max=$v
        done
        sleep 0.05
    done
    echo "$max"
}

# Runs "$@" under GNU time; prints "wall_s rss_kib".
measure() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
        echo "  (exit $?: $(tail -1 "$work/err"))" >&2
    cat "$work/time"
}

# One table row: URLs, tool, wall s, peak RSS KiB, largest worker KiB (0:
# none), first request ms.
row() {
    awk -v n="$1" -v t="$2" -v wall="$3" -v rss="$4" -v wk="$5" -v first="$6" 'BEGIN {
        printf "| %d | %s | %.2f | %.0f | %.1f | %s | %s |\n", n, t, wall,
            (wall > 0 ? n / wall : 0), rss / 1024, (wk > 0 ? sprintf("%.1f", wk / 1024) : "-"), first }'
}

echo "| URLs | tool | wall s | req/s | peak RSS MiB | largest worker MiB | first request ms |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for n in $sizes; do
    list="$work/list-$n.txt"
    seq 0 $((n - 1)) | sed "s|^|$NGINX_URL/bytes/64?i=|" >"$list"
    for mode in async threads processes; do
        tl="$work/t.tsv"
        launch=$(date +%s.%N)
        /usr/bin/time -f "%e %M" -o "$work/time" "$pdl" -m "$mode" -w "$w" --discard -q \
            -t "$tl" "$list" 2>"$work/err" &
        tpid=$!
        worker_kib=0
        if [ "$mode" = processes ]; then
            sleep 0.05
            worker_kib=$(sample_children "$(cat /proc/$tpid/task/*/children | awk '{ print $1 }')")
        fi
        wait "$tpid" || echo "  ($mode exited $?: $(tail -1 "$work/err"))" >&2
        read -r wall rss <"$work/time"
        first=$(awk -F'\t' -v launch="$launch" '
            NR == 2 { for (i = 2; i <= NF; i++) if ($i ~ /^epoch=/) epoch = substr($i, 7) }
            /^# / { next }
            $1 ~ /^[0-9]+$/ && (min == "" || $3 < min) { min = $3 }
            END { printf "%.1f", (epoch + min - launch) * 1000 }' FS='[ \t]' "$tl")
        row "$n" "pdl $mode" "$wall" "$rss" "$worker_kib" "$first"
        rm -f "$tl"
    done
    if [ "$n" -le "$others_max" ]; then
        sed 's|^|url = "|; s|$|"\noutput = "/dev/null"|' "$list" >"$list.curl"
        read -r wall rss < <(measure curl -sS --no-progress-meter -Z --parallel-immediate \
            --parallel-max "$w" -K "$list.curl")
        row "$n" "curl -Z" "$wall" "$rss" 0 -
        read -r wall rss < <(measure wget2 --no-config --no-robots --no-hsts --no-hpkp \
            --tries=1 --max-threads "$w" -i "$list" -O /dev/null -q)
        row "$n" wget2 "$wall" "$rss" 0 -
        rm -f "$list.curl"
    else
        printf '| %d | curl -Z, wget2 | not run at this size (OTHERS_MAX=%d) | | | | |\n' "$n" "$others_max"
    fi
    rm -f "$list"
done
echo
echo "W=$w; nginx $NGINX_URL; $(nproc) cores; load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
