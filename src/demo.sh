#!/usr/bin/env bash
# The demo: start the bundled test server, download the demo list serially,
# with 4 threads and with 4 processes, and draw each run as a chart.
# Usage: demo.sh PDL PDL_TESTD SOURCE_DIR OUT_DIR
set -eu
pdl=$1 testd=$2 src=$3 out=$4

mkdir -p "$out"
rm -f "$out/port"
"$testd" --port 0 --port-file "$out/port" >/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.05; done
[ -s "$out/port" ] || { echo "demo: pdl-testd did not start" >&2; exit 1; }
port=$(cat "$out/port")
sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/" "$src/urls/demo.txt" >"$out/demo.txt"

echo "demo: pdl-testd serving on http://127.0.0.1:$port/ ; list: $out/demo.txt"
for run in "serial 1" "threads 4" "processes 4"; do
    set -- $run
    echo
    echo "demo: pdl --mode $1 -w $2 -o $out/files-$1 --timeline $out/$1.tsv --chart $out/$1.png"
    # The demo list holds one URL that fails on purpose (HTTP 503), so pdl
    # exits 1 here: that is part of the show, not a failure of the demo.
    "$pdl" --mode "$1" -w "$2" -o "$out/files-$1" --timeline "$out/$1.tsv" \
        --chart "$out/$1.png" "$out/demo.txt" || [ $? -eq 1 ]
done
echo
echo "demo: charts in $out: serial.png threads.png processes.png"
