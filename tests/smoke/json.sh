#!/usr/bin/env bash
# --json: the summary and every task as one JSON document of the documented
# shape; with '-', stdout carries that document and nothing else.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || skip "jq missing"
start_server

printf '%s\n' "$BASE/delay/50" "$BASE/bytes/1000" "$BASE/status/404" >"$WORK/list.txt"
set +e
"$PDL" -w 2 --discard -t "$WORK/t.tsv" --json - "$WORK/list.txt" >"$WORK/out.json" 2>"$WORK/err"
rc=$?
set -e
expect_eq "$rc" 1 "exit status"
jq -e . "$WORK/out.json" >/dev/null || fail "stdout is not one JSON document: $(head -c 500 "$WORK/out.json")"
# The documented shape, key by key and type by type.
jq -e '
  (.pdl | type == "string") and .format == 1 and
  (.run | (.mode == "threads") and (.workers == 2) and (.started | type == "string")
          and (.epoch | type == "number") and (.host | type == "string")) and
  (.summary | (.tasks == 3) and (.ok == 2) and (.failed == 1) and (.bytes >= 1000)
          and (.wall > 0) and (.busy > 0) and (.concurrency > 0) and (.max_in_flight == 2)
          and (.lower_bound >= .busy / 2) and (.lower_bound <= .wall)
          and (.conns_opened == 2) and (.conns_opened + .conns_reused == 3)
          and (.latency | (.p50 > 0) and (.p95 >= .p50) and (.max >= .p95))
          and (.statuses == {"ok": 2, "http": 1})) and
  (.tasks | length == 3) and
  ([.tasks[] | keys_unsorted[0:14]] | unique ==
     [["id","worker","start","end","dns","connect","tls","ttfb","bytes","http","status","attempts","attempt_start","url"]]) and
  (.tasks[2] | (.status == "http") and (.http == 404) and (.error == "HTTP 404"))
' "$WORK/out.json" >/dev/null || fail "JSON shape: $(jq -c . "$WORK/out.json" | head -c 1500)"
# The same tasks as the timeline.
expect_eq "$(jq -r '.tasks[].url' "$WORK/out.json" | tr '\n' ' ')" \
    "$(column "$WORK/t.tsv" url | tr '\n' ' ')" "tasks match the timeline"
# To a file, stdout stays empty.
"$PDL" -w 2 --discard -t "$WORK/t2.tsv" --json "$WORK/r.json" "$WORK/list.txt" >"$WORK/stdout" 2>/dev/null || true
expect_eq "$(wc -c <"$WORK/stdout")" 0 "stdout with --json FILE"
jq -e '.summary.tasks == 3' "$WORK/r.json" >/dev/null || fail "--json FILE"

# What scripts need of each task: the file as saved (a repeated URL's is
# renamed), the URL a redirect reached, the content type; and every column
# of the timeline, in --json and in JSON lines alike.
printf '%s\n' "$BASE/bytes/10" "$BASE/bytes/10" "$BASE/redirect/2" "$BASE/status/404" >"$WORK/names.txt"
"$PDL" -q -w 1 -o "$WORK/o" -t "$WORK/n.tsv" --json "$WORK/n.json" --export "$WORK/n.jsonl" \
    "$WORK/names.txt" 2>/dev/null && fail "a 404 in the list: exit status 0"
for f in "$WORK/n.json" "$WORK/n.jsonl"; do
    jq -s -e 'if .[0].tasks then .[0].tasks else . end | sort_by(.id) |
      all(.[]; has("attempt_start") and has("rank") and has("host") and has("conn") and
              has("new_conn") and has("http_version") and has("remote") and has("file") and
              has("effective_url") and has("content_type")) and
      (.[0].file == "10") and (.[1].file == "10.1") and (.[2].file == "2") and (.[3].file == null) and
      (.[0].effective_url == .[0].url) and (.[2].effective_url | endswith("/redirect/0")) and
      (.[2].url | endswith("/redirect/2")) and
      (map(.content_type) | unique == ["text/plain"]) and
      (map(.rank) | unique == [0]) and (.[0].attempt_start == .[0].start)' "$f" >/dev/null ||
        fail "$f: file, effective_url, content_type: $(jq -c . "$f" | head -c 1500)"
done
[ -f "$WORK/o/10" ] && [ -f "$WORK/o/10.1" ] && [ -f "$WORK/o/2" ] || fail "saved files: $(ls "$WORK/o")"
# The timeline's columns: the redirect's only where it differs.
expect_eq "$(column "$WORK/n.tsv" effective_url | tr '\n' '|')" "||$BASE/redirect/0||" "effective_url column"
expect_eq "$(column "$WORK/n.tsv" file | tr '\n' '|')" "10|10.1|2||" "file column"
# -x: the folders; --content-disposition: the name as saved, renamed when taken.
printf '%s\n' "$BASE/disposition?name=r.txt&bytes=3" "$BASE/disposition?name=r.txt&bytes=4" >"$WORK/cd.txt"
"$PDL" -q -w 1 -x --content-disposition -o "$WORK/x" -t "$WORK/x.tsv" --json "$WORK/x.json" "$WORK/cd.txt" ||
    fail "-x --content-disposition exited $?"
host="127.0.0.1_${BASE##*:}"
expect_eq "$(jq -r '.tasks | sort_by(.id) | map(.file) | join(" ")' "$WORK/x.json")" \
    "$host/r.txt $host/r.1.txt" "files under -x with --content-disposition"
[ -f "$WORK/x/$host/r.1.txt" ] || fail "r.1.txt not saved: $(find "$WORK/x" -type f)"
# Every mode fills them alike (processes and mpi send the record whole).
for mode in $MODES; do
    [ "$mode" = threads ] && continue
    rm -rf "$WORK/m"
    "$PDL" -q -m "$mode" -w 2 -o "$WORK/m" -t "$WORK/m.tsv" --json "$WORK/m.json" "$WORK/names.txt" 2>/dev/null &&
        fail "$mode: a 404 in the list: exit status 0"
    expect_eq "$(jq -c '.tasks | sort_by(.id) | map([.file, (.effective_url | sub(".*/"; "")), .content_type])' "$WORK/m.json")" \
        '[["10","10","text/plain"],["10.1","10","text/plain"],["2","0","text/plain"],[null,"404","text/plain"]]' \
        "$mode: file, effective_url, content_type"
done
# --discard: no file.
"$PDL" -q --discard -t "$WORK/d.tsv" --json "$WORK/d.json" "$WORK/cd.txt"
expect_eq "$(jq -r '[.tasks[].file] | unique | map(tostring) | join(" ")' "$WORK/d.json")" "null" "no file with --discard"
jq -e '.run | has("workers_asked") | not' "$WORK/r.json" >/dev/null || fail "workers_asked when all ran"
# A short list: the workers that ran tasks (3 started; a fast one may take
# two tasks before a third worker asks), and those asked for.
"$PDL" -w 8 --discard -t "$WORK/t3.tsv" --json "$WORK/short.json" "$WORK/list.txt" 2>"$WORK/err" || true
jq -e '.run | (.workers >= 1) and (.workers <= 3) and (.workers_asked == 8)' "$WORK/short.json" >/dev/null ||
    fail "short list: $(jq -c .run "$WORK/short.json")"
grep -qE "^pdl: threads, [123] workers? \(8 asked\): 3 tasks" "$WORK/err" ||
    fail "summary: workers asked: $(cat "$WORK/err")"
echo "json: ok"
