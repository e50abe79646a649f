#!/usr/bin/env bash
# The mpi mode, 3 ranks of -w 2 on this machine (oversubscribed): every task
# done exactly once, by all three ranks, at most 3 x 2 in flight, one merged
# timeline and a chart by rank; a 500 gives exit status 1 and a failed list.
# A rank killed mid-run ends the run with a clear message and a failed list
# of what was not done, which a second run completes: under plain mpirun
# (which then stops every rank) and with --enable-recovery (pdl notices).
# Skipped when pdl was built without MPI or mpirun is missing.
. "$(dirname "$0")/lib.sh"

MPIRUN=${PDL_MPIEXEC:-$(command -v mpirun || true)}
[ -n "$MPIRUN" ] || skip "mpirun not found"
if ! "$PDL" --mode mpi --version >/dev/null 2>"$WORK/built.err"; then
    grep -q "built without MPI" "$WORK/built.err" || fail "pdl --mode mpi: $(cat "$WORK/built.err")"
    skip "pdl was built without MPI"
fi
MPI_FLAGS=()
OPEN_MPI=
if "$MPIRUN" --version 2>&1 | grep -qiE "open mpi|openrte|open-mpi"; then
    OPEN_MPI=1
    # One machine with fewer cores than ranks; CI runs as root.
    MPI_FLAGS=(--oversubscribe)
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    # Containers often forbid the cross-process reads (CMA) that shared
    # memory uses for large messages; copying costs nothing here.
    export OMPI_MCA_btl_vader_single_copy_mechanism=none
fi
# Open MPI's own allocations are not pdl's leaks (sanitizer builds).
printf 'leak:libmpi\nleak:libopen-pal\nleak:libopen-rte\nleak:libpmix\nleak:libhwloc\nleak:libevent\nleak:mca_\n' \
    >"$WORK/lsan.supp"
# Full stacks, so that the leaks of MPI's plugins name MPI's libraries.
export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$WORK/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
start_server

mpi_pdl() {
    "$MPIRUN" "${MPI_FLAGS[@]}" "$@"
}

# ---- 3 ranks: every task once, overlap up to 6, one timeline -----------------
for i in $(seq 30); do echo "$BASE/delay/200?n=$i"; done >"$WORK/list.txt"
echo "$BASE/status/500" >>"$WORK/list.txt"
set +e
mpi_pdl -n 3 "$PDL" --mode mpi -w 2 -o "$WORK/out" -t "$WORK/t.tsv" \
    --failed "$WORK/failed.txt" --chart "$WORK/lanes.png" --chart-by worker \
    "$WORK/list.txt" >"$WORK/run.out" 2>"$WORK/run.err"
rc=$?
set -e
t="$WORK/t.tsv"
[ -s "$t" ] || fail "no timeline (exit $rc): $(cat "$WORK/run.err")"
expect_eq "$rc" 1 "exit status (one 500): $(cat "$WORK/run.err")"
expect_eq "$(rows "$t" | wc -l)" 31 "rows"
expect_eq "$(column "$t" id | sort -n | uniq -u | wc -l)" 31 "ids seen exactly once"
expect_eq "$(column "$t" id | sort -n | tail -1)" 30 "last id"
expect_eq "$(column "$t" rank | sort -u | tr '\n' ' ')" "0 1 2 " "ranks that ran tasks"
expect_eq "$(column "$t" host | sort -u | wc -l)" 1 "hosts (one machine)"
expect_eq "$(column "$t" status | grep -c '^ok$')" 30 "ok rows"
head -1 "$t" | grep -qx "# pdl-timeline 5" || fail "timeline version: $(head -1 "$t")"
# Version 5's columns cross the wire with the record: the file each rank
# saved (names are planned by rank 0) and the content type.
expect_eq "$(column "$t" file | sed -n 1p)" "200_n=1" "file of task 0 (ran on any rank)"
expect_eq "$(column "$t" content_type | sort -u | tr '\n' ' ')" "text/plain " "content types"
[ -f "$WORK/out/200_n=1" ] || fail "no file 200_n=1 in the output folder"
sed -n 2p "$t" | grep -q "^# mode=mpi workers=2 tasks=31 ok=30 failed=1 " ||
    fail "metadata line: $(sed -n 2p "$t")"
