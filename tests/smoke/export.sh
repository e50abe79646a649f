#!/usr/bin/env bash
# Exports: one run written at once as JSON lines, a Chrome trace and a HAR,
# each valid JSON (checked by jq) with one record per task that agrees with
# the timeline; `pdl export` of that timeline gives the same records again,
# but for the error texts a timeline does not keep.
command -v jq >/dev/null || exit 77
. "$(dirname "$0")/lib.sh"
start_server

cat >"$WORK/list.txt" <<LIST
$BASE/delay/100
$BASE/delay/100
$BASE/delay/100
$BASE/status/500
$BASE/bytes/1000
http://127.0.0.1:1/refused
LIST
tasks=6
cd "$WORK"

set +e
"$PDL" -w 2 --discard -t t.tsv --export t.jsonl --export t.trace.json \
    --export t.har --export t.json --json doc.json list.txt 2>err
rc=$?
set -e
expect_eq "$rc" 1 "run with exports: exit status"
for f in t.tsv t.jsonl t.trace.json t.har t.json doc.json; do
    [ -s "$f" ] || fail "$f not written: $(cat err)"
done

# The timeline's columns as jq will print them from an export: id, start
# and end in microseconds, worker, bytes, http, status.
rows t.tsv | awk -F'\t' '{ printf "%d %.0f %.0f %d %d %d %s\n",
    $1, $3 * 1e6, $4 * 1e6, $2, $9, $10, $11 }' | sort -n >tsv.cols

# JSON lines: one object per line, each line valid on its own.
expect_eq "$(wc -l <t.jsonl)" "$tasks" "jsonl: lines"
while IFS= read -r line; do
    printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null ||
        fail "jsonl: not one JSON object: $line"
done <t.jsonl
jq -r '"\(.id) \(.start * 1e6 | round) \(.end * 1e6 | round) \(.worker)" +
       " \(.bytes) \(.http) \(.status)"' t.jsonl | sort -n >jsonl.cols
cmp -s tsv.cols jsonl.cols || fail "jsonl differs from the timeline: $(diff tsv.cols jsonl.cols)"
expect_eq "$(jq -r 'select(.http == 500) | .error' t.jsonl)" "HTTP 500" "jsonl: error text"
expect_eq "$(jq -r 'select(.status == "ok") | has("error")' t.jsonl | sort -u)" false \
    "jsonl: no error key on ok tasks"

# Chrome trace: a track per worker, a slice per task matching the timeline,
# each phase slice inside its task's slice on the same track.
jq -e '.traceEvents | type == "array"' t.trace.json >/dev/null || fail "trace: no traceEvents"
expect_eq "$(jq -r '.traceEvents[] | select(.name == "process_name") | .args.name' t.trace.json)" \
    "pdl threads" "trace: process name"
expect_eq "$(jq -r '.traceEvents[] | select(.name == "thread_name") | .args.name' t.trace.json |
    sort | tr '\n' ' ')" "worker 0 worker 1 " "trace: one track per worker"
jq -r '.traceEvents[] | select(.ph == "X" and .cat != "phase") |
       "\(.args.id) \(.ts) \(.ts + .dur) \(.tid) \(.args.bytes) \(.args.http) \(.args.status)"' \
    t.trace.json | sort -n >trace.cols
cmp -s tsv.cols trace.cols || fail "trace differs from the timeline: $(diff tsv.cols trace.cols)"
jq -e '[.traceEvents[] | select(.ph == "X")] as $x
       | [$x[] | select(.cat != "phase")] as $t
       | [$x[] | select(.cat == "phase")] as $p
       | ($p | length) > 0 and all($p[]; . as $q | any($t[];
           .args.id == $q.args.id and .tid == $q.tid and
           .ts <= $q.ts and $q.ts + $q.dur <= .ts + .dur))' t.trace.json >/dev/null ||
    fail "trace: a phase outside its task"
expect_eq "$(jq -r '.displayTimeUnit, .otherData.mode, .otherData.workers, .otherData.tasks' \
    t.trace.json | tr '\n' ' ')" "ms threads 2 $tasks " "trace: run data"

# HAR 1.2: one page, an entry per task (one without any response too),
# timings adding up to each entry's time.
expect_eq "$(jq -r '.log.version' t.har)" 1.2 "har: version"
expect_eq "$(jq -r '.log.creator.name' t.har)" pdl "har: creator"
expect_eq "$(jq '.log.pages | length' t.har)" 1 "har: pages"
expect_eq "$(jq '.log.entries | length' t.har)" "$tasks" "har: entries"
expect_eq "$(jq -r '.log.entries[] | "\(.response.status) \(._pdl_status)"' t.har |
    sort | tr '\n' ' ')" "0 connect 200 ok 200 ok 200 ok 200 ok 500 http " "har: statuses"
expect_eq "$(jq -r '.log.entries[] | select(.request.url | endswith("/bytes/1000"))
    | "\(.response.content.size) \(.response.bodySize)"' t.har)" "1000 1000" "har: sizes"
jq -e '.log.pages[0].id as $page | all(.log.entries[];
         .pageref == $page and
         (.startedDateTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and
         (([.timings.dns, .timings.connect, .timings.send, .timings.wait,
            .timings.receive] | map(select(. != -1)) | add) - .time
          | fabs) < 0.002)' t.har >/dev/null ||
    fail "har: bad date, or timings do not add up to time"
