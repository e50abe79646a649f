#!/usr/bin/env bash
# Where a small request's cost goes: user-space instructions (callgrind)
# and system calls (strace -c) per request of pdl, wget2, curl and a
# minimal libcurl client (tests/bench/floor.c, libcurl's own floor, with
# pdl's options added one at a time), against a private nginx
# (tests/bench/nginx.sh) or pdl-testd, on /bytes/64. Both counts are
# differential: a run of N2 requests minus a run of N1, over N2 - N1, so
# start-up and list parsing drop out; they do not depend on the machine's
# load, unlike times. Then CPU µs per request (user+sys from GNU time,
# median of REPEATS runs of RATE_N requests) for the same commands. A
# measurement, never a pass/fail test; prints markdown.
#
# Usage: tests/bench/percost.sh [BUILD_DIR] [--server nginx|testd] [--quick]
# Environment: W (default 16), N1 (1000), N2 (3000), RATE_N (20000),
#   REPEATS (5), OUT (/tmp/pdl-percost), CC (cc), SECTIONS ("floor tools
#   cpu"). Needs valgrind and strace.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="" server_kind=nginx quick=0
while [ $# -gt 0 ]; do
    case $1 in
    --server) server_kind=${2:?--server needs nginx or testd}; shift ;;
    --quick) quick=1 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "percost.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
build=$(cd "${build:-$repo/build}" && pwd)
pdl=$build/pdl testd=$build/pdl-testd
for t in valgrind strace; do
    command -v "$t" >/dev/null || { echo "percost.sh: needs $t" >&2; exit 2; }
done
W=${W:-16} N1=${N1:-1000} N2=${N2:-3000} RATE_N=${RATE_N:-20000} REPEATS=${REPEATS:-5}
[ "$quick" = 1 ] && { N2=${N2:-2000}; RATE_N=5000; REPEATS=1; }
SECTIONS=${SECTIONS:-floor tools cpu}
OUT=${OUT:-/tmp/pdl-percost}
mkdir -p "$OUT"

work=$(mktemp -d /dev/shm/pdl-percost.XXXXXX)
testd_pid=""
cleanup() {
    if [ -n "$testd_pid" ]; then kill "$testd_pid" 2>/dev/null || true; wait "$testd_pid" 2>/dev/null || true; fi
    if [ "$server_kind" = nginx ]; then pdl_nginx_stop "$work/nginx"; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

${CC:-cc} -O2 -o "$work/floor" "$here/floor.c" -lcurl -lpthread
if [ "$server_kind" = nginx ]; then
    # shellcheck source=nginx.sh
    . "$here/nginx.sh"
    pdl_nginx_start "$work/nginx" --sizes 64 >/dev/null
    base=$NGINX_URL
else
    "$testd" --port 0 --port-file "$work/port" >/dev/null 2>"$work/testd.err" &
    testd_pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    base=http://127.0.0.1:$(cat "$work/port")
fi
url=$base/bytes/64
for n in "$N1" "$N2" "$RATE_N"; do
    awk -v u="$url" -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%s?i=%d\n", u, i }' >"$work/list$n"
    awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$work/list$n" >"$work/list$n.curl"
done

# cmd NAME N: the command line of tool NAME for N requests, in array CMD
cmd() {
    local name=$1 n=$2 list=$work/list$2
    case $name in
    floor:*) local spec=${name#floor:} m o
        m=${spec%%/*} o=${spec#*/}
        CMD=("$work/floor" -m "${m%%-*}" -n "$n")
        case $m in *-*) CMD+=(-w "${m#*-}") ;; esac
        [ "$o" != "$spec" ] && [ -n "$o" ] && CMD+=(-o "$o")
        CMD+=("$url") ;;
    pdl-async+tl) CMD=("$pdl" -m async -w "$W" --discard --timeline "$work/tl.tsv" -q "$list") ;;
    pdl-serial) CMD=("$pdl" -m serial --discard --no-timeline -q "$list") ;;
    pdl-*) CMD=("$pdl" -m "${name#pdl-}" -w "$W" --discard --no-timeline -q "$list") ;;
    wget2) CMD=(wget2 --no-config --no-robots --no-hsts --no-hpkp --tries=1 --max-threads "$W" -i "$list" -O /dev/null -q) ;;
    wget2-1) CMD=(wget2 --no-config --no-robots --no-hsts --no-hpkp --tries=1 --max-threads 1 -i "$list" -O /dev/null -q) ;;
    curl) CMD=(curl -sS --no-progress-meter -Z --parallel-immediate --parallel-max "$W" -K "$list.curl") ;;
    esac
}
# instructions N: user-space instructions of CMD (all threads) per callgrind
instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "${CMD[@]}" >/dev/null 2>"$work/vg.err" || true
    awk '/Collected :/ { print $NF }' "$work/vg.err" | tail -1
}
# syscalls: system calls of CMD and its threads, per strace -c
syscalls() {
    strace -f -c -o "$work/st.out" "${CMD[@]}" >/dev/null 2>&1 || true
    awk '$NF == "total" { print $4 }' "$work/st.out"
}
# row NAME: | NAME | instructions/req | syscalls/req |
row() {
    local i1 i2 s1 s2
    cmd "$1" "$N1"; i1=$(instructions); s1=$(syscalls)
    cmd "$1" "$N2"; i2=$(instructions); s2=$(syscalls)
    awk -v t="$1" -v a="$i1" -v b="$i2" -v c="$s1" -v d="$s2" -v n="$((N2 - N1))" \
        'BEGIN { printf "| %s | %.0f | %.1f |\n", t, (b - a) / n, (d - c) / n }' | tee -a "$OUT/rows.md"
}

