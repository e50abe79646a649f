#!/usr/bin/env bash
# Permission errors, as a user root is not (root ignores permissions): an
# output folder that cannot be written is an error before any download; a
# file that cannot be replaced fails only its own task.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to switch to the user nobody"
command -v setpriv >/dev/null || skip "setpriv missing"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody test -x "$PDL" || skip "$PDL is not reachable by the user nobody"
chmod 755 "$WORK"
start_server

printf '%s\n' "$BASE/bytes/100" "$BASE/bytes/200" >"$WORK/list.txt"
chmod 644 "$WORK/list.txt"
mkdir -m 755 "$WORK/locked"
set +e
as_nobody "$PDL" -o "$WORK/locked" -t /dev/null "$WORK/list.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 2 "locked folder: exit status"
expect_grep "$WORK/err" "pdl: $WORK/locked: cannot write: Permission denied" "locked folder"
expect_eq "$(ls -A "$WORK/locked" | wc -l)" 0 "locked folder: contents"

# A folder nobody may write, holding a file of the same name owned by root:
# the rename over it is refused for that task only.
mkdir -m 777 "$WORK/shared"
mkdir -m 755 "$WORK/shared/200"
set +e
as_nobody "$PDL" -w 2 -o "$WORK/shared" -t "$WORK/shared/t.tsv" "$WORK/list.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "file in the way: exit status"
expect_grep "$WORK/err" "pdl: $BASE/bytes/200: cannot write 200: Is a directory" "file in the way"
expect_eq "$(cd "$WORK/shared" && ls -A | sort | tr '\n' ' ')" "100 200 t.tsv " "file in the way: contents"
echo "permissions: ok"