# The content type the server sent; none from a refused connection.
expect_eq "$(jq -r '.log.entries[] | "\(._pdl_status) \(.response.content.mimeType)"' t.har |
    sort -u | tr '\n' '|')" "connect |http text/plain|ok text/plain|" "har: mimeType"
expect_eq "$(jq -r '.log.entries | map(.startedDateTime) | . == sort' t.har)" true \
    "har: entries in start order"

# The same exports from the timeline, several at once.
"$PDL" export t.tsv again.har again.jsonl again.trace.json 2>err ||
    fail "pdl export exited $?: $(cat err)"
expect_eq "$(jq -c '.log.entries | map(del(._pdl_error))' again.har)" \
    "$(jq -c '.log.entries | map(del(._pdl_error))' t.har)" "again.har: entries"
expect_eq "$(jq -c '.log.pages' again.har)" "$(jq -c '.log.pages' t.har)" "again.har: pages"
expect_eq "$(jq -c 'del(.error)' again.jsonl)" "$(jq -c 'del(.error)' t.jsonl)" "again.jsonl"
expect_eq "$(jq -c 'del(.traceEvents[].args.error)' again.trace.json)" \
    "$(jq -c 'del(.traceEvents[].args.error)' t.trace.json)" "again.trace.json"

# One format per extension: *.trace.json is the trace, any other *.json
# the document --json writes, from a run and from pdl export alike.
cmp -s t.json doc.json || fail "--export t.json differs from --json: $(diff t.json doc.json | head -5)"
jq -e '(.summary.tasks == 6) and (.tasks | length == 6) and (has("traceEvents") | not)' t.json >/dev/null ||
    fail "t.json is not the --json document: $(head -c 300 t.json)"
jq -e 'has("traceEvents") and (has("summary") | not)' t.trace.json >/dev/null ||
    fail "t.trace.json is not a trace: $(head -c 300 t.trace.json)"
"$PDL" export t.tsv again.json 2>err || fail "pdl export again.json exited $?: $(cat err)"
expect_eq "$(jq -c 'del(.tasks[].error)' again.json)" "$(jq -c 'del(.tasks[].error)' doc.json)" \
    "pdl export x.json: the --json document"

# Older versions still export, chart and predict: this timeline cut down
# to version 4's 21 columns and version 3's 17, with their headers.
for v in 4:21 3:17; do
    ver=${v%:*} n=${v#*:}
    { printf '# pdl-timeline %s\n' "$ver"; sed -n 2p t.tsv; awk -F'\t' -v OFS='\t' -v n="$n" \
        'NR > 2 && !/^#/ { NF = n; print }' t.tsv; } >"v$ver.tsv"
    "$PDL" export "v$ver.tsv" "v$ver.jsonl" "v$ver.har" "v$ver.json" 2>err ||
        fail "pdl export of a version $ver timeline exited $?: $(cat err)"
    expect_eq "$(jq -s 'length' "v$ver.jsonl")" "$tasks" "version $ver: jsonl"
    expect_eq "$(jq -r '[.tasks[] | .file] | unique | map(tostring) | join(" ")' "v$ver.json")" "null" \
        "version $ver: no file column, file null"
    expect_eq "$(jq -c '[.tasks[] | {id, start, end, status}]' "v$ver.json")" \
        "$(jq -c '[.tasks[] | {id, start, end, status}]' doc.json)" "version $ver: the same tasks"
    if command -v gnuplot >/dev/null; then
        "$PDL" chart "v$ver.tsv" "v$ver.svg" 2>err || fail "pdl chart of a version $ver timeline exited $?: $(cat err)"
        grep -q '</svg>' "v$ver.svg" || fail "version $ver: no SVG"
    fi
    "$PDL" predict "v$ver.tsv" >/dev/null 2>err || fail "pdl predict of a version $ver timeline exited $?: $(cat err)"
done

# Errors name the file: a missing or malformed timeline, an unknown format.
set +e
"$PDL" export missing.tsv x.har 2>err; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "export of a missing timeline succeeded"
expect_grep err "missing.tsv: No such file or directory" "missing timeline"
[ ! -e x.har ] || fail "x.har written from a missing timeline"

printf '# pdl-timeline 1\nnot a header\n' >bad.tsv
set +e
"$PDL" export bad.tsv x.har 2>err; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "export of a bad timeline succeeded"
expect_grep err "bad.tsv: line 2: " "bad timeline"

set +e
"$PDL" export t.tsv t.txt 2>err; rc=$?
set -e
[ "$rc" -ne 0 ] || fail "export to t.txt succeeded"
expect_grep err "t.txt" "unknown export format"

# An export the run cannot write is refused before any download.
set +e
"$PDL" -w 2 --discard -t u.tsv --export u.txt list.txt 2>err; rc=$?
set -e
expect_eq "$rc" 2 "--export u.txt: exit status"
expect_grep err "u.txt" "--export u.txt"
if [ -e u.tsv ] && [ -n "$(rows u.tsv)" ]; then
    fail "--export u.txt: tasks ran anyway"
fi
# pdl export --help is the usage on stdout (exit 0); an option export does
# not have is a usage error, not the help.
"$PDL" export --help >out 2>err || fail "export --help exited $?"
expect_grep out "Usage: pdl export TIMELINE FILE..." "export --help"
set +e
"$PDL" export --bogus t.tsv x.jsonl >out 2>err; rc=$?
set -e
expect_eq "$rc" 2 "export --bogus: exit status"
expect_grep err "--bogus" "export --bogus"
[ ! -e x.jsonl ] || fail "export --bogus wrote x.jsonl"
echo "export: ok"
