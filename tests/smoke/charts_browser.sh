#!/usr/bin/env bash
# SVG charts in a real browser: Debian's headless chromium loads the SVG of a
# 5-task run, and every task's tooltip (its URL) is in the DOM as a <title>;
# a screenshot is a non-blank PNG; the SVG stays small (no embedded script or
# font). Skipped without chromium or gnuplot.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip "gnuplot missing"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || skip "chromium missing (apt-get install chromium)"
start_server

for ms in 100 300 50 200 400; do echo "$BASE/delay/$ms"; done >"$WORK/list.txt"
"$PDL" -w 8 --discard -q -t "$WORK/t.tsv" --chart "$WORK/run.svg" --chart "$WORK/lanes.svg" \
    --chart-by task "$WORK/list.txt" || fail "run exited $?"
"$PDL" chart --by worker "$WORK/t.tsv" "$WORK/lanes.svg" || fail "pdl chart --by worker"

size=$(stat -c %s "$WORK/run.svg")
[ "$size" -le 80000 ] || fail "a 5-task SVG is $size bytes"
! grep -q '<script' "$WORK/run.svg" || fail "the SVG carries a script"

chrome() {
    timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$(mktemp -d "$WORK/profile.XXXXXX")" "$@" 2>>"$WORK/chromium.err"
}
for svg in run lanes; do
    chrome --dump-dom "file://$WORK/$svg.svg" >"$WORK/$svg.dom" || fail "chromium --dump-dom $svg.svg: $(tail -3 "$WORK/chromium.err")"
    grep -q "<title>task [0-9]* · worker [0-9]* · ok · HTTP 200" "$WORK/$svg.dom" ||
        fail "$svg.svg: no tooltip in the DOM: $(head -c 500 "$WORK/$svg.dom")"
    for ms in 100 300 50 200 400; do
        # the line after a tooltip's first is its URL
        grep -A1 '<title>task ' "$WORK/$svg.dom" | grep -qxF "$BASE/delay/$ms" ||
            fail "$svg.svg: no tooltip with $BASE/delay/$ms in the DOM"
    done
    [ "$(grep -c '<title>task ' "$WORK/$svg.dom")" = 5 ] || fail "$svg.svg: not 5 tooltips in the DOM"
    expect_grep "$WORK/$svg.dom" "waiting for 1st byte" "$svg.svg: phases in the tooltip"
done
(cd "$WORK" && chrome --window-size=1200,600 --screenshot="$WORK/shot.png" "file://$WORK/run.svg") ||
    fail "chromium --screenshot: $(tail -3 "$WORK/chromium.err")"
[ "$(head -c 4 "$WORK/shot.png" | od -An -c | tr -d ' \n')" = '211PNG' ] || fail "no screenshot"
[ "$(stat -c %s "$WORK/shot.png")" -ge 20000 ] || fail "the screenshot looks blank"
echo "charts_browser: ok"
