#!/usr/bin/env bash
# pdl next to the tools people use instead (curl -Z, wget2, aria2c, xargs +
# curl), against a private nginx (tests/bench/nginx.sh) or the bundled
# pdl-testd on 127.0.0.1. A measurement, never a pass/fail test.
#
# Usage: tests/bench/bench.sh [BUILD_DIR] [--quick] [--server nginx|testd]
#   BUILD_DIR  holds pdl and pdl-testd (default: build, from the repo's top)
#   --quick    1 repeat and smaller workloads (about 2 minutes)
#   --server   the server the lists point at (default nginx: a real server,
#              1 worker process; testd: pdl-testd)
# Environment:
#   OUT=DIR      results folder (default /tmp/pdl-bench-results)
#   REPEATS=N    repeats of every configuration (default 5; --quick: 1)
#   SCALE_W=N    workers/parallelism for the scale workload (default 64)
#   WORKLOADS=".."  which of latency rate bandwidth scale to run (default all)
#   TOOLS=".."   which tools to run: other tools (default: curl wget2 aria2c
#                xargs floor) and, if any is named, pdl's (pdl-serial, pdl-threads,
#                pdl-processes, pdl-async, pdl-async+tl; default all, serial
#                at W=1 only)
#   LAT_WS, RATE_WS, BW_WS="..."  the W lists of the latency, rate and
#                bandwidth workloads (default "1 4 16 64 200", "1 4 16 64",
#                "1 2 8")
#   BASE_PDL=PATH  a baseline pdl binary, run beside this one in the same
#                repeats as base-MODE for every pdl mode run (BASE_MODES,
#                default "threads async"): the report gives this pdl ÷ the
#                baseline, paired by repeat
# 1,000,000 requests at W=64 are measured by tests/bench/million.sh.
# "floor" is libcurl itself with as little around it as possible
# (tests/bench/floor.c, compiled with cc into the work folder): in the rate
# workload, and in the latency workload at W >= 64 (where starting W
# workers shows), floor-multi (W handles on one curl_multi, as pdl async),
# floor-threads (W threads with an easy handle each, as pdl threads) and
# floor-processes (W forked processes with an easy handle each, taking ids
# from a shared counter: no parent in the loop) GET the same URLs, so that
# the report shows in the same run how far each pdl mode is from what
# libcurl 7.88 costs; they are not "other tools" in the ratios. In the
# rate workload the same three run again with the settings pdl gives
# libcurl (floor -o pdl: User-Agent, redirects, limits, 256 KiB buffers
# with glibc's thresholds as pdl sets them, progress callback, getinfo;
# a multi handle of each worker's own in the blocking shapes), as
# floor-multi+pdl, floor-threads+pdl and floor-processes+pdl: what is
# left between a pdl mode and its +pdl floor is pdl's own work.
#
# Writes to OUT: report.md (the markdown table, also printed on stdout),
# runs.tsv (one line per run), wrk.tsv (the server alone), medians.tsv,
# bench.png (gnuplot chart), meta.txt, and logs/ with the stderr of every
# run that failed or complained.
#
# Method
# - The server: --server nginx (default) starts Debian's nginx privately
#   (tests/bench/nginx.sh: 1 worker, keep-alive, access_log off, static
#   /bytes files, echo_sleep for /delay); --server testd starts pdl-testd.
#   Both serve the same bodies. The scale workload always uses pdl-testd
#   (its start-up probe needs pdl-testd's request log).
# - Every run is `timeout -k 5 LIMIT /usr/bin/time -f '%e %U %S %M' CMD`:
#   wall time is taken by the script around it with $EPOCHREALTIME (µs
#   resolution; %e only has 10 ms), user+system CPU and peak RSS come from
#   GNU time (wait4 rusage). CPU includes every waited-for descendant
#   (xargs' curls, pdl's worker processes); peak RSS is that of the largest
#   single process, not a sum over processes.
# - Bodies never touch the disk: pdl --discard, curl/wget2/xargs write to
#   /dev/null, aria2c (which cannot discard) writes to a folder in /dev/shm
#   that is deleted after every run (outside the timing). Lists live in
#   /dev/shm too.
# - Every URL in a list is distinct (a ?i=N query the server ignores):
#   wget2 silently fetches a repeated URL only once.
# - Repeats are round-robin: repeat r runs every workload, every W, every
#   tool once, the tool order rotated by one per repeat, so slow drifts of
#   this shared, noisy machine spread over all tools. Figures are medians
#   with min-max. Ratios are paired: pdl's figure ÷ the best other tool's
#   (the one with the best median) in the same repeat, whose median and
#   min-max the report gives. Each run records the 1-minute load average
#   before it; each table says the range it ran in.
# - Before the runs, wrk measures the server alone at the same connection
#   counts on the same endpoints; a tool figure within 80% of that ceiling
#   is flagged, since the server may then be what limits it.
#
# Tools and flags (checked on Debian 12: curl 7.88.1, wget2 1.99.1,
# aria2 1.36.0):
# - pdl -m MODE -w W --discard --no-timeline -q LIST, MODE threads,
#   processes, async (serial at W=1 only), and "pdl-async+tl": async with
#   --timeline on /dev/shm, to price the timeline.
# - curl -sS --no-progress-meter -Z --parallel-immediate --parallel-max W
#   -K CONFIG, CONFIG holding `url = ...` and `output = "/dev/null"` pairs.
#   curl 7.88 silently clamps --parallel-max to 300 (600 x /delay/200 at
#   --parallel-max 600 takes two rounds, like 300).
# - wget2 --no-config --no-robots --no-hsts --no-hpkp --tries=1
#   --max-threads W -i LIST -O /dev/null -q. With -i (not recursive) it asks
#   for no robots.txt; --no-robots makes sure; --no-hsts/--no-hpkp skip its
#   databases; --tries=1 as the others (no retries). It really has W in
#   flight: 200 x /delay/100 takes 5.0 s at W=4, 1.3 s at W=16, 0.13 s at
#   W=200. No cap on --max-threads.
# - aria2c -j W -x 1 -i LIST -d /dev/shm/... --allow-overwrite=true
#   --file-allocation=none --auto-file-renaming=false -q, LIST giving each
#   URL its own name (an indented `out=fN` line): with the same name for
#   every URL aria2 fails with exit 13. -j has no maximum (1-*); -x (per
#   download) is capped at 16.
# - xargs -P W -n 1 curl -s -o /dev/null < LIST: one process per URL, so
#   it gets the first XARGS_N URLs of the request-rate list only, and its
#   figures are per request (req/s = XARGS_N / wall); the latency and
#   bandwidth lists are small enough to run whole.
#
# Workloads
# 1. latency: LAT_N x /delay/100, W = 1 4 16 64 200; efficiency =
#    ideal / wall, ideal = ceil(LAT_N/W) x 0.1 s, wall of the whole command;
#    for pdl-async+tl also pdl's own makespan (`wall=` of its timeline).
# 2. rate: RATE_N x /bytes/64, W = 1 4 16 64: requests per second and CPU
#    µs per request ((user+sys)/requests).
# 3. bandwidth: BW_N x /bytes/BW_SIZE, W = 1 2 8: MiB/s (2^20 bytes).
# 4. scale: SCALE_N URLs (/bytes/16?i=N), pdl async and threads with
#    --discard, curl -Z and wget2 on the same list, at SCALE_W: peak RSS,
#    and start-up time to the first request. Start-up is measured the same
#    way for every tool, from outside: the scale list is served by a fresh
#    pdl-testd per run (the "sentinel", --verbose, on its own port; the list
#    is regenerated with that port outside the timing). The sentinel logs a
#    line as soon as it queues the response to a request; a reader on its
#    stderr stamps the first such line with $EPOCHREALTIME and drains the
#    rest. Start-up = that stamp - the stamp taken just before the command is
#    started. It covers exec, reading and parsing the whole list, setting up,
#    and the first connect + request: what a user waits before anything
#    happens. It does not depend on which URL a tool fetches first (wget2
#    does not fetch in list order: a first-URL-only sentinel saw its request
#    at the very end of the run). pdl's own timeline cannot see exec and
#    list parsing, and the wall time of a run would time the whole run, not
#    start-up. The logging server is a little slower, so the scale run's
#    req/s is not comparable with the rate workload's.
#    aria2c is left out here: at 20,000 URLs it already takes ~250 MB and
#    ~10 s.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build="" quick=0 server_kind=nginx
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --server) [ $# -ge 2 ] || { echo "bench.sh: --server needs nginx or testd" >&2; exit 2; }
        server_kind=$2; shift ;;
    --server=*) server_kind=${1#--server=} ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1 ;;
    esac
    shift
done
case $server_kind in
nginx | testd) ;;
*) echo "bench.sh: --server must be nginx or testd, not $server_kind" >&2; exit 2 ;;
esac
build=${build:-$repo/build}
build=$(cd "$build" 2>/dev/null && pwd) || { echo "bench.sh: no build folder" >&2; exit 2; }
pdl=$build/pdl testd=$build/pdl-testd
for f in "$pdl" "$testd"; do
    [ -x "$f" ] || { echo "bench.sh: $f missing; build first" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench.sh: needs GNU time (apt-get install time)" >&2; exit 2; }

OUT=${OUT:-/tmp/pdl-bench-results}
if [ "$quick" = 1 ]; then
    REPEATS=${REPEATS:-1}
    LAT_N=40 RATE_N=10000 XARGS_N=200 BW_N=8 BW_SIZE=$((64 << 20)) SCALE_N=20000 WRK_D=1
else
    REPEATS=${REPEATS:-5}
    LAT_N=200 RATE_N=20000 XARGS_N=1000 BW_N=8 BW_SIZE=$((64 << 20)) SCALE_N=100000 WRK_D=3
fi
SCALE_W=${SCALE_W:-64}
WORKLOADS=${WORKLOADS:-latency rate bandwidth scale}
wants() { case " $WORKLOADS " in *" $1 "*) return 0 ;; esac; return 1; }
LAT_MS=100
LAT_WS=${LAT_WS:-1 4 16 64 200} RATE_WS=${RATE_WS:-1 4 16 64} BW_WS=${BW_WS:-1 2 8}
BASE_MODES=${BASE_MODES:-threads async}
if [ -n "${BASE_PDL:-}" ]; then
    [ -x "$BASE_PDL" ] || { echo "bench.sh: BASE_PDL=$BASE_PDL is not an executable" >&2; exit 2; }
