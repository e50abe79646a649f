#!/usr/bin/env bash
# A host name that cannot be resolved fails its task as "dns" with a message
# naming the URL; the control URL still downloads. Run in a network namespace
# of its own (unshare -rn), where no resolver is reachable.
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null || skip "unshare missing"
command -v ip >/dev/null || skip "ip (iproute2) missing"
unshare -rn true 2>/dev/null || skip "cannot make a network namespace"

# Inside the namespace: loopback up, a server of its own, one run.
cat >"$WORK/inner.sh" <<'INNER'
set -u
ip link set lo up
"$PDL_TESTD" --port 0 --port-file "$WORK/port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$WORK/port")"
printf '%s\n' "$base/bytes/100" "http://no-such-host.pdl-test.invalid/x" >"$WORK/list.txt"
"$PDL" -w 2 --connect-timeout 5 -o "$WORK/out" -t "$WORK/t.tsv" "$WORK/list.txt" 2>"$WORK/err"
echo $? >"$WORK/rc"
kill "$server"
wait "$server" 2>/dev/null
INNER
unshare -rn env WORK="$WORK" PDL="$PDL" PDL_TESTD="$PDL_TESTD" bash "$WORK/inner.sh"
expect_eq "$(cat "$WORK/rc")" 1 "exit status"
expect_grep "$WORK/err" "pdl: http://no-such-host.pdl-test.invalid/x: " "message"
expect_eq "$(field "$WORK/t.tsv" 1 11)" dns "status column"
expect_eq "$(ls -A "$WORK/out")" 100 "folder contents"
echo "dns: ok"
