#!/usr/bin/env bash
# Replies that are not HTTP fail as "protocol", with a message that says
# what happened: no status line at all (libcurl's HTTP/0.9, off by default)
# and a header line over libcurl's 100 KiB limit, which libcurl 7.88 calls
# "Out of memory". A redirect to another scheme stays "redirect".
. "$(dirname "$0")/lib.sh"
start_server

cat >"$WORK/list" <<EOF2
$BASE/junk
$BASE/long-header/204800
$BASE/long-header/1000
$BASE/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Fx
EOF2
for mode in $MODES; do
    out="$WORK/out-$mode" tl="$WORK/$mode.tsv"
    set +e
    "$PDL" -m "$mode" -w 2 -o "$out" -t "$tl" "$WORK/list" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: exit"
    expect_eq "$(column "$tl" status | tr '\n' ' ')" "protocol protocol ok redirect " "$mode: statuses"
    expect_grep "$WORK/err" "pdl: $BASE/junk: Received HTTP/0.9 when not allowed" "$mode"
    expect_grep "$WORK/err" "pdl: $BASE/long-header/204800: a response header line over libcurl's 100 KiB limit" "$mode"
    expect_eq "$(ls -A "$out" | tr '\n' ' ')" "1000 " "$mode: folder contents"
    expect_eq "$(cat "$out/1000")" ok "$mode: body after a 1000-byte header"
    rm -rf "$out"
done
echo "protocol: ok"
