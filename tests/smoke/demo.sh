#!/usr/bin/env bash
# pdl demo: runs the demo into a temporary folder and checks what it leaves
# (every timeline with 24 rows and the planned failure, every chart a real
# PNG and an SVG that parses, compare's and predict's outputs, an index that
# names only files that are there), that its server and children are gone
# when it ends, and that SIGINT mid-run stops it the same way (and that
# without gnuplot it says so and asks for no chart). Its usage
# errors name what was wrong.
. "$(dirname "$0")/lib.sh"

# Children of the demo are found by the folder on their command lines.
leftovers() {
    pgrep -f -- "$1" || true
}

# True if something still answers on the demo's server port.
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The port the demo said its server was on.
demo_port() {
    sed -n 's|^pdl demo: test server on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$1"
}

check_png() {
    [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$1 is not a PNG"
}

check_svg() {
    [ -s "$1" ] || fail "no $1"
    if command -v python3 >/dev/null; then
        python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith("svg") else 1)' "$1" ||
            fail "$1 does not parse as SVG"
    elif command -v xmllint >/dev/null; then
        xmllint --noout "$1" || fail "$1 does not parse as XML"
    else
        grep -q '</svg>' "$1" || fail "$1 is not a whole SVG"
    fi
}

# ---- usage ----------------------------------------------------------------
"$PDL" demo --help >"$WORK/help" || fail "pdl demo --help: exit $?"
expect_grep "$WORK/help" "Usage: pdl demo [--no-mpi] [DIR]" "demo --help"
set +e
"$PDL" demo a b 2>"$WORK/err"; rc=$?
set -e
expect_eq "$rc" 2 "two folders"
expect_grep "$WORK/err" 'pdl demo: one DIR only: "b"' "two folders"
set +e
"$PDL" demo --bogus 2>"$WORK/err"; rc=$?
set -e
expect_eq "$rc" 2 "unknown option"
expect_grep "$WORK/err" "Try 'pdl demo --help'." "unknown option"
set +e
"$PDL" demo /proc/no-such-place 2>"$WORK/err"; rc=$?
set -e
expect_eq "$rc" 2 "unwritable folder"
expect_grep "$WORK/err" "pdl demo: /proc/no-such-place: " "unwritable folder"

# ---- a whole demo ---------------------------------------------------------
# Open MPI's own allocations are not pdl's leaks (sanitizer builds; as in
# mpi.sh): the demo's mpirun and ranks inherit these.
printf 'leak:libmpi\nleak:libopen-pal\nleak:libopen-rte\nleak:libpmix\nleak:libhwloc\nleak:libevent\nleak:mca_\n' \
    >"$WORK/lsan.supp"
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$WORK/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
MPIRUN=$(command -v mpirun || true)
mpi=
if [ -n "$MPIRUN" ] && "$PDL" --mode mpi --version >/dev/null 2>&1; then mpi=1; fi
dir=$WORK/demo
t0=$(date +%s)
set +e
"$PDL" demo "$dir" >"$WORK/out" 2>"$WORK/err"
rc=$?
set -e
secs=$(($(date +%s) - t0))
expect_eq "$rc" 0 "pdl demo exit status: $(cat "$WORK/err")"
echo "demo: whole demo in $secs s"
port=$(demo_port "$WORK/out")
[ -n "$port" ] || fail "the demo did not say its port: $(head -3 "$WORK/out")"
! port_open "$port" || fail "the demo's server still answers on $port"
[ -z "$(leftovers "$dir")" ] || fail "processes left: $(leftovers "$dir")"
expect_grep "$WORK/out" "pdl demo: done in" "the end"
expect_grep "$WORK/out" "$dir/:" "where the charts are"

modes="serial threads processes async"
if [ -n "$mpi" ]; then
    modes="$modes mpi"
else
    expect_grep "$WORK/out" "pdl demo: mpi: left out" "mpi without mpirun or MPI"
