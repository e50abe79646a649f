#!/usr/bin/env bash
# Saved files: byte-identical to what the server sent, named from the URL,
# collisions numbered in list order, nothing else left in the folder (no
# temporary or partial files), the same in every mode.
. "$(dirname "$0")/lib.sh"
start_server

cat >"$WORK/list.txt" <<LIST
$BASE/bytes/1000
$BASE/bytes/0
$BASE/bytes/3000000
$BASE/bytes/1000?copy=2
$BASE/status/200
$BASE/status/200
$BASE/
LIST

for mode in $MODES; do
    out="$WORK/deep/er/out-$mode"
    "$PDL" -m "$mode" -w 3 -o "$out" -t "$WORK/$mode.tsv" "$WORK/list.txt" \
        2>"$WORK/err" || fail "$mode exited $?: $(cat "$WORK/err")"
    expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" \
        "0 1000 1000_copy=2 200 200.1 3000000 index.html " "$mode: folder contents"
    for n in 0 1000 3000000; do
        expected_bytes "$n" | cmp -s - "$out/$n" || fail "$mode: $out/$n differs from /bytes/$n"
    done
    expected_bytes 1000 | cmp -s - "$out/1000_copy=2" || fail "$mode: 1000_copy=2 differs"
    expect_eq "$(cat "$out/200")" "status 200" "$mode: body of /status/200"
    expect_eq "$(field "$WORK/$mode.tsv" 2 9)" 3000000 "$mode: bytes column"
done

# --discard keeps nothing, yet records every byte.
mkdir "$WORK/empty" && cd "$WORK/empty"
"$PDL" -w 2 --discard -t "$WORK/d.tsv" "$WORK/list.txt" 2>"$WORK/err" ||
    fail "--discard exited $?: $(cat "$WORK/err")"
expect_eq "$(ls -A "$WORK/empty" | wc -l)" 0 "--discard: files written"
expect_eq "$(field "$WORK/d.tsv" 2 9)" 3000000 "--discard: bytes column"

# Without -o, bodies go to the current folder, as with wget -i.
mkdir "$WORK/cwd" && cd "$WORK/cwd"
echo "$BASE/bytes/10" | "$PDL" -q - || fail "default folder run exited $?"
expect_eq "$(ls -A | sort | tr '\n' ' ')" "10 pdl-timeline.tsv " "default folder contents"
echo "files: ok"
