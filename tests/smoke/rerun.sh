#!/usr/bin/env bash
# Running again what did not finish. --failed writes exactly the failures as
# a list that pdl runs again; --continue skips tasks the last timeline records
# as done (their files present) and resumes a partial body with a range
# request, so that a second run downloads only what is missing.
. "$(dirname "$0")/lib.sh"
start_server

for mode in $MODES; do
    out="$WORK/out-$mode" tl="$WORK/$mode.tsv"
    printf '%s\n' "$BASE/bytes/100" "$BASE/range/1000000?ms=10&chunk=4000" "$BASE/status/500" >"$WORK/list.txt"
    # First run: the large body is cut off by --timeout part way.
    set +e
    "$PDL" -m "$mode" -w 2 --continue --timeout 1s -o "$out" \
        -t "$tl" --failed "$WORK/failed.txt" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: first run exit"
    expect_grep "$WORK/err" "pdl: --continue: no timeline $tl yet: every task runs" "$mode: first run"
    # In the order the tasks settled, each URL with the name it was to have.
    expect_eq "$(grep -v '^[# ]' "$WORK/failed.txt" | sort | tr '\n' ' ')" \
        "$BASE/range/1000000?ms=10&chunk=4000 $BASE/status/500 " "$mode: failed list"
    expect_eq "$(grep '^  out=' "$WORK/failed.txt" | sort | tr '\n' ' ')" \
        "  out=1000000_ms=10_chunk=4000   out=500 " "$mode: failed list names"
    expect_grep "$WORK/failed.txt" "# timeout: " "$mode: failed list reason"
    [ -s "$out/.1000000_ms=10_chunk=4000.part" ] || fail "$mode: no partial body kept for --continue"
    part=$(stat -c %s "$out/.1000000_ms=10_chunk=4000.part")

    # Second run: only what is missing.
    set +e
    "$PDL" -m "$mode" -w 2 --continue -o "$out" -t "$tl" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: second run exit (the 500 stays failed)"
    expect_grep "$WORK/err" "pdl: --continue: resuming from $tl: 1 task done there; the others run" "$mode"
    expect_grep "$WORK/err" "pdl: --continue: 1 of 3 tasks already done, 2 run now" "$mode"
    grep -q "warning" "$WORK/err" && fail "$mode: a warning on the same list: $(cat "$WORK/err")"
    expect_eq "$(column "$tl" status | tr '\n' ' ')" "skipped ok http " "$mode: second run statuses"
    expect_eq "$(column "$tl" file | tr '\n' '|')" "100|1000000_ms=10_chunk=4000||" "$mode: files, the skipped one's too"
    expect_eq "$(column "$tl" http | sed -n 2p)" 206 "$mode: resumed with a range request"
    expect_eq "$(column "$tl" bytes | sed -n 2p)" $((1000000 - part)) "$mode: bytes fetched again"
    expected_bytes 1000000 | cmp -s - "$out/1000000_ms=10_chunk=4000" || fail "$mode: resumed file differs"
    expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" "100 1000000_ms=10_chunk=4000 " "$mode: folder contents"

    # The failed list is a list pdl runs as it is.
    set +e
    "$PDL" -m "$mode" --discard -t "$WORK/f.tsv" "$WORK/failed.txt" 2>"$WORK/err"
    set -e
    expect_eq "$(column "$WORK/f.tsv" url | sort | tr '\n' ' ')" \
        "$BASE/range/1000000?ms=10&chunk=4000 $BASE/status/500 " "$mode: rerun of the failed list"
    rm -rf "$out"
done

# Names stay stable across the runs of one workflow: two URLs that want the
# same name, the second failing at first. The first run saves "dup" (the
# first URL) and would have saved the second as "dup.1"; running the failed
# list saves it as "dup.1", never over the first URL's "dup".
printf '%s\n  out=dup\n%s\n  out=dup\n' "$BASE/bytes/30" "$BASE/flaky?key=dup$$" >"$WORK/dup.txt"
set +e
"$PDL" -q -o "$WORK/dups" -t "$WORK/d1.tsv" --failed "$WORK/dfail.txt" "$WORK/dup.txt" 2>/dev/null
rc=$?
set -e
expect_eq "$rc" 1 "names: first run exit"
expect_eq "$(ls -A "$WORK/dups" | tr '\n' ' ')" "dup " "names: first run files"
expect_grep "$WORK/dfail.txt" "  out=dup.1" "names: the failed list keeps the planned name"
"$PDL" -q -o "$WORK/dups" -t "$WORK/d2.tsv" "$WORK/dfail.txt" ||
    fail "names: rerun of the failed list exited $?"
expect_eq "$(ls -A "$WORK/dups" | sort | tr '\n' ' ')" "dup dup.1 " "names: files after the rerun"
expected_bytes 30 | cmp -s - "$WORK/dups/dup" || fail "names: the first URL's file was replaced"

# --continue warns when the timeline is another list's (lists=), or shares
# no URL with this run's; it refuses --discard, which keeps no files.
printf '%s\n' "$BASE/bytes/11" >"$WORK/a.txt"
printf '%s\n' "$BASE/bytes/12" >"$WORK/b.txt"
"$PDL" -q -o "$WORK/c" -t "$WORK/c.tsv" "$WORK/a.txt" || fail "continue: first run exited $?"
grep -q "lists=$WORK/a.txt" "$WORK/c.tsv" || fail "no lists= key: $(sed -n 2p "$WORK/c.tsv")"
"$PDL" --progress none --continue -o "$WORK/c" -t "$WORK/c.tsv" "$WORK/b.txt" 2>"$WORK/err" ||
    fail "continue: other list exited $?"
expect_grep "$WORK/err" "pdl: --continue: warning: $WORK/c.tsv was made from other lists (lists=$WORK/a.txt; this run reads $WORK/b.txt)" \
    "continue: other lists"
expect_grep "$WORK/err" "pdl: --continue: warning: none of the 1 URLs $WORK/c.tsv records as done is in this run's lists" \
    "continue: no URL shared"
set +e
"$PDL" --continue --discard -t "$WORK/c.tsv" "$WORK/a.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "continue with --discard: exit status"
expect_grep "$WORK/err" "pdl: --continue cannot be used with --discard" "continue with --discard: message"

# Without --continue nothing partial is kept.
set +e
"$PDL" -w 1 --timeout 1s -o "$WORK/plain" -t "$WORK/p.tsv" - \
    <<<"$BASE/range/1000000?ms=10&chunk=4000" 2>/dev/null
set -e
expect_eq "$(ls -A "$WORK/plain" | wc -l)" 0 "no partial file without --continue"
echo "rerun: ok"
