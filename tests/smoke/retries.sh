#!/usr/bin/env bash
# Retries: transient failures are tried again with backoff, up to --retries;
# Retry-After is honoured within --retry-max-wait; permanent failures (404)
# are not retried; the timeline records attempts and when the last began.
. "$(dirname "$0")/lib.sh"
start_server

for mode in $MODES; do
    cat >"$WORK/list.txt" <<LIST
$BASE/flaky?key=$mode-a&fail=2
$BASE/flaky?key=$mode-b&fail=5
$BASE/status/404
$BASE/retry-after/1?key=$mode-c&fail=1
$BASE/retry-after/30?key=$mode-d&fail=1
http://127.0.0.1:1/refused
$BASE/bytes/10
LIST
    set +e
    "$PDL" -m "$mode" -w 4 --retries 2 --retry-delay 50ms --retry-max-wait 2s \
        -o "$WORK/out-$mode" -t "$WORK/$mode.tsv" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: exit status"
    expect_eq "$(column "$WORK/$mode.tsv" status | tr '\n' ' ')" \
        "ok http http ok ok connect ok " "$mode: status column"
    expect_eq "$(column "$WORK/$mode.tsv" attempts | tr '\n' ' ')" \
        "3 3 1 2 2 3 1 " "$mode: attempts column"
    # Retry-After: 1 was waited for (at least 1 s between the attempts);
    # Retry-After: 30 was capped at --retry-max-wait 2s.
    waits=$(rows "$WORK/$mode.tsv" | awk -F'\t' '$1 == 3 || $1 == 4 { printf "%d ", ($13 - $3) * 1000 }')
    set -- $waits
    [ "$1" -ge 1000 ] && [ "$1" -lt 1900 ] || fail "$mode: Retry-After 1 waited $1 ms"
    [ "$2" -ge 1900 ] && [ "$2" -lt 5000 ] || fail "$mode: Retry-After 30 (cap 2 s) waited $2 ms"
    expect_grep "$WORK/err" "pdl: $BASE/flaky?key=$mode-b&fail=5: HTTP 503" "$mode"
    expect_eq "$(cd "$WORK/out-$mode" && ls -A | sort | tr '\n' ' ')" \
        "10 1_key=$mode-c_fail=1 30_key=$mode-d_fail=1 flaky_key=$mode-a_fail=2 " \
        "$mode: folder contents"
done
echo "retries: ok"