for key in ranks=3 rank_hosts= clock_error_us= mpi_messages= messages_per_task=; do
    expect_grep "$t" " $key" "metadata"
done
overlap=$(max_overlap "$t")
[ "$overlap" -le 6 ] || fail "max overlap $overlap > 3 ranks x 2 workers"
[ "$overlap" -ge 4 ] || fail "max overlap only $overlap: the ranks did not run together"
# One clock: no rank's task ends before it starts or after the run's wall.
wall=$(sed -n 2p "$t" | tr ' ' '\n' | sed -n 's/^wall=//p')
rows "$t" | awk -F'\t' -v w="$wall" '$3 > $4 || $4 > w + 1e-6 { bad++ } END { exit bad > 0 }' ||
    fail "times out of order or past wall=$wall"
expect_eq "$(ls -A "$WORK/out" | wc -l)" 30 "files in the output folder"
for f in "$WORK"/out/*; do
    expect_eq "$(cat "$f")" "delayed 200 ms" "body of $f"
done
expect_grep "$WORK/failed.txt" "$BASE/status/500" "failed list"
expect_eq "$(grep -c '^http' "$WORK/failed.txt")" 1 "URLs in the failed list"
# Only rank 0 reports.
expect_eq "$(grep -c '^pdl: mpi, 6 workers: 31 tasks' "$WORK/run.err")" 1 "summary lines"
if command -v gnuplot >/dev/null; then
    [ -s "$WORK/lanes.png" ] || fail "chart by rank not drawn: $(cat "$WORK/run.err")"
    gnuplot -e "data='$t'; out='$WORK/gantt.png'" \
        "$(dirname "$0")/../../plots/gantt.gp" 2>"$WORK/gantt.err" ||
        fail "gantt.gp on the merged timeline: $(cat "$WORK/gantt.err")"
    [ -s "$WORK/gantt.png" ] || fail "gantt chart not drawn"
else
    [ -s "$WORK/lanes.png.gp" ] || fail "no chart and no script left for later"
fi
"$PDL" export "$t" "$WORK/t.jsonl" || fail "the merged timeline does not read back"
expect_eq "$(wc -l <"$WORK/t.jsonl")" 31 "exported records"

# ---- a rank killed mid-run ------------------------------------------------------
for i in $(seq 18); do echo "$BASE/delay/1000?k=$i"; done >"$WORK/slow.txt"

# The pid of rank $2 among the descendants of $1 (mpirun), once it runs:
# Open MPI names the rank in OMPI_COMM_WORLD_RANK, MPICH in PMI_RANK.
rank_pid() {
    local p
    for _ in $(seq 200); do
        for p in $(ps -e -o pid=,ppid= | awk -v top="$1" '
                { parent[$1] = $2 }
                END { for (p in parent) for (q = p; q in parent; q = parent[q])
                          if (parent[q] == top) { print p; break } }'); do
            if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null |
                grep -qxE "(OMPI_COMM_WORLD_RANK|PMI_RANK)=$2"; then
                echo "$p"
                return
            fi
        done
        sleep 0.05
    done
}

# Every URL of the list is either downloaded or in the failed list, once.
check_accounted() {
    local out=$1 failed=$2 what=$3
    local done_n listed
    done_n=$(ls -A "$out" 2>/dev/null | grep -vc '^\.' || true)
    listed=$(grep -c '^http' "$failed" || true)
    [ "$listed" -ge 1 ] || fail "$what: the failed list is empty"
    expect_eq "$((done_n + listed))" 18 "$what: files + failed URLs"
    expect_eq "$(grep '^http' "$failed" | sort -u | wc -l)" "$listed" "$what: failed URLs listed once"
}

# True once process $1 has a connection to the test server open, that is
# once it has started a task (MPI's own connections go to other ports).
has_transfer() {
    local port inodes
    port=$(printf ':%04X' "$(cat "$WORK/port")")
    inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
    [ -n "$inodes" ] || return 1
    cat "/proc/$1/net/tcp" "/proc/$1/net/tcp6" 2>/dev/null |
        awk -v port="$port" -v inodes=" $inodes" '
            $4 == "01" && substr($3, length($3) - 4) == port &&
                index(inodes, " " $10 " ") { found = 1 }
            END { exit !found }'
}

# Runs the slow list and kills rank 2 as soon as it has started a task
# (MPI may take long to start the ranks: a fixed delay could kill it before
# it had any work); $1 names the case, the rest are mpirun options.
run_and_kill() {
    local name=$1 pid victim
    shift
    "$MPIRUN" "${MPI_FLAGS[@]}" "$@" -n 3 "$PDL" --mode mpi -w 2 -q \
        -o "$WORK/$name" -t "$WORK/$name.tsv" --failed "$WORK/$name.failed" \
        "$WORK/slow.txt" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    pid=$!
    victim=$(rank_pid "$pid" 2)
    [ -n "$victim" ] || fail "$name: rank 2 not found"
    for _ in $(seq 1200); do
        has_transfer "$victim" && break
        kill -0 "$victim" 2>/dev/null || fail "$name: rank 2 ended before it started a task"
        sleep 0.05
    done
    has_transfer "$victim" || fail "$name: rank 2 started no task in 60 s"
    kill -KILL "$victim"
    set +e
    wait "$pid"
    KILLED_RC=$?
    set -e
}

# Plain mpirun ends every rank when one dies: rank 0 still writes the failed
# list, in the second mpirun leaves it before SIGKILL.
run_and_kill plain
[ "$KILLED_RC" -ne 0 ] || fail "plain: mpirun exited 0 after a rank was killed"
expect_grep "$WORK/plain.err" "pdl: mpi: rank 2 (" "plain: message"
expect_grep "$WORK/plain.err" "sent nothing after the stop" "plain: message"
expect_grep "$WORK/plain.err" "mpirun --enable-recovery" "plain: hint"
check_accounted "$WORK/plain" "$WORK/plain.failed" plain
# The failed list is a list to run again: the second run completes the set.
mpi_pdl -n 3 "$PDL" --mode mpi -w 2 -q -o "$WORK/plain" -t "$WORK/resume.tsv" \
    "$WORK/plain.failed" 2>"$WORK/resume.err" || fail "resume: $(cat "$WORK/resume.err")"
expect_eq "$(ls -A "$WORK/plain" | grep -vc '^\.')" 18 "plain: files after the resumed run"

# With --enable-recovery pdl notices the silent rank itself, lets the others
# finish, and lists what the lost rank held.
if [ -n "$OPEN_MPI" ]; then
    run_and_kill recovery --enable-recovery
    expect_grep "$WORK/recovery.err" "pdl: mpi: rank 2 (" "recovery: message"
    expect_grep "$WORK/recovery.err" "lost: nothing heard from it for" "recovery: message"
    check_accounted "$WORK/recovery" "$WORK/recovery.failed" recovery
    expect_eq "$(column "$WORK/recovery.tsv" status | grep -cv '^ok$')" \
        "$(grep -c '^http' "$WORK/recovery.failed")" "recovery: not-ok rows"
    column "$WORK/recovery.tsv" status | grep -q '^worker-died$' ||
        fail "recovery: no task recorded as held by the lost rank"
    expect_eq "$(column "$WORK/recovery.tsv" status | grep -cvE '^(ok|worker-died|not-run)$')" 0 \
        "recovery: other statuses"
fi
echo "mpi: ok"
