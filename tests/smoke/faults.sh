#!/usr/bin/env bash
# Network faults cost exactly the task they touch, in every mode: a server
# that hangs or drips, a body cut short, redirect loops and limits, redirects
# to other schemes, bodies over --max-filesize with and without a length, a
# hostile Content-Disposition (ignored: names come from the URL only).
# A control URL in the same list always downloads.
. "$(dirname "$0")/lib.sh"
start_server

cat >"$WORK/list.txt" <<LIST
$BASE/bytes/100
$BASE/hang
$BASE/drip?bytes=100&ms=1000
$BASE/reset-after/1000?length=1500
$BASE/redirect/3
$BASE/redirect-loop
$BASE/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Fx
$BASE/redirect-to?url=file%3A%2F%2F%2Fetc%2Fpasswd
$BASE/huge
$BASE/no-length/3000
$BASE/bytes/3000
$BASE/disposition?name=..%2F..%2Fetc%2Fpasswd
LIST

# status and, where curl says it, a word of the reason, per line of the list
want=(ok timeout timeout network ok redirect redirect redirect too-big too-big too-big ok)
for mode in $MODES; do
    out="$WORK/out-$mode"
    set +e
    "$PDL" -m "$mode" -w 6 -o "$out" -t "$WORK/$mode.tsv" --timeout 3s \
        --speed-limit 100 --speed-time 2s --max-redirs 5 --max-filesize 2000 \
        "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: exit status"
    got=($(column "$WORK/$mode.tsv" status))
    expect_eq "${got[*]}" "${want[*]}" "$mode: status column"
    expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" "100 3 disposition_name=.._.._etc_passwd " \
        "$mode: folder contents"
    expect_eq "$(cat "$out/3")" "redirected" "$mode: redirect followed"
    expect_grep "$WORK/err" "pdl: $BASE/reset-after/1000?length=1500: " "$mode"
    expect_grep "$WORK/err" "pdl: $BASE/huge: body over --max-filesize (2000 bytes)" "$mode"
    expect_grep "$WORK/err" "pdl: $BASE/redirect-loop: " "$mode"
done
echo "faults: ok"
