#!/usr/bin/env bash
# What requests carry: -H (and @file), --user, --netrc, cookies in and out
# (one jar for all workers), --compressed, --proxy and the proxy variables,
# --resolve, --connect-to, a URL's own header= lines; bad values refused
# before anything is downloaded.
. "$(dirname "$0")/lib.sh"
start_server
PORT=${BASE##*:}

# Per-URL lines travel with each task, to worker processes too.
PER_URL_MODES=${PDL_PER_URL_MODES:-$MODES}

# The headers /echo-headers saw for list $1 (one URL, saved as e.txt), run
# in mode $2 with the options that follow.
echo_run() {
    local list=$1 mode=$2
    shift 2
    rm -rf "$WORK/d"
    "$PDL" -q -m "$mode" -w 2 -o "$WORK/d" --no-timeline "$@" "$list" ||
        fail "$mode $*: exit status $?"
    cat "$WORK/d/e.txt"
}

printf '%s/echo-headers\n  out=e.txt\n' "$BASE" >"$WORK/echo.txt"
printf 'X-From-File: f1\n\n# a comment\nX-Second: f2\r\n' >"$WORK/headers"
for mode in $MODES; do
    want_mode "$mode" || continue
    echo_run "$WORK/echo.txt" "$mode" -H 'X-One: 1' -H "@$WORK/headers" \
        --user 'alice:s3cret' --compressed --cookie 'k1=v1; k2=v2' \
        >"$WORK/h"
    expect_grep "$WORK/h" "X-One: 1" "$mode -H"
    expect_grep "$WORK/h" "X-From-File: f1" "$mode -H @file"
    expect_grep "$WORK/h" "X-Second: f2" "$mode -H @file, CRLF"
    expect_grep "$WORK/h" "Authorization: Basic $(printf alice:s3cret | base64)" "$mode --user"
    expect_grep "$WORK/h" "Accept-Encoding: " "$mode --compressed"
    expect_grep "$WORK/h" "Cookie: k1=v1; k2=v2" "$mode --cookie DATA"
    # "Name:" drops a header libcurl would send.
    echo_run "$WORK/echo.txt" "$mode" -H 'Accept:' >"$WORK/h"
    ! grep -q '^Accept:' "$WORK/h" || fail "$mode: -H 'Accept:' did not drop it"
done

# A URL's own header= lines come after the -H ones, for that URL only.
cat >"$WORK/own.txt" <<LIST
$BASE/echo-headers
  header=X-Task: mine
  header=X-Task-2: two
  out=e.txt
$BASE/echo-headers
  out=other.txt
LIST
for mode in $PER_URL_MODES; do
    want_mode "$mode" || continue
    echo_run "$WORK/own.txt" "$mode" -H 'X-All: yes' >"$WORK/h"
    expect_grep "$WORK/h" "X-Task: mine" "$mode header="
    expect_grep "$WORK/h" "X-Task-2: two" "$mode second header="
    expect_grep "$WORK/h" "X-All: yes" "$mode -H with header="
    ! grep -q "X-Task" "$WORK/d/other.txt" || fail "$mode: header= leaked to the next URL"
    expect_grep "$WORK/d/other.txt" "X-All: yes" "$mode -H on the next URL"
done

# Long per-URL text (a URL and a header= line of some 3,000 bytes each)
# reaches each URL whole, its own and no other's, with more URLs than a
# worker process is given at once.
: >"$WORK/long.txt"
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
    pad=$(printf "%03000d" "$i")
    printf '%s/echo-headers?q=%s
  header=X-Long: %s
  out=e%s.txt
' \
        "$BASE" "$pad" "$i$pad" "$i" >>"$WORK/long.txt"
done
for mode in $PER_URL_MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d"
    "$PDL" -q -m "$mode" -w 2 -o "$WORK/d" --no-timeline "$WORK/long.txt" ||
        fail "$mode, long lines: exit status $?"
    for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
        want="X-Long: $i$(printf "%03000d" "$i")"
        expect_grep "$WORK/d/e$i.txt" "$want" "$mode: long header= of URL $i"
        [ "$(grep -c '^X-Long' "$WORK/d/e$i.txt")" = 1 ] ||
            fail "$mode: URL $i saw more than its own header="
    done
done

# The largest task a list can give reaches a worker whole, in every mode: a
# URL line of 65,536 bytes (PDL_LINE_MAX), an out= name of 200 (PDL_NAME_MAX)
# and header= lines filling 16,384 (PDL_OPTS_MAX). A worker process's room
# must hold all three.
base_q="$BASE/echo-headers?q="
qpad=$(head -c $((65536 - ${#base_q})) /dev/zero | tr '\0' 7)
big_name="big$(head -c 193 /dev/zero | tr '\0' n).txt"
hpad=$(head -c 4078 /dev/zero | tr '\0' 5)
{
    printf '%s%s\n  out=%s\n' "$base_q" "$qpad" "$big_name"
    for k in 0 1 2 3; do printf '  header=X-Fill-%s: %s\n' "$k" "$hpad"; done
} >"$WORK/big.txt"
for mode in $PER_URL_MODES; do
    want_mode "$mode" || continue
    rm -rf "$WORK/d"
    "$PDL" -q -m "$mode" -w 2 -o "$WORK/d" --no-timeline "$WORK/big.txt" ||
        fail "$mode, the largest task: exit status $?"
    expect_grep "$WORK/d/$big_name" "?q=$qpad" "$mode: the 64 KiB URL"
    for k in 0 1 2 3; do
        expect_grep "$WORK/d/$big_name" "X-Fill-$k: $hpad" "$mode: header= $k"
    done
done

# --netrc: credentials from ~/.netrc for that host.
printf 'machine 127.0.0.1 login bob password pw\n' >"$WORK/.netrc"
chmod 600 "$WORK/.netrc"
HOME=$WORK echo_run "$WORK/echo.txt" threads --netrc >"$WORK/h"
expect_grep "$WORK/h" "Authorization: Basic $(printf bob:pw | base64)" "--netrc"

# Cookies from a file, and the jar: every mode writes what the store holds.
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tjarred\tyes\n' >"$WORK/cookies.txt"
for mode in $MODES; do
    want_mode "$mode" || continue
    rm -f "$WORK/jar.txt"
    echo_run "$WORK/echo.txt" "$mode" --cookie "$WORK/cookies.txt" \
        --cookie-jar "$WORK/jar.txt" >"$WORK/h"
    expect_grep "$WORK/h" "Cookie: jarred=yes" "$mode --cookie FILE"
    [ -f "$WORK/jar.txt" ] || fail "$mode: --cookie-jar not written"
    expect_grep "$WORK/jar.txt" "jarred" "$mode --cookie-jar"
    ls "$WORK" | grep -q '^jar.txt.*tmp' && fail "$mode: a jar temporary file is left"
done

# --resolve and --connect-to: names that resolve nowhere reach the server.
printf 'http://pdl.invalid:%s/echo-headers\n  out=e.txt\n' "$PORT" >"$WORK/res.txt"
echo_run "$WORK/res.txt" threads --resolve "pdl.invalid:$PORT:127.0.0.1" >"$WORK/h"
expect_grep "$WORK/h" "Host: pdl.invalid:$PORT" "--resolve"
printf 'http://elsewhere.invalid:81/echo-headers\n  out=e.txt\n' >"$WORK/ct.txt"
echo_run "$WORK/ct.txt" async --connect-to "elsewhere.invalid:81:127.0.0.1:$PORT" >"$WORK/h"
expect_grep "$WORK/h" "Host: elsewhere.invalid:81" "--connect-to"

# --proxy is used (nothing listens there: a connect failure), and so is
# http_proxy, unless no_proxy names the host.
set +e
"$PDL" -q --no-timeline -o "$WORK/d" --proxy "http://127.0.0.1:1" "$WORK/echo.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "--proxy to nowhere: exit status"
expect_grep "$WORK/err" "127.0.0.1" "--proxy to nowhere"
set +e
http_proxy=http://127.0.0.1:1 "$PDL" -q --no-timeline -o "$WORK/d" "$WORK/echo.txt" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "http_proxy to nowhere: exit status"
http_proxy=http://127.0.0.1:1 no_proxy=127.0.0.1 "$PDL" -q --no-timeline \
    -o "$WORK/d" "$WORK/echo.txt" || fail "no_proxy not honoured"

# Bad values: the one error form, exit 2, nothing downloaded.
check() {
    local want=$1
    shift
    rm -rf "$WORK/none"
    set +e
    "$PDL" -o "$WORK/none" "$@" "$WORK/echo.txt" 2>"$WORK/err" >/dev/null
    local rc=$?
    set -e
    expect_eq "$rc" 2 "pdl $*: exit status"
    expect_grep "$WORK/err" "$want" "pdl $*"
    [ ! -e "$WORK/none" ] || fail "pdl $*: something was downloaded"
}
check 'pdl: --header: must be "Name: value": "xyz"' -H xyz
check 'pdl: --header: must be "Name: value": "X Y: z"' --header 'X Y: z'
printf 'Good: 1\nbad line\n' >"$WORK/badh"
check "pdl: --header: $WORK/badh:2: must be \"Name: value\": \"bad line\"" -H "@$WORK/badh"
check "pdl: --header: No such file or directory: \"$WORK/nope\"" -H "@$WORK/nope"
check 'pdl: --user: must be "user:password": "alice"' --user alice
check "pdl: --cookie: No such file or directory: \"$WORK/nope\"" --cookie "$WORK/nope"
check "pdl: --cookie-jar: No such file or directory: \"$WORK/no/jar\"" --cookie-jar "$WORK/no/jar"
check 'pdl: --proxy: the scheme must be' --proxy ftp://p:21
check 'pdl: --resolve: must be "host:port:address[,address...]": "h:80"' --resolve h:80
check 'pdl: --connect-to: must be "host1:port1:host2:port2"' --connect-to a:1:b
echo "requests: ok"
