#!/usr/bin/env bash
# A list on standard input, with CRLF endings, blank lines and comments.
. "$(dirname "$0")/lib.sh"
start_server

printf '# from a Windows editor\r\n%s/bytes/5\r\n\r\n  %s/bytes/6  \r\n' "$BASE" "$BASE" |
    "$PDL" -w 8 -o "$WORK/out" -t "$WORK/t.tsv" - 2>"$WORK/err" ||
    fail "exited $?: $(cat "$WORK/err")"
expect_eq "$(cd "$WORK/out" && ls -A | sort | tr '\n' ' ')" "5 6 " "folder contents"
expect_eq "$(column "$WORK/t.tsv" url | tr '\n' ' ')" "$BASE/bytes/5 $BASE/bytes/6 " "urls"

# Streamed: a list that arrives slowly is downloaded as it arrives (the
# first file exists while the producer still waits to write the second
# URL), and an interrupt ends the wait for more input at once.
fifo="$WORK/fifo"
mkfifo "$fifo"
"$PDL" -w 4 -o "$WORK/slow" -t "$WORK/s.tsv" - <"$fifo" 2>"$WORK/err" &
pid=$!
exec 3>"$fifo"
echo "$BASE/bytes/7" >&3
for _ in $(seq 100); do [ -e "$WORK/slow/7" ] && break; sleep 0.05; done
[ -e "$WORK/slow/7" ] || fail "streamed stdin: the first URL was not fetched before the list ended"
t0=$(date +%s%N)
kill -INT "$pid"
set +e
wait "$pid"; rc=$?
set -e
exec 3>&-
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "$rc" 130 "streamed stdin: exit status after SIGINT"
[ "$ms" -lt 3000 ] || fail "streamed stdin: took $ms ms to stop while waiting for input"
expect_grep "$WORK/err" "the rest of standard input was not read" "streamed stdin"
expect_eq "$(column "$WORK/s.tsv" status | tr '\n' ' ')" "ok " "streamed stdin: timeline"
echo "stdin: ok"
