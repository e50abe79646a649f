#!/usr/bin/env bash
# A list on standard input, with CRLF endings, blank lines and comments.
. "$(dirname "$0")/lib.sh"
start_server

printf '# from a Windows editor\r\n%s/bytes/5\r\n\r\n  %s/bytes/6  \r\n' "$BASE" "$BASE" |
    "$PDL" -w 8 -o "$WORK/out" -t "$WORK/t.tsv" - 2>"$WORK/err" ||
    fail "exited $?: $(cat "$WORK/err")"
expect_eq "$(cd "$WORK/out" && ls -A | sort | tr '\n' ' ')" "5 6 " "folder contents"
expect_eq "$(column "$WORK/t.tsv" url | tr '\n' ' ')" "$BASE/bytes/5 $BASE/bytes/6 " "urls"
echo "stdin: ok"
