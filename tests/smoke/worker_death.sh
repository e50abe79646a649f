#!/usr/bin/env bash
# Processes mode: a worker killed mid-task costs only that task; the parent
# records it as worker-died, replaces the worker and finishes the rest.
. "$(dirname "$0")/lib.sh"
start_server

# Waits (bounded) for pdl PID's first worker process, kills it DELAY
# seconds later, waits for pdl and sets rc to its exit status.
kill_first_worker() { # PID DELAY WHAT
    local victim=
    for _ in $(seq 100); do
        victim=$(cat /proc/"$1"/task/*/children 2>/dev/null | awk '{ print $1 }')
        [ -n "$victim" ] && break
        sleep 0.05
    done
    [ -n "$victim" ] || fail "$3: no worker process found"
    sleep "$2"
    kill -KILL "$victim"
    set +e
    wait "$1"; rc=$?
    set -e
}

for i in $(seq 6); do echo "$BASE/delay/1500?n=$i"; done >"$WORK/list.txt"
"$PDL" -m processes -w 2 -o "$WORK/out" -t "$WORK/t.tsv" "$WORK/list.txt" \
    2>"$WORK/err" &
# Once both workers are busy, kill one of them.
kill_first_worker $! 0.5 "mid-task"
expect_eq "$rc" 1 "exit status"
expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "worker-died"' | wc -l)" 1 "worker-died rows"
expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 5 "ok rows"
expect_grep "$WORK/err" "killed by signal 9" "stderr"
expect_eq "$(ls -A "$WORK/out" | wc -l)" 5 "files (no partial file left)"

# What a dead worker held at the gate is given back: with --per-host 1 on a
# non-loopback name (pdl caps loopback only when asked, so ask), every
# worker is killed while one transfer holds the host's only slot; the run
# must go on to the end, not wait for ever on a slot nobody holds.
for i in $(seq 8); do echo "$BASE/delay/400?n=$i"; done >"$WORK/eight.txt"
"$PDL" -m processes -w 4 --per-host 1 --discard -t "$WORK/h.tsv" "$WORK/eight.txt" \
    2>"$WORK/err" &
pid=$!
for _ in $(seq 100); do
    [ "$(cat /proc/"$pid"/task/*/children 2>/dev/null | wc -w)" -ge 4 ] && break
    sleep 0.05
done
sleep 0.2
# Stopped first, all of them, then killed: killed one by one, a worker
# still waiting at the gate could take the slot the first one's death gave
# back before its own kill, and die mid-transfer too.
victims=$(cat /proc/"$pid"/task/*/children 2>/dev/null)
for w in $victims; do kill -STOP "$w"; done
for w in $victims; do kill -KILL "$w"; done
# Bounded: 8 tasks of 0.4 s one at a time, and slack for a loaded machine.
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid"
    fail "--per-host 1: the run hangs after its workers were killed"
fi
set +e
wait "$pid"; rc=$?
set -e
expect_eq "$rc" 1 "--per-host 1 after kills: exit status"
expect_eq "$(rows "$WORK/h.tsv" | awk -F'\t' '$11 == "worker-died"' | wc -l)" 1 \
    "--per-host 1 after kills: worker-died rows (the one transfer in flight)"
expect_eq "$(rows "$WORK/h.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 7 "--per-host 1 after kills: ok rows"
expect_eq "$(max_overlap "$WORK/h.tsv")" 1 "--per-host 1 after kills: max in flight"

# A worker is sent its next task while it runs the current one: killed
# then, the task it had not started goes to its replacement, run once, and
# only the running one is lost.
{ echo "$BASE/bytes/64?n=1"; echo "$BASE/delay/1500?n=2"
  for i in 3 4 5; do echo "$BASE/bytes/64?n=$i"; done; } >"$WORK/queued.txt"
"$PDL" -m processes -w 1 --discard -t "$WORK/q.tsv" "$WORK/queued.txt" 2>"$WORK/err" &
kill_first_worker $! 0.7 "queued"
expect_eq "$rc" 1 "queued: exit status"
expect_eq "$(column "$WORK/q.tsv" status | tr '\n' ' ')" "ok worker-died ok ok ok " \
    "queued: statuses in list order (only the running task lost)"
expect_eq "$(rows "$WORK/q.tsv" | wc -l)" 5 "queued: rows (no task twice)"

# A worker holds only its own descriptors, not its siblings' pidfds and
# sockets: under a low descriptor limit many workers still run.
seq 1 64 | sed "s|^|$BASE/delay/200?n=|" >"$WORK/many.txt"
(ulimit -n 96 && "$PDL" -m processes -w 40 --discard -q -t "$WORK/m.tsv" "$WORK/many.txt") \
    2>"$WORK/err" || fail "-w 40 under ulimit -n 96 exited $?: $(tail -3 "$WORK/err")"
expect_eq "$(rows "$WORK/m.tsv" | awk -F'\t' '$11 == "ok"' | wc -l)" 64 "-w 40 under ulimit -n 96: ok rows"
echo "worker_death: ok"
