#!/usr/bin/env bash
# One long list: N (default 1,000,000) distinct URLs of /bytes/64 at W=64
# from pdl (threads, async), curl -Z and wget2, against a private nginx
# (tests/bench/nginx.sh) or pdl-testd. Wall time, req/s, CPU and peak RSS,
# medians and min-max over repeats, pdl over the best other tool. A
# measurement, never a pass/fail test; prints a markdown table.
#
# Usage: tests/bench/million.sh [BUILD_DIR] [--quick] [--server nginx|testd]
#   --quick   1 repeat of 200,000 URLs
# Environment: REPEATS (default 5), N, W (default 64), TOOLS (default
#   "pdl-threads pdl-async curl wget2"), OUT (default /tmp/pdl-million).
# Every run is /usr/bin/time (user+sys of the tool and its children, peak
# RSS of the largest process) inside $EPOCHREALTIME stamps; the list and
# the curl config live in /dev/shm; bodies go to /dev/null (pdl --discard).
# Tools run in an order rotated by one per repeat. aria2c is left out: it
# keeps every download in memory (250 MB at 20,000 URLs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="" quick=0 server_kind=nginx
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --server) server_kind=${2:?--server needs nginx or testd}; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "million.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
build=$(cd "${build:-$repo/build}" && pwd)
pdl=$build/pdl testd=$build/pdl-testd
[ -x "$pdl" ] || { echo "million.sh: $pdl missing; build first" >&2; exit 2; }
if [ "$quick" = 1 ]; then REPEATS=${REPEATS:-1} N=${N:-200000}; else REPEATS=${REPEATS:-5} N=${N:-1000000}; fi
W=${W:-64}
TOOLS=${TOOLS:-pdl-threads pdl-async curl wget2}
OUT=${OUT:-/tmp/pdl-million}
mkdir -p "$OUT"

work=$(mktemp -d /dev/shm/pdl-million.XXXXXX)
testd_pid=""
cleanup() {
    if [ -n "$testd_pid" ]; then kill "$testd_pid" 2>/dev/null || true; wait "$testd_pid" 2>/dev/null || true; fi
    if [ "$server_kind" = nginx ]; then pdl_nginx_stop "$work/nginx"; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$server_kind" = nginx ]; then
    # shellcheck source=nginx.sh
    . "$here/nginx.sh"
    pdl_nginx_start "$work/nginx" --sizes 64 >/dev/null
    base=$NGINX_URL server_desc="nginx, 1 worker (tests/bench/nginx.sh)"
else
    "$testd" --port 0 --port-file "$work/port" >/dev/null 2>"$work/testd.err" &
    testd_pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    base=http://127.0.0.1:$(cat "$work/port") server_desc="pdl-testd"
fi
awk -v b="$base" -v n="$N" 'BEGIN { for (i = 0; i < n; i++) printf "%s/bytes/64?i=%d\n", b, i }' >"$work/list"
awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$work/list" >"$work/list.curl"

runs=$OUT/runs.tsv
printf 'rep\ttool\twall_s\tuser_s\tsys_s\tmaxrss_kb\trc\n' >"$runs"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r -a tools <<<"$TOOLS"
for rep in $(seq "$REPEATS"); do
    for ((i = 0; i < ${#tools[@]}; i++)); do
        t=${tools[(i + rep - 1) % ${#tools[@]}]}
        case $t in
        pdl-*) cmd=("$pdl" -m "${t#pdl-}" -w "$W" --discard --no-timeline -q "$work/list") ;;
        curl) cmd=(curl -sS --no-progress-meter -Z --parallel-immediate --parallel-max "$W" -K "$work/list.curl") ;;
        wget2) cmd=(wget2 --no-config --no-robots --no-hsts --no-hpkp --tries=1 --max-threads "$W" -i "$work/list" -O /dev/null -q) ;;
        *) echo "million.sh: unknown tool $t" >&2; exit 2 ;;
        esac
        echo "million.sh: repeat $rep, $t" >&2
        rc=0 t0=$EPOCHREALTIME
        timeout -k 5 900 /usr/bin/time -f '%U %S %M' -o "$work/time" "${cmd[@]}" >/dev/null 2>"$work/err" || rc=$?
        t1=$EPOCHREALTIME
        read -r u s m <"$work/time" || { u=NA s=NA m=NA; }
        [ "$rc" = 0 ] || { echo "million.sh: $t failed (rc $rc):" >&2; head -5 "$work/err" >&2; }
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$t" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" \
            "$u" "$s" "$m" "$rc" >>"$runs"
    done
done

{
    echo "### $N × /bytes/64 at W=$W"
    echo
    echo "- $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -sr), $(nproc) CPUs; server: $server_desc"
    echo "- load at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg); $REPEATS repeats, rotated order"
    echo
    awk -F'\t' -v n="$N" '
        NR == 1 { next }
        { k = $2; if (!(k in seen)) { seen[k] = 1; order[++nt] = k }
          wall[k] = wall[k] " " $3; cpu[k] = cpu[k] " " ($4 + $5); rss[k] = rss[k] " " $6 / 1024
          if ($7 != 0) fail[k]++ }
        function med(s,    a, m, i, j, t) {
            m = split(s, a, " ")
            for (i = 2; i <= m; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            lo = a[1]; hi = a[m]
            return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
        END {
            best = ""
            for (i = 1; i <= nt; i++) { k = order[i]; w = med(wall[k]); if (k !~ /^pdl-/ && (best == "" || w < best)) { best = w; bt = k } }
            print "| tool | wall s | min–max | req/s | CPU µs/req | peak RSS MiB | pdl ÷ best other (req/s) |"
            print "|---|---:|---:|---:|---:|---:|---|"
            for (i = 1; i <= nt; i++) {
                k = order[i]; w = med(wall[k]); l = lo; h = hi; c = med(cpu[k]); r = med(rss[k])
                ratio = (k ~ /^pdl-/ && best != "") ? sprintf("%.2f (vs %s)", best / w, bt) : ""
                printf "| %s%s | %.2f | %.2f–%.2f | %.0f | %.1f | %.1f | %s |\n", k, (k in fail) ? " (**" fail[k] " failed**)" : "",
                    w, l, h, n / w, c / n * 1e6, r, ratio }
        }' "$runs"
} | tee "$OUT/report.md"
