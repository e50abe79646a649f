#!/usr/bin/env bash
# --continue appends to a partial body only what continues it: a 206 that
# starts elsewhere, gives no first byte, stops short or describes another
# length starts the body over; a partial is resumed only for the URL it
# came from, with If-Range, so a changed resource is fetched whole; a
# partial that is already whole is renamed into place without its bytes
# being sent again. Each case's first run leaves a 1000-byte partial (the
# server closes the connection), the second run finishes it.
. "$(dirname "$0")/lib.sh"
start_server

N=5000
# The two versions pdl-testd's /v1/N and /v2/N serve.
expected_bytes $N >"$WORK/v1"
expected_bytes $((N + 1)) | tail -c $N >"$WORK/v2"

# Column NAME of the row of task ID in timeline $1.
cell() {
    awk -F'\t' -v id="$2" -v name="$3" '
        $1 == "id" { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        c && $1 == id { print $c }' "$1"
}

# Cases, by the first run's URL (the second run's is the same but for
# "url", whose list then names /v2/ instead of /v1/: the same file name):
#   star     206 "bytes */5000" with the whole body (libcurl appends it)
#   zero     206 from byte 0 (libcurl refuses it itself: CURLE_RANGE_ERROR)
#   trap     206 from byte 0 as long as the partial (libcurl's resume takes
#            it for "already downloaded" and reads nothing)
#   total    206 from byte 1000 of a 6000-byte resource
#   short    206 that stops at byte 2999
#   good     a resume that is right: only the rest is fetched
#   changed  the resource changes (ETag; changed_date: Last-Modified only)
#   url      the list now names another URL with the same file name
#   nometa   the partial's record is gone
#   done     the partial is whole already (416 bytes */5000; bare: a 416
#            without Content-Range, the recorded length decides)
cases="star zero trap total short good changed changed_date url nometa done bare"
declare -A first=(
    [star]="range-star/$N?" [zero]="range-bad/$N?start=0&"
    [trap]="range-bad/$N?start=0&last=999&"
    [total]="range-bad/$N?total=6000&" [short]="range-bad/$N?last=2999&"
    [good]="v1/$N?" [changed]="versioned/$N?" [changed_date]="versioned/$N?validator=date&"
    [url]="v1/$N?" [nometa]="v1/$N?" [done]="v1/$N?" [bare]="v1/$N?bare416=1&")
# What the second run must record: status, HTTP code, and whose body.
declare -A want=(
    [star]="ok 200 v1" [zero]="ok 200 v1" [trap]="ok 200 v1" [total]="ok 200 v1" [short]="ok 200 v1"
    [good]="ok 206 v1" [changed]="ok 200 v2" [changed_date]="ok 200 v2"
    [url]="ok 200 v2" [nometa]="ok 200 v1" [done]="ok 416 v1" [bare]="ok 416 v1")

for mode in $MODES; do
    out="$WORK/out-$mode" tl="$WORK/$mode.tsv"
    : >"$WORK/list1"
    : >"$WORK/list2"
    for c in $cases; do
        url="$BASE/${first[$c]}cut=1000&key=$c-$mode"
        echo "$url" >>"$WORK/list1"
        [ "$c" = url ] && url=${url/\/v1\//\/v2\/}
        echo "$url" >>"$WORK/list2"
    done

    set +e
    "$PDL" -m "$mode" -w 4 --continue -o "$out" -t "$tl" "$WORK/list1" 2>"$WORK/err1"
    rc=$?
    set -e
    expect_eq "$rc" 1 "$mode: first run exit"
    expect_eq "$(column "$tl" status | sort -u)" network "$mode: first run statuses"
    for c in $cases; do
        name="5000_${first[$c]#*\?}cut=1000_key=$c-$mode"
        name=${name//&/_}
        [ "$(stat -c %s "$out/.$name.part")" = 1000 ] || fail "$mode $c: no 1000-byte partial"
        expect_grep "$out/.$name.part.meta" "url $BASE/" "$mode $c: record of the partial"
        case $c in
        nometa) rm "$out/.$name.part.meta" ;;
        done | bare) tail -c +1001 "$WORK/v1" >>"$out/.$name.part" ;; # cut after its last byte
        esac
    done
    expect_eq "$(ls -A "$out" | wc -l)" $((2 * $(wc -w <<<"$cases") - 1)) \
        "$mode: a partial and its record per task (but the one removed)"

    set +e
    "$PDL" -m "$mode" -w 4 --continue -o "$out" -t "$tl" "$WORK/list2" 2>"$WORK/err2"
    rc=$?
    set -e
    expect_eq "$rc" 0 "$mode: second run exit ($(cat "$WORK/err2"))"
    id=0
    names=
    for c in $cases; do
        name="5000_${first[$c]#*\?}cut=1000_key=$c-$mode"
        name=${name//&/_}
        names="$names$name "
        read -r st http body <<<"${want[$c]}"
        got="$(cell "$tl" $id status) $(cell "$tl" $id http)"
        expect_eq "$got" "$st $http" "$mode $c: status and HTTP code"
        cmp -s "$WORK/$body" "$out/$name" || fail "$mode $c: body is not $body's ($(stat -c %s "$out/$name") bytes)"
        id=$((id + 1))
    done
    # A resume fetches only the rest; a restart or a changed resource the
    # whole body, once; a complete partial nothing but the 416's note.
    expect_eq "$(cell "$tl" 5 bytes)" 4000 "$mode good: bytes fetched"
    expect_eq "$(cell "$tl" 8 attempts) $(cell "$tl" 8 bytes)" "1 5000" "$mode url: fetched whole at once"
    expect_eq "$(cell "$tl" 0 attempts)" 2 "$mode star: started over once"
    expect_eq "$(ls -A "$out" | sort | tr '\n' ' ')" "$(tr ' ' '\n' <<<"$names" | sed '/^$/d' | sort | tr '\n' ' ')" \
        "$mode: folder holds exactly the files"
    rm -rf "$out"
done
echo "resume: ok"
