#!/usr/bin/env bash
# Processes mode: a worker killed mid-task costs only that task; the parent
# records it as worker-died, replaces the worker and finishes the rest.
. "$(dirname "$0")/lib.sh"
start_server

for i in $(seq 6); do echo "$BASE/delay/1500?n=$i"; done >"$WORK/list.txt"
"$PDL" -m processes -w 2 -o "$WORK/out" -t "$WORK/t.tsv" "$WORK/list.txt" \
    2>"$WORK/err" &
pid=$!
# Wait until both workers are busy, then kill one of them.
victim=
for _ in $(seq 100); do
    victim=$(cat /proc/"$pid"/task/*/children 2>/dev/null | awk '{ print $1 }')
    [ -n "$victim" ] && break
    sleep 0.05
done
[ -n "$victim" ] || fail "no worker process found"
sleep 0.5
kill -KILL "$victim"
set +e
wait "$pid"; rc=$?
set -e
expect_eq "$rc" 1 "exit status"
expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "worker-died"' | wc -l)" 1 "worker-died rows"
expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 5 "ok rows"
expect_grep "$WORK/err" "killed by signal 9" "stderr"
expect_eq "$(ls -A "$WORK/out" | wc -l)" 5 "files (no partial file left)"
echo "worker_death: ok"
