#!/usr/bin/env bash
# URL ranges and sets expand as curl's do, in curl's order; a bad pattern is
# reported with its place and skipped; --no-glob takes brackets literally.
. "$(dirname "$0")/lib.sh"
start_server

printf '%s\n' "$BASE/bytes/[1-3]" "$BASE/status/{200,204}" "$BASE/bytes/[5-1]" \
    "$BASE/bytes/[08-10:2]?x={a,b}" >"$WORK/list.txt"
set +e
"$PDL" -w 4 -o "$WORK/out" -t "$WORK/t.tsv" "$WORK/list.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "exit status (one bad pattern)"
expect_grep "$WORK/err" "pdl: $WORK/list.txt:3: bad URL pattern (bad range [5-1] at column" "bad pattern"
expect_eq "$(column "$WORK/t.tsv" url | sed "s|$BASE||" | tr '\n' ' ')" \
    "/bytes/1 /bytes/2 /bytes/3 /status/200 /status/204 /bytes/08?x=a /bytes/08?x=b /bytes/10?x=a /bytes/10?x=b " \
    "expanded URLs in order"
expect_eq "$(rows "$WORK/t.tsv" | awk -F'\t' '$11 != "ok"' | wc -l)" 0 "failed rows"
expect_eq "$(cat "$WORK/out/3")" "012" "body of /bytes/3"

# Escapes and --no-glob keep brackets: the server sees them and says 400.
printf '%s\n' "$BASE/bytes/\\[1\\]" >"$WORK/esc.txt"
set +e
"$PDL" -w 1 --discard -t "$WORK/e.tsv" "$WORK/esc.txt" 2>"$WORK/err"
set -e
expect_eq "$(column "$WORK/e.tsv" http) $(column "$WORK/e.tsv" url | sed "s|$BASE||")" \
    "400 /bytes/[1]" "escaped brackets"
echo "$BASE/bytes/[1-3]" | { "$PDL" --no-glob --discard -t "$WORK/n.tsv" - 2>"$WORK/err" || true; }
expect_eq "$(rows "$WORK/n.tsv" | wc -l)" 1 "--no-glob rows"
expect_eq "$(rows "$WORK/n.tsv" | cut -f10)" 400 "--no-glob status"
echo "glob: ok"