fi

have() { command -v "$1" >/dev/null 2>&1; }
others="" pdls=""
floors="" pfloors=""
for t in ${TOOLS:-curl wget2 aria2c xargs floor}; do
    case $t in
    floor) floors="floor-multi floor-threads floor-processes"
        pfloors="floor-multi+pdl floor-threads+pdl floor-processes+pdl" ;;
    pdl-serial | pdl-threads | pdl-processes | pdl-async | pdl-async+tl) pdls="$pdls $t" ;;
    pdl-*) echo "bench.sh: TOOLS: no pdl tool $t" >&2; exit 2 ;;
    *) if have "$t"; then others="$others $t"; else echo "bench.sh: $t not found, left out" >&2; fi ;;
    esac
done
pdls=${pdls:- pdl-serial pdl-threads pdl-processes pdl-async pdl-async+tl}
have curl || others=${others/ xargs/}
# shellcheck source=nginx.sh
[ "$server_kind" = nginx ] && . "$here/nginx.sh"
have wrk || echo "bench.sh: wrk not found: no server ceiling" >&2

mkdir -p "$OUT/logs" || exit 2
rm -f "$OUT"/logs/* "$OUT"/runs.tsv "$OUT"/wrk.tsv "$OUT"/chart-*.dat "$OUT"/medians.tsv "$OUT"/report.md "$OUT"/bench.png
work=$(mktemp -d /dev/shm/pdl-bench.XXXXXX) || exit 2
aria_dir=$work/aria
server="" sentinel="" reader=""
cleanup() {
    local p
    for p in $server $sentinel $reader; do kill "$p" 2>/dev/null || true; done
    for p in $server $sentinel $reader; do wait "$p" 2>/dev/null || true; done
    [ "$server_kind" = nginx ] && pdl_nginx_stop "$work/nginx"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [ -n "$floors" ] && ! cc -O2 "$here/floor.c" -o "$work/floor" -lcurl -lpthread 2>"$OUT/logs/floor-cc.log"; then
    echo "bench.sh: floor.c did not compile (see $OUT/logs/floor-cc.log); no floor rows" >&2
    floors="" pfloors=""
fi

# ---- servers ----
if [ "$server_kind" = nginx ]; then
    pdl_nginx_start "$work/nginx" --sizes "16 64 $BW_SIZE" >/dev/null ||
        { echo "bench.sh: nginx did not start" >&2; exit 1; }
    base=$NGINX_URL
    server_desc="$("$PDL_NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'), 1 worker process (tests/bench/nginx.sh), pid $NGINX_PID"
else
    "$testd" --port 0 --port-file "$work/port" >/dev/null 2>"$work/testd.err" &
    server=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    [ -s "$work/port" ] || { echo "bench.sh: pdl-testd did not start" >&2; exit 1; }
    base=http://127.0.0.1:$(cat "$work/port")
    server_desc="pdl-testd ($("$testd" --version 2>&1 | head -1))"
fi

# ---- lists: LIST (plain), LIST.curl (curl -K), LIST.aria (aria2 -i) ----
mklists() { # FILE: writes FILE.curl and FILE.aria from FILE
    awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$1" >"$1.curl"
    awk '{ print; printf "  out=f%d\n", NR }' "$1" >"$1.aria"
}
awk -v b="$base" -v n="$LAT_N" -v ms="$LAT_MS" 'BEGIN { for (i = 0; i < n; i++) printf "%s/delay/%d?i=%d\n", b, ms, i }' >"$work/latency"
awk -v b="$base" -v n="$RATE_N" 'BEGIN { for (i = 0; i < n; i++) printf "%s/bytes/64?i=%d\n", b, i }' >"$work/rate"
head -n "$XARGS_N" "$work/rate" >"$work/rate.xargs"
awk -v b="$base" -v n="$BW_N" -v s="$BW_SIZE" 'BEGIN { for (i = 0; i < n; i++) printf "%s/bytes/%d?i=%d\n", b, s, i }' >"$work/bandwidth"
for l in latency rate bandwidth; do mklists "$work/$l"; done

# ---- the sentinel: a fresh verbose pdl-testd for every scale run ----
# It serves the whole scale list (regenerated with its port); a reader on its
# stderr stamps the first request's log line with $EPOCHREALTIME, then
# drains the rest. A fresh one per run, so no run can see another's line.
sentinel_stop() {
    if [ -n "$sentinel" ]; then kill "$sentinel" 2>/dev/null || true; wait "$sentinel" 2>/dev/null || true; fi
    if [ -n "$reader" ]; then kill "$reader" 2>/dev/null || true; wait "$reader" 2>/dev/null || true; fi
    sentinel="" reader=""
}
sentinel_start() {
    sentinel_stop
    rm -f "$work/sport" "$work/first.stamp" "$work/sentinel.fifo"
    mkfifo "$work/sentinel.fifo" || return 1
    (
        while IFS= read -r line; do
            case $line in *" GET "*) printf '%s\n' "$EPOCHREALTIME" >"$work/first.stamp"; break ;; esac
        done
        exec cat >/dev/null
    ) <"$work/sentinel.fifo" &
    reader=$!
    "$testd" --verbose --port 0 --port-file "$work/sport" >/dev/null 2>"$work/sentinel.fifo" &
    sentinel=$!
    for _ in $(seq 100); do [ -s "$work/sport" ] && break; sleep 0.05; done
    [ -s "$work/sport" ] || return 1
    awk -v b="http://127.0.0.1:$(cat "$work/sport")" -v n="$SCALE_N" \
        'BEGIN { for (i = 0; i < n; i++) printf "%s/bytes/16?i=%d\n", b, i }' >"$work/scale"
    mklists "$work/scale"
}

# ---- meta ----
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "server: $server_desc at $base"
    echo "pdl: $("$pdl" --version 2>&1 | head -1) (git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null)$(git -C "$repo" diff --quiet 2>/dev/null || echo '+dirty')), $pdl"
    [ -n "${BASE_PDL:-}" ] && echo "baseline (base-MODE): $BASE_PDL, modes $BASE_MODES"
    have curl && echo "curl: $(curl --version | head -1 | cut -d' ' -f1-3)"
    have wget2 && echo "wget2: $(wget2 --version 2>/dev/null | head -1)"
    have aria2c && echo "aria2c: $(aria2c --version | head -1)"
    have wrk && echo "wrk: $(wrk -v 2>&1 | head -1)"
    echo "repeats: $REPEATS; quick: $quick; latency $LAT_N x /delay/$LAT_MS; rate $RATE_N x /bytes/64 (xargs: first $XARGS_N);" \
        "bandwidth $BW_N x /bytes/$BW_SIZE; scale $SCALE_N x /bytes/16 at W=$SCALE_W"
} >"$OUT/meta.txt"

# ---- one measured run ----
# measure LIMIT STDIN CMD...: sets M_WALL M_USER M_SYS M_RSS M_RC M_T0
measure() {
    local limit=$1 in=$2 t1 line
    shift 2
    rm -f "$work/time.out"
    M_T0=$EPOCHREALTIME M_RC=0
    timeout -k 5 "$limit" /usr/bin/time -f '%e %U %S %M' -o "$work/time.out" "$@" <"$in" >/dev/null 2>"$work/err" || M_RC=$?
    t1=$EPOCHREALTIME
    M_WALL=$(awk -v a="$M_T0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
    line=$(tail -n 1 "$work/time.out" 2>/dev/null) || line=""
    set -- $line
    if [ $# -eq 4 ]; then M_USER=$2 M_SYS=$3 M_RSS=$4; else M_USER=NA M_SYS=NA M_RSS=NA; fi
}

printf 'rep\tworkload\tW\ttool\trequests\tbytes\tideal_s\twall_s\tuser_s\tsys_s\tmaxrss_kb\trc\tmakespan_s\tstartup_s\tload1\n' >"$OUT/runs.tsv"
nruns=0 nfail=0
# run REP WORKLOAD W TOOL: runs TOOL on WORKLOAD's list at W, appends to runs.tsv
run() {
    local rep=$1 wl=$2 w=$3 tool=$4 list=$work/$2 in=/dev/null limit=180
    local n bytes ideal=NA makespan=NA startup=NA cmd load
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$wl" = scale ] && ! sentinel_start; then
        echo "bench.sh: the sentinel pdl-testd did not start; $tool left out" >&2
        return
    fi
    n=$(wc -l <"$list")
    case $wl in
    latency) bytes=$((n * 15)); ideal=$(awk -v n="$n" -v w="$w" -v ms="$LAT_MS" 'BEGIN { printf "%.3f", int((n + w - 1) / w) * ms / 1000 }') ;;
    rate) bytes=$((n * 64)) ;;
    bandwidth) bytes=$((n * BW_SIZE)) ;;
    scale) bytes=$((n * 16)); limit=300 ;;
    esac
    case $tool in
    pdl-async+tl) cmd=("$pdl" -m async -w "$w" --discard --timeline "$work/tl.tsv" -q "$list"); rm -f "$work/tl.tsv" ;;
    pdl-*) cmd=("$pdl" -m "${tool#pdl-}" -w "$w" --discard --no-timeline -q "$list") ;;
    base-*) cmd=("$BASE_PDL" -m "${tool#base-}" -w "$w" --discard --no-timeline -q "$list") ;;
    floor-*+pdl) local shape=${tool#floor-}
        cmd=("$work/floor" -m "${shape%+pdl}" -o pdl -w "$w" -n "$n" "$base/bytes/64") ;;
    floor-*) local path=/bytes/64
        [ "$wl" = latency ] && path=/delay/$LAT_MS
        cmd=("$work/floor" -m "${tool#floor-}" -w "$w" -n "$n" "$base$path") ;;
    curl) cmd=(curl -sS --no-progress-meter -Z --parallel-immediate --parallel-max "$w" -K "$list.curl") ;;
    wget2) cmd=(wget2 --no-config --no-robots --no-hsts --no-hpkp --tries=1 --max-threads "$w" -i "$list" -O /dev/null -q) ;;
    aria2c) rm -rf "$aria_dir"; mkdir -p "$aria_dir"
        cmd=(aria2c -j "$w" -x 1 -i "$list.aria" -d "$aria_dir" --allow-overwrite=true --file-allocation=none --auto-file-renaming=false -q) ;;
    xargs)
        if [ "$wl" = rate ]; then list=$work/rate.xargs; n=$(wc -l <"$list"); bytes=$((n * 64)); fi
        in=$list; cmd=(xargs -P "$w" -n 1 curl -s -o /dev/null) ;;
    esac
    measure "$limit" "$in" "${cmd[@]}"
    if [ "$wl" = scale ]; then
        # the sentinel's reader may lag the run's end by a moment
        for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$work/first.stamp" ] && break; sleep 0.05; done
        [ -s "$work/first.stamp" ] && startup=$(awk -v t0="$M_T0" '{ printf "%.6f", $1 - t0 }' "$work/first.stamp")
        sentinel_stop
    fi
    if [ "$tool" = pdl-async+tl ] && [ -s "$work/tl.tsv" ]; then
        makespan=$(awk '/^# mode=/ { for (i = 2; i <= NF; i++) if ($i ~ /^wall=/) print substr($i, 6) }' "$work/tl.tsv")
        local ok
        ok=$(awk '/^# mode=/ { for (i = 2; i <= NF; i++) if ($i ~ /^ok=/) print substr($i, 4) }' "$work/tl.tsv")
        [ "$ok" = "$n" ] || echo "timeline says ok=$ok of $n" >>"$work/err"
        [ -n "$makespan" ] || makespan=NA
    fi
    if [ "$tool" = aria2c ]; then rm -rf "$aria_dir"; fi
    nruns=$((nruns + 1))
    if [ "$M_RC" != 0 ] || [ -s "$work/err" ]; then
        local log=$OUT/logs/$wl-w$w-$tool-r$rep.log
        { echo "command: ${cmd[*]}${in:+ < $in}"; echo "exit: $M_RC$([ "$M_RC" = 124 ] && echo ' (timed out after '"$limit"' s)')"
          echo "wall: $M_WALL s"; echo "--- stderr (first 50 lines)"; head -n 50 "$work/err"; } >"$log"
        if [ "$M_RC" != 0 ]; then
            nfail=$((nfail + 1))
            echo "bench.sh: FAILED rc=$M_RC: $wl W=$w $tool (rep $rep), see $log" >&2
        fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$wl" "$w" "$tool" "$n" "$bytes" "$ideal" \
        "$M_WALL" "$M_USER" "$M_SYS" "$M_RSS" "$M_RC" "$makespan" "$startup" "$load" >>"$OUT/runs.tsv"
}

# tools for a workload at W, rotated by the repeat's number
tools_for() { # WORKLOAD W REP
    local t=() i k m
    if [ "$1" = scale ]; then
        t+=(pdl-async pdl-threads)
        for k in $others; do case $k in curl | wget2) t+=("$k") ;; esac; done
    else
        for k in $pdls; do
            case $k in pdl-serial) [ "$2" = 1 ] || continue ;; esac
            t+=("$k")
        done
        if [ -n "${BASE_PDL:-}" ]; then
            for m in $BASE_MODES; do
                case $m in serial) [ "$2" = 1 ] || continue ;; esac
                t+=("base-$m")
            done
        fi
        for k in $others; do t+=("$k"); done
        if [ "$1" = rate ] || { [ "$1" = latency ] && [ "$2" -ge 64 ]; }; then
            for k in $floors; do t+=("$k"); done
        fi
        if [ "$1" = rate ]; then
            for k in $pfloors; do t+=("$k"); done
        fi
    fi
    k=$(( ($3 - 1) % ${#t[@]} ))
    for ((i = 0; i < ${#t[@]}; i++)); do echo "${t[(i + k) % ${#t[@]}]}"; done
}

# ---- the server alone ----
printf "workload\tW\tendpoint\trps\tMiBps\tlat_avg_s\n" >"$OUT/wrk.tsv"
wrk_one() { # WORKLOAD W PATH
    local th=2 out
    [ "$2" -lt 2 ] && th=1
    out=$(timeout -k 5 $((WRK_D + 30)) wrk -t"$th" -c"$2" -d"${WRK_D}s" "$base$3" 2>&1) || true
    echo "$out" >"$OUT/logs/wrk-$1-c$2.txt"
    echo "$out" | awk -v wl="$1" -v w="$2" -v p="$3" '
        /^ +Latency/ { v = $2; u = v; sub(/[0-9.]+/, "", u); v += 0; lat = (u == "s") ? v : (u == "ms") ? v / 1e3 : (u == "us") ? v / 1e6 : (u == "m") ? v * 60 : "NA" }
        /^Requests\/sec:/ { rps = $2 }
        /^Transfer\/sec:/ { v = $2; u = v; sub(/[0-9.]+/, "", u); v += 0
            f = (u == "GB") ? 1024 : (u == "MB") ? 1 : (u == "KB") ? 1 / 1024 : 1 / 1048576; mib = v * f }
        END { if (rps == "") rps = "NA"; if (mib == "") mib = "NA"; if (lat == "") lat = "NA"; printf "%s\t%s\t%s\t%s\t%s\t%s\n", wl, w, p, rps, mib, lat }' >>"$OUT/wrk.tsv"
}
if have wrk; then
    echo "bench.sh: wrk: the server alone" >&2
    wants latency && for w in $LAT_WS; do wrk_one latency "$w" "/delay/$LAT_MS"; done
    wants rate && for w in $RATE_WS; do wrk_one rate "$w" /bytes/64; done
    wants bandwidth && for w in $BW_WS; do wrk_one bandwidth "$w" "/bytes/$BW_SIZE"; done
fi

# ---- the runs ----
start=$(date +%s)
for rep in $(seq "$REPEATS"); do
    echo "bench.sh: repeat $rep of $REPEATS ($(( $(date +%s) - start )) s so far)" >&2
    wants latency && for w in $LAT_WS; do for t in $(tools_for latency "$w" "$rep"); do run "$rep" latency "$w" "$t"; done; done
    wants rate && for w in $RATE_WS; do for t in $(tools_for rate "$w" "$rep"); do run "$rep" rate "$w" "$t"; done; done
    wants bandwidth && for w in $BW_WS; do for t in $(tools_for bandwidth "$w" "$rep"); do run "$rep" bandwidth "$w" "$t"; done; done
    wants scale && for t in $(tools_for scale "$SCALE_W" "$rep"); do run "$rep" scale "$SCALE_W" "$t"; done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); $nruns runs, $nfail failed, $(( $(date +%s) - start )) s" >>"$OUT/meta.txt"
echo "bench.sh: $nruns runs, $nfail failed, $(( $(date +%s) - start )) s" >&2

# ---- report and chart ----
awk -f "$here/bench-report.awk" -v meta="$OUT/meta.txt" -v outdir="$OUT" -v lat_ms="$LAT_MS" \
    "$OUT/wrk.tsv" "$OUT/runs.tsv" >"$OUT/report.md"
cat "$OUT/report.md"
if have gnuplot; then
    gnuplot -e "dir='$OUT'" "$here/bench-chart.gp" 2>"$OUT/logs/gnuplot.log" ||
        echo "bench.sh: gnuplot failed, see $OUT/logs/gnuplot.log" >&2
    [ -s "$OUT/logs/gnuplot.log" ] || rm -f "$OUT/logs/gnuplot.log"
fi
echo "bench.sh: results in $OUT" >&2
