#!/usr/bin/env bash
# A list with a bad line and failing URLs: the others still download, the
# exit status is 1, every failure is named on stderr (file:line or URL), the
# failed bodies are not saved, and the timeline records every task.
. "$(dirname "$0")/lib.sh"
start_server

printf '%s\n' "# a comment" "$BASE/bytes/100" "not a url" "$BASE/status/500" \
    "   " "$BASE/status/404" "ftp://example.com/x" "$BASE/delay/10" \
    "http://127.0.0.1:1/refused" >"$WORK/list.txt"

for mode in $MODES; do
    out="$WORK/out-$mode"
    set +e
    "$PDL" -m "$mode" -w 4 -o "$out" -t "$WORK/$mode.tsv" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: exit status"
    expect_grep "$WORK/err" "pdl: $WORK/list.txt:3: not an http(s) URL: \"not a url\"" "$mode"
    expect_grep "$WORK/err" "pdl: $WORK/list.txt:7: not an http(s) URL: \"ftp://example.com/x\"" "$mode"
    expect_grep "$WORK/err" "pdl: $BASE/status/500: HTTP 500" "$mode"
    expect_grep "$WORK/err" "pdl: $BASE/status/404: HTTP 404" "$mode"
    expect_grep "$WORK/err" "pdl: http://127.0.0.1:1/refused: " "$mode"
    expect_grep "$WORK/err" "5 tasks, 2 ok, 3 failed" "$mode"
    expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" "10 100 " "$mode: folder contents"
    expect_eq "$(rows "$WORK/$mode.tsv" | wc -l)" 5 "$mode: timeline rows"
    expect_eq "$(rows "$WORK/$mode.tsv" | cut -f10,11 | sort | tr '\n' ' ')" \
        "0	connect 200	ok 200	ok 404	http 500	http " "$mode: http and status columns"
done

# A list that cannot be read is a usage error that names it, and leaves
# no output folder of its making.
set +e
"$PDL" -o "$WORK/new-out" "$WORK/missing.txt" 2>"$WORK/err"; rc=$?
set -e
expect_eq "$rc" 2 "missing list: exit status"
expect_grep "$WORK/err" "pdl: $WORK/missing.txt: No such file or directory" "missing list"
[ ! -e "$WORK/new-out" ] || fail "missing list: the -o folder was left behind"

# An output folder that cannot be made is an error before any download.
touch "$WORK/afile"
set +e
"$PDL" -o "$WORK/afile/sub" -t "$WORK/x.tsv" "$WORK/list.txt" 2>"$WORK/err"; rc=$?
set -e
expect_eq "$rc" 2 "bad output folder: exit status"
expect_grep "$WORK/err" "pdl: $WORK/afile/sub: cannot create: Not a directory" "bad output folder"
[ ! -e "$WORK/x.tsv" ] || [ ! -s "$WORK/x.tsv" ] || fail "bad output folder: a run happened"
echo "errors: ok"