fi
[ "$(grep -c '^http://127.0.0.1:'"$port"'/' "$dir/demo.txt")" = 24 ] || fail "demo.txt: $(cat "$dir/demo.txt")"
for m in $modes; do
    t=$dir/$m.tsv
    [ -s "$t" ] || fail "no timeline for $m: $(cat "$dir/$m.log" 2>/dev/null)"
    expect_eq "$(rows "$t" | wc -l)" 24 "$m: rows"
    sed -n 2p "$t" | grep -q "^# mode=$m workers=[0-9]* tasks=24 ok=23 failed=1 " ||
        fail "$m: metadata: $(sed -n 2p "$t")"
    expect_eq "$(rows "$t" | awk -F'\t' '$11 == "ok"' | wc -l)" 23 "$m: ok rows"
    expect_eq "$(rows "$t" | awk -F'\t' '$11 != "ok" { print $10 " " $11 " " $14 }' | sed 's|http://[^/]*||')" \
        "503 http /status/503" "$m: the failing task"
    check_png "$dir/$m.png"
    check_svg "$dir/$m.svg"
    grep -q "href=\"$m.svg\"" "$dir/index.html" || fail "index.html does not link $m.svg"
done
expect_eq "$(max_overlap "$dir/serial.tsv")" 1 "serial overlap"
expect_eq "$(max_overlap "$dir/threads.tsv")" 4 "threads overlap"
for c in compare predict; do
    check_png "$dir/$c.png"
    check_svg "$dir/$c.svg"
    grep -q "src=\"$c.png\"" "$dir/index.html" || fail "index.html does not show $c.png"
done
# compare ran threads, processes, async at 2, 4, 8 workers; predict 5 counts.
expect_eq "$(grep -vc '^#\|^mode' "$dir/compare/summary.tsv")" 9 "compare runs"
if command -v jq >/dev/null; then
    expect_eq "$(jq '.predictions | length' "$dir/predict.json")" 5 "predictions"
    jq -e . "$dir/compare.json" >/dev/null || fail "compare.json does not parse"
fi
expect_grep "$dir/predict.txt" "replayed as measured (W=4 dynamic)" "predict's table"
# Everything index.html names is there.
for f in $(grep -o '\(src\|href\)="[^"]*"' "$dir/index.html" | sed 's/^[a-z]*="//; s/"$//'); do
    [ -s "$dir/$f" ] || fail "index.html names $f, which is not there"
done

# ---- SIGINT mid-run, without gnuplot ---------------------------------------
# With job control the demo does not start with SIGINT ignored, and gets its
# own process group: the signal reaches the demo alone, which must pass it on.
# With no PATH it finds no gnuplot (pdl itself it runs by its own path), says
# so, and asks no run for a chart.
dir2=$WORK/interrupted
set -m
PATH=/nonexistent "$PDL" demo --no-mpi "$dir2" >"$WORK/out2" 2>"$WORK/err2" &
pid=$!
set +m
for _ in $(seq 200); do [ -s "$dir2/serial.log" ] && break; sleep 0.05; done
[ -s "$dir2/serial.log" ] || fail "the demo did not start its first run: $(cat "$WORK/err2")"
port=$(demo_port "$WORK/out2")
port_open "$port" || fail "the demo's server does not answer mid-run"
t0=$(date +%s%N)
kill -INT "$pid"
set +e
wait "$pid"; rc=$?
set -e
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "$rc" 130 "interrupted demo: exit status ($(cat "$WORK/err2"))"
[ "$ms" -lt 10000 ] || fail "the demo took $ms ms to stop"
! port_open "$port" || fail "the interrupted demo's server still answers on $port"
[ -z "$(leftovers "$dir2")" ] || fail "processes left after SIGINT: $(leftovers "$dir2")"
expect_grep "$WORK/out2" "pdl demo: interrupted after" "interrupted demo"
expect_grep "$WORK/out2" "pdl demo: gnuplot is not on PATH" "the demo without gnuplot"
grep "^pdl demo: serial: " "$WORK/out2" | grep -q -- "-t $dir2/serial.tsv $dir2/demo.txt$" ||
    fail "the serial run without gnuplot: $(grep '^pdl demo: serial' "$WORK/out2")"
[ ! -e "$dir2/compare" ] || fail "compare ran after the interrupt"
echo "demo: ok"