echo "## Per-request cost, /bytes/64 from $([ "$server_kind" = nginx ] && echo "nginx ($(nginx -v 2>&1 | cut -d/ -f2), 1 worker)" || echo pdl-testd), W=$W"
echo
echo "- $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -sr), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(curl --version | head -1 | cut -d' ' -f1-2), libcurl $(curl-config --version 2>/dev/null | cut -d' ' -f2 || echo '?'); pdl $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "- instructions: user space only (callgrind), (run of $N2 − run of $N1) ÷ $((N2 - N1)); system calls likewise (strace -f -c)"
: >"$OUT/rows.md"
case " $SECTIONS " in *" floor "*)
    echo
    echo "### libcurl's floor (tests/bench/floor.c) and pdl's options one by one"
    echo
    echo "| client | instructions/req | syscalls/req |"
    echo "|---|---:|---:|"
    for o in "" progress buf256k limits follow protocols useragent uaheader errbuf resume getinfo noproxy pdl pdl,noproxy; do
        row "floor:easy/$o"
    done
    for m in "multi-$W" "threads-$W"; do
        row "floor:$m/"
        row "floor:$m/pdl"
    done ;;
esac
case " $SECTIONS " in *" tools "*)
    echo
    echo "### The tools"
    echo
    echo "| client | instructions/req | syscalls/req |"
    echo "|---|---:|---:|"
    for t in pdl-serial pdl-threads pdl-async pdl-async+tl wget2-1 wget2 curl; do row "$t"; done ;;
esac
case " $SECTIONS " in *" cpu "*)
    echo
    echo "### CPU per request: $RATE_N requests, median (min–max) of $REPEATS, rotated order; load at start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| client | CPU µs/req | min–max | user µs/req | sys µs/req | wall s |"
    echo "|---|---:|---:|---:|---:|---:|"
    tools=(floor:easy/ "floor:multi-$W/" "floor:threads-$W/" "floor:multi-$W/pdl" pdl-serial pdl-threads pdl-async wget2-1 wget2 curl)
    : >"$work/cpu.tsv"
    for rep in $(seq "$REPEATS"); do
        for ((i = 0; i < ${#tools[@]}; i++)); do
            t=${tools[(i + rep - 1) % ${#tools[@]}]}
            cmd "$t" "$RATE_N"
            t0=$EPOCHREALTIME
            /usr/bin/time -f '%U %S' -o "$work/time" "${CMD[@]}" >/dev/null 2>&1 || true
            printf '%s\t%s\t%s\n' "$t" "$(cat "$work/time")" "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" >>"$work/cpu.tsv"
        done
    done
    awk -F'\t' -v n="$RATE_N" '
        function med(s,    a, m, i, j, t) {
            m = split(s, a, " ")
            for (i = 2; i <= m; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            lo = a[1]; hi = a[m]
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
        { split($2, us, " "); k = $1; if (!(k in seen)) { seen[k] = 1; order[++nt] = k }
          cpu[k] = cpu[k] " " (us[1] + us[2]); u[k] = u[k] " " us[1]; s[k] = s[k] " " us[2]; w[k] = w[k] " " $3 }
        END { for (i = 1; i <= nt; i++) { k = order[i]; c = med(cpu[k]); l = lo; h = hi
            printf "| %s | %.1f | %.1f–%.1f | %.1f | %.1f | %.3f |\n", k, c / n * 1e6, l / n * 1e6, h / n * 1e6,
                med(u[k]) / n * 1e6, med(s[k]) / n * 1e6, med(w[k]) } }' "$work/cpu.tsv"
    echo
    echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" ;;
esac
