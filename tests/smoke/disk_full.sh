#!/usr/bin/env bash
# A full disk fails the task that could not be written, with a message that
# names the file and the reason; the other downloads go on, no partial or
# temporary file is left, in every mode. Needs root to mount a small tmpfs.
. "$(dirname "$0")/lib.sh"

mkdir "$WORK/small"
mount -t tmpfs -o size=1m tmpfs "$WORK/small" 2>/dev/null || skip "cannot mount a tmpfs (not root?)"
cleanup_extra() { umount "$WORK/small" 2>/dev/null || true; }
start_server

# The small bodies arrive after the big one has failed and freed its space:
# while it fills the disk, nothing else can be written either.
printf '%s\n' "$BASE/delay/300" "$BASE/bytes/3000000" "$BASE/delay/400" >"$WORK/list.txt"
for mode in $MODES; do
    out="$WORK/small/$mode"
    set +e
    "$PDL" -m "$mode" -w 2 -o "$out" -t "$WORK/$mode.tsv" "$WORK/list.txt" 2>"$WORK/err"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: exit status"
    expect_grep "$WORK/err" "pdl: $BASE/bytes/3000000: cannot write 3000000: No space left on device" "$mode"
    expect_eq "$(cd "$out" && ls -A | sort | tr '\n' ' ')" "300 400 " "$mode: folder contents"
    expect_eq "$(field "$WORK/$mode.tsv" 1 11)" write "$mode: status column"
    rm -rf "$out"
done
echo "disk_full: ok"
