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

"$PDL" --help | grep -q -- "--workers" || fail "--help lacks --workers"
"$PDL" --version | grep -q "^pdl " || fail "--version"
echo "usage: ok"
