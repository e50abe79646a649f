#!/usr/bin/env bash
# Bad lists: an empty list, a 1 MB line, NUL bytes, binary junk, a byte order
# mark, CRLF, 100,000 duplicate lines. Clear messages with file:line, bounded
# memory, no crash; the good lines still run.
. "$(dirname "$0")/lib.sh"
start_server

# Empty: nothing to do, said plainly, exit 0, an empty timeline.
: >"$WORK/empty.txt"
"$PDL" -t "$WORK/e.tsv" "$WORK/empty.txt" 2>"$WORK/err" || fail "empty list exited $?"
expect_grep "$WORK/err" "pdl: no URLs to download" "empty list"
expect_eq "$(rows "$WORK/e.tsv" | wc -l)" 0 "empty list: rows"

# A mess of a list, with one good URL after each bad line.
{
    printf '\xef\xbb\xbf%s/bytes/1\r\n' "$BASE"
    head -c 1048576 /dev/zero | tr '\0' 'a'; printf '\n'
    printf '%s/bytes/2\n' "$BASE"
    printf 'http://h/x\0y\n'
    printf '%s/bytes/3\n' "$BASE"
    head -c 300 /dev/urandom | tr -d '\n'; printf '\n'
    printf '%s/bytes/4\n' "$BASE"
} >"$WORK/mess.txt"
set +e
"$PDL" -w 2 --discard -t "$WORK/m.tsv" "$WORK/mess.txt" 2>"$WORK/err" ||
    true
set -e
expect_grep "$WORK/err" "pdl: $WORK/mess.txt:2: line too long (1048576 bytes, limit 65536): \"aaaa" "1 MB line"
expect_grep "$WORK/err" "pdl: $WORK/mess.txt:4: contains a NUL byte: \"http://h/x\\x00y\"" "NUL byte"
grep -q "pdl: $WORK/mess.txt:6: " "$WORK/err" || fail "binary junk not reported: $(cat "$WORK/err")"
expect_eq "$(column "$WORK/m.tsv" url | sed "s|$BASE||" | tr '\n' ' ')" "/bytes/1 /bytes/2 /bytes/3 /bytes/4 " "good lines"

# 100,000 copies of one URL: told once, all run, names stay distinct.
yes "$BASE/bytes/1" | head -n 100000 >"$WORK/dups.txt"
"$PDL" -m async -w 32 --discard -t "$WORK/d.tsv" "$WORK/dups.txt" 2>"$WORK/err" ||
    fail "duplicates exited $?: $(tail -3 "$WORK/err")"
expect_grep "$WORK/err" "pdl: 99999 of 100000 URLs repeat an earlier one" "duplicates"
expect_eq "$(rows "$WORK/d.tsv" | wc -l)" 100000 "duplicates: rows"
echo "bad_lists: ok"
