#!/usr/bin/env bash
# pdl's own outputs never fail without a word and never take a body's place:
# a full device, a closed or full stdout, a folder given as a file, two
# options naming one file, and outputs inside the download folder (the
# bodies that would have their names are numbered instead). Every failure
# is said once, by name, and the exit status says so.
. "$(dirname "$0")/lib.sh"
start_server

printf '%s\n' "$BASE/bytes/10" "$BASE/bytes/20" >"$WORK/two.txt"

# Runs pdl with the rest of the arguments; sets rc.
run() {
    set +e
    "$PDL" -q --discard "$@" "$WORK/two.txt" 2>"$WORK/err"
    rc=$?
    set -e
}

run -t /dev/full
expect_eq "$rc" 1 "-t /dev/full: exit status"
expect_grep "$WORK/err" "pdl: /dev/full: No space left on device" "-t /dev/full"
expect_eq "$(grep -c /dev/full "$WORK/err")" 1 "-t /dev/full: said once"

set +e
"$PDL" -q --discard -t - "$WORK/two.txt" >/dev/full 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "-t - >/dev/full: exit status"
expect_grep "$WORK/err" "pdl: standard output: No space left on device" "-t - >/dev/full"

set +e
"$PDL" -q --discard --no-timeline --json - "$WORK/two.txt" >/dev/full 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "--json - >/dev/full: exit status"
expect_grep "$WORK/err" "No space left on device" "--json - >/dev/full"

run --no-timeline --json /dev/full
expect_eq "$rc" 1 "--json /dev/full: exit status"
expect_grep "$WORK/err" "/dev/full: No space left on device" "--json /dev/full"

run --no-timeline --failed /dev/full
expect_eq "$rc" 1 "--failed /dev/full: exit status"
expect_grep "$WORK/err" "/dev/full: No space left on device" "--failed /dev/full"

# A folder is no file: refused before anything is downloaded.
mkdir "$WORK/adir"
for opt in -t --failed --json; do
    run --no-timeline "$opt" "$WORK/adir"
    expect_eq "$rc" 2 "$opt FOLDER: exit status"
    expect_grep "$WORK/err" "pdl: $WORK/adir: Is a directory" "$opt FOLDER"
done

# Two outputs, one file.
run -t "$WORK/x.tsv" --failed "$WORK/x.tsv"
expect_eq "$rc" 2 "one file twice: exit status"
expect_grep "$WORK/err" "--timeline $WORK/x.tsv and --failed $WORK/x.tsv name the same file" \
    "one file twice"
[ ! -e "$WORK/x.tsv" ] || fail "one file twice: something was written"

# Outputs in the download folder keep their names; the bodies that would
# have had them are numbered.
out="$WORK/dl"
mkdir "$out"
printf '%s\n' "$BASE/bytes/200" "$BASE/status/404" "$BASE/bytes/5" >"$WORK/three.txt"
set +e
"$PDL" -q -o "$out" -t "$out/200" --failed "$out/5" "$WORK/three.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "outputs in the folder: exit status"
expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" "200 200.1 5 5.1 " "outputs in the folder: contents"
head -1 "$out/200" | grep -qx "# pdl-timeline 5" || fail "the timeline lost its name to a body"
grep -qx "$BASE/status/404" "$out/5" || fail "the failed list lost its name to a body"
expected_bytes 200 | cmp -s - "$out/200.1" || fail "body of /bytes/200 differs"
expected_bytes 5 | cmp -s - "$out/5.1" || fail "body of /bytes/5 differs"
echo "outputs: ok"
