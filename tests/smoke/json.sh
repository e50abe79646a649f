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
  ([.tasks[] | keys_unsorted[0:13]] | unique ==
     [["id","worker","start","end","dns","connect","tls","ttfb","bytes","http","status","attempts","url"]]) and
  (.tasks[2] | (.status == "http") and (.http == 404) and (.error == "HTTP 404"))
' "$WORK/out.json" >/dev/null || fail "JSON shape: $(jq -c . "$WORK/out.json" | head -c 1500)"
# The same tasks as the timeline.
expect_eq "$(jq -r '.tasks[].url' "$WORK/out.json" | tr '\n' ' ')" \
    "$(column "$WORK/t.tsv" url | tr '\n' ' ')" "tasks match the timeline"
# To a file, stdout stays empty.
"$PDL" -w 2 --discard -t "$WORK/t2.tsv" --json "$WORK/r.json" "$WORK/list.txt" >"$WORK/stdout" 2>/dev/null || true
expect_eq "$(wc -c <"$WORK/stdout")" 0 "stdout with --json FILE"
jq -e '.summary.tasks == 3' "$WORK/r.json" >/dev/null || fail "--json FILE"
jq -e '.run | has("workers_asked") | not' "$WORK/r.json" >/dev/null || fail "workers_asked when all ran"
# A short list: the workers that ran tasks (3 started; a fast one may take
# two tasks before a third worker asks), and those asked for.
"$PDL" -w 8 --discard -t "$WORK/t3.tsv" --json "$WORK/short.json" "$WORK/list.txt" 2>"$WORK/err" || true
jq -e '.run | (.workers >= 1) and (.workers <= 3) and (.workers_asked == 8)' "$WORK/short.json" >/dev/null ||
    fail "short list: $(jq -c .run "$WORK/short.json")"
grep -qE "^pdl: threads, [123] workers? \(8 asked\): 3 tasks" "$WORK/err" ||
    fail "summary: workers asked: $(cat "$WORK/err")"
echo "json: ok"
