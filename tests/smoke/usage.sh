#!/usr/bin/env bash
# Option values are validated with a clear message and exit status 2.
. "$(dirname "$0")/lib.sh"

echo "http://127.0.0.1:1/" >"$WORK/list.txt"
check() {
    local want=$1; shift
    set +e
    "$PDL" "$@" 2>"$WORK/err" >/dev/null
    local rc=$?
    set -e
    expect_eq "$rc" 2 "pdl $*: exit status"
    expect_grep "$WORK/err" "$want" "pdl $*"
}
check 'pdl: --workers: must be a whole number from 1 to 1024: "0"' -w 0 "$WORK/list.txt"
check 'pdl: --workers: must be a whole number from 1 to 1024: "-3"' -w -3 "$WORK/list.txt"
check 'pdl: --workers: must be a whole number from 1 to 1024: "abc"' -w abc "$WORK/list.txt"
check 'pdl: --workers: must be a whole number from 1 to 1024: "100000"' -w 100000 "$WORK/list.txt"
check 'pdl: --workers: must be a whole number from 1 to 1024: "4x"' --workers=4x "$WORK/list.txt"
check 'pdl: --mode: unknown mode' --mode fibers "$WORK/list.txt"
check 'pdl: --timeout: not a duration' --timeout soon "$WORK/list.txt"
check 'pdl: no URL list given' -w 2
check "Try 'pdl --help'" --no-such-option "$WORK/list.txt"

# The mpi mode runs in pdl-mpi, beside pdl, which alone links MPI: pdl
# loads none of it, and without pdl-mpi beside it says so and runs nothing.
if [ -x "$(dirname "$PDL")/pdl-mpi" ]; then
    if command -v ldd >/dev/null; then
        ! ldd "$PDL" | grep -q libmpi || fail "pdl links MPI: $(ldd "$PDL" | grep mpi)"
    fi
    mkdir "$WORK/alone"
    cp "$PDL" "$WORK/alone/pdl"
    set +e
    "$WORK/alone/pdl" --mode mpi -o "$WORK/alone/out" -t "$WORK/alone/t.tsv" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 2 "pdl --mode mpi without pdl-mpi: exit status"
    expect_grep "$WORK/err" "pdl: --mode mpi: $WORK/alone/pdl-mpi, which runs it, is missing" "without pdl-mpi"
    expect_eq "$(ls -A "$WORK/alone")" pdl "without pdl-mpi: nothing made"
fi

"$PDL" --help | grep -q -- "--workers" || fail "--help lacks --workers"
"$PDL" --version | grep -q "^pdl " || fail "--version"
echo "usage: ok"
