#!/usr/bin/env bash
# Checksums: a checksum=sha256:HEX line under a URL, and --checksums FILE in
# sha256sum's format keyed by the body's file name. A body that matches is
# saved; one that does not fails with status "checksum", exit 1, and
# leaves no file under its name (nor a temporary one), in every mode; with
# --continue, a resumed body is hashed whole.
. "$(dirname "$0")/lib.sh"
start_server

expected_bytes 1000 >"$WORK/ref"
GOOD=$(sha256sum "$WORK/ref" | cut -d' ' -f1)
BAD=$(printf x | sha256sum | cut -d' ' -f1)
PER_URL_MODES=${PDL_PER_URL_MODES:-$MODES}

cat >"$WORK/own.txt" <<LIST
$BASE/bytes/1000
  checksum=sha256:$GOOD
  out=good.bin
$BASE/bytes/1000
  checksum=SHA256:$(echo "$BAD" | tr a-f A-F)
  out=bad.bin
LIST
for mode in $PER_URL_MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d"
    set +e
    "$PDL" -q -m "$mode" -w 2 -o "$WORK/d" -t "$WORK/t.tsv" "$WORK/own.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode checksum=: exit status"
    cmp -s "$WORK/d/good.bin" "$WORK/ref" || fail "$mode: good.bin not saved whole"
    expect_eq "$(ls -A "$WORK/d")" "good.bin" "$mode: files left"
    expect_eq "$(column "$WORK/t.tsv" status | tr '\n' ' ')" "ok checksum " "$mode statuses"
    expect_grep "$WORK/t.tsv" "checksum mismatch: got sha256:${GOOD:0:16}" "$mode error column"
    expect_grep "$WORK/err" "/bytes/1000: checksum mismatch" "$mode: failure on stderr"
done

# --checksums FILE: by the name pdl gives the body; names it lacks are not
# checked.
printf '%s  good.bin\n%s *./bad.bin\n' "$GOOD" "$BAD" >"$WORK/SHA256SUMS"
printf '%s/bytes/1000\n  out=good.bin\n%s/bytes/1000\n  out=bad.bin\n%s/bytes/10\n' \
    "$BASE" "$BASE" "$BASE" >"$WORK/plain.txt"
for mode in $MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d"
    set +e
    "$PDL" -q -m "$mode" -w 3 -o "$WORK/d" -t "$WORK/t.tsv" \
        --checksums "$WORK/SHA256SUMS" "$WORK/plain.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode --checksums: exit status"
    expect_eq "$(ls -A "$WORK/d" | tr '\n' ' ')" "10 good.bin " "$mode --checksums: files"
    expect_eq "$(column "$WORK/t.tsv" status | tr '\n' ' ')" "ok checksum ok " "$mode --checksums statuses"
done

# A resumed body is checked whole: the partial's bytes are hashed too. The
# first run is cut by --timeout and keeps its partial (--continue).
printf '%s/range/1000?ms=100&chunk=100\n  checksum=sha256:%s\n  out=r.bin\n' \
    "$BASE" "$GOOD" >"$WORK/resume.txt"
cut_run() {
    rm -rf "$WORK/d"
    set +e
    "$PDL" -q --continue --timeout 350ms -o "$WORK/d" -t "$WORK/t.tsv" \
        "$WORK/resume.txt" 2>/dev/null
    set -e
    [ -s "$WORK/d/.r.bin.part" ] || fail "no partial body kept: $(ls -A "$WORK/d")"
}
cut_run
"$PDL" -q --continue -o "$WORK/d" -t "$WORK/t.tsv" "$WORK/resume.txt" ||
    fail "resumed body with a good checksum failed: $(cat "$WORK/t.tsv")"
cmp -s "$WORK/d/r.bin" "$WORK/ref" || fail "resumed body differs"
[ "$(column "$WORK/t.tsv" bytes)" -lt 1000 ] || fail "the body was not resumed"
# A partial that is wrong makes the whole wrong: refused, nothing kept.
cut_run
size=$(stat -c %s "$WORK/d/.r.bin.part")
head -c "$size" /dev/zero >"$WORK/d/.r.bin.part"
set +e
"$PDL" -q --continue -o "$WORK/d" -t "$WORK/t.tsv" "$WORK/resume.txt" 2>/dev/null
rc=$?
set -e
expect_eq "$rc" 1 "corrupt partial: exit status"
expect_eq "$(column "$WORK/t.tsv" status)" "checksum" "corrupt partial: status"
expect_eq "$(ls -A "$WORK/d")" "" "corrupt partial: files left"

# --discard still verifies a URL's own checksum.
set +e
"$PDL" -q --discard --no-timeline "$WORK/own.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "--discard with checksum=: exit status"
expect_grep "$WORK/err" "checksum mismatch" "--discard with checksum="

# Bad lists and files are reported before anything is downloaded.
printf '%s  a\nnot a line\n' "$GOOD" >"$WORK/badsums"
set +e
"$PDL" -o "$WORK/none" --checksums "$WORK/badsums" "$WORK/plain.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "bad --checksums: exit status"
expect_grep "$WORK/err" "pdl: --checksums: line 2: not \"HEX  NAME\" as sha256sum writes: \"$WORK/badsums\"" "bad --checksums"
[ ! -e "$WORK/none" ] || fail "bad --checksums: something was downloaded"
printf '%s/bytes/10\n  checksum=md5:00\n' "$BASE" >"$WORK/badline.txt"
set +e
"$PDL" -q -o "$WORK/d2" --no-timeline "$WORK/badline.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "bad checksum= line: exit status"
expect_grep "$WORK/err" "badline.txt:2: checksum= must be sha256: and 64 hex digits: \"checksum=md5:00\"" "bad checksum= line"
echo "checksums: ok"
