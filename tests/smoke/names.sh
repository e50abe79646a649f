#!/usr/bin/env bash
# Names: --no-clobber skips a file that is there (status skipped, "exists
# (--no-clobber)"), --content-disposition takes the server's name cleaned
# and inside the folder (a taken name numbered, never replaced), and -x
# saves under HOST/PATH/ folders made without following a symbolic link.
. "$(dirname "$0")/lib.sh"
start_server
HOSTDIR="127.0.0.1_${BASE##*:}"

printf '%s/bytes/10\n%s/bytes/20\n' "$BASE" "$BASE" >"$WORK/two.txt"
for mode in $MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d" && mkdir "$WORK/d"
    echo old >"$WORK/d/10"
    "$PDL" -q -m "$mode" -o "$WORK/d" -t "$WORK/t.tsv" --no-clobber "$WORK/two.txt" ||
        fail "$mode --no-clobber: exit status $?"
    expect_eq "$(cat "$WORK/d/10")" "old" "$mode --no-clobber: file replaced"
    expected_bytes 20 | cmp -s - "$WORK/d/20" || fail "$mode --no-clobber: 20 not saved"
    expect_eq "$(column "$WORK/t.tsv" status | tr '\n' ' ')" "skipped ok " "$mode --no-clobber statuses"
    expect_eq "$(column "$WORK/t.tsv" error | head -1)" "exists (--no-clobber)" "$mode --no-clobber error"
    expect_eq "$(column "$WORK/t.tsv" file | tr '\n' ' ')" "10 20 " "$mode --no-clobber: the file that is there"
done

# --content-disposition: the server's name, cleaned, never outside.
cat >"$WORK/disp.txt" <<LIST
$BASE/disposition?name=report.pdf&bytes=7
$BASE/disposition?name=..%2F..%2Fevil.txt
$BASE/disposition?name=caf%C3%A9.txt&star=1
$BASE/disposition?name=.hidden
$BASE/bytes/5
LIST
for mode in $MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d" && mkdir "$WORK/d"
    echo mine >"$WORK/d/report.pdf"
    "$PDL" -q -m "$mode" -o "$WORK/d" --no-timeline --content-disposition "$WORK/disp.txt" ||
        fail "$mode --content-disposition: exit status $?"
    expect_eq "$(cat "$WORK/d/report.pdf")" "mine" "$mode: a taken name was replaced"
    expect_eq "$(wc -c <"$WORK/d/report.1.pdf")" "7" "$mode: numbered name"
    [ -f "$WORK/d/evil.txt" ] || fail "$mode: ../../evil.txt not kept inside as evil.txt: $(ls -A "$WORK/d")"
    [ ! -e "$WORK/evil.txt" ] && [ ! -e "$(dirname "$WORK")/evil.txt" ] || fail "$mode: a name escaped"
    [ -f "$WORK/d/caf__.txt" ] || fail "$mode: filename*= not used: $(ls -A "$WORK/d")"
    [ -f "$WORK/d/_hidden" ] || fail "$mode: a hidden name was not cleaned: $(ls -A "$WORK/d")"
    [ -f "$WORK/d/5" ] || fail "$mode: a body without the header lost its URL name"
done
# Without the option the header is not used.
rm -rf "$WORK/d"
"$PDL" -q -o "$WORK/d" --no-timeline "$WORK/disp.txt"
[ ! -e "$WORK/d/evil.txt" ] || fail "Content-Disposition used without --content-disposition"

# -x: HOST/PATH/ folders.
printf '%s/bytes/10\n%s/range/4?x=1\n' "$BASE" "$BASE" >"$WORK/tree.txt"
for mode in $MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d"
    "$PDL" -q -m "$mode" -o "$WORK/d" --no-timeline -x "$WORK/tree.txt" ||
        fail "$mode -x: exit status $?"
    expected_bytes 10 | cmp -s - "$WORK/d/$HOSTDIR/bytes/10" ||
        fail "$mode -x: $(cd "$WORK/d" && find . | sort | tr '\n' ' ')"
    [ -f "$WORK/d/$HOSTDIR/range/4_x=1" ] || fail "$mode -x: query name: $(cd "$WORK/d" && find . | sort | tr '\n' ' ')"
    expect_eq "$(cd "$WORK/d" && find . -type f | wc -l)" "2" "$mode -x: files"
done
# A symbolic link in the way is not followed: that task fails, nothing
# lands outside.
rm -rf "$WORK/d" "$WORK/outside" && mkdir -p "$WORK/d" "$WORK/outside"
ln -s "$WORK/outside" "$WORK/d/$HOSTDIR"
set +e
"$PDL" -q -o "$WORK/d" -t "$WORK/t.tsv" -x "$WORK/tree.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "-x through a symlink: exit status"
expect_eq "$(ls -A "$WORK/outside")" "" "-x through a symlink: files outside"
expect_eq "$(column "$WORK/t.tsv" status | sort -u)" "write" "-x through a symlink: status"

# --continue finds bodies by their planned names: refused with these.
set +e
"$PDL" --continue -x -o "$WORK/d" "$WORK/tree.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "--continue -x: exit status"
expect_grep "$WORK/err" "pdl: --continue: cannot find bodies saved with --force-directories" "--continue -x"
echo "names: ok"
