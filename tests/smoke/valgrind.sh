#!/usr/bin/env bash
# valgrind memcheck on real runs (serial, threads, async; processes forks,
# which memcheck follows poorly): no error, no leak.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || skip "valgrind missing"
start_server

printf '%s\n' "$BASE/bytes/1000" "$BASE/delay/50" "$BASE/status/404" \
    "$BASE/bytes/[1-3]" "http://127.0.0.1:1/refused" "bogus" >"$WORK/list.txt"
for mode in serial threads async; do
    want_mode "$mode" || continue
    set +e
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        "$PDL" -m "$mode" -w 3 --retries 1 --retry-delay 10ms -o "$WORK/out-$mode" \
        -t "$WORK/t.tsv" --export "$WORK/t.har" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    [ "$rc" = 1 ] || fail "$mode under valgrind: exit $rc: $(grep -v '^pdl:' "$WORK/err" | head -40)"
done
echo "valgrind: ok"
