# plots/tips.awk -- hover tooltips for an SVG chart of a pdl timeline.
#
# gantt.gp and lanes.gp run it once gnuplot has written an SVG: it reads the
# timeline (first file) and the SVG (second) and prints the SVG with one
# transparent rectangle over each task's bar, added just before </svg>.  A
# rectangle's <title> is what a browser shows on hover: the URL, the worker,
# the phases, bytes, status and attempts; it darkens a little under the
# pointer.  Plain SVG, no script.  Rows may come in any order.
# Run with -F '\t' and these -v values:
#   view   gantt (one row per task id) or lanes (one row per worker lane)
#   x0 x1  pixels of time 0 and of time xhi;  y0 h  top and height of the bars
#   r0 nr  the row at the top edge (id or lane - 0.5) and the rows in h
#   hh     half a bar's height, in rows
#   ci     the timeline's column numbers (0 = absent) of: id, worker, start,
#          end, status, dns, connect, tls, ttfb, http, attempt_start, url,
#          bytes, attempts, error, rank
#   lb     lanes view of an mpi run: the first lane of each rank ("0,8,16")

function esc(s) {
    gsub(/&/, "\\&amp;", s); gsub(/</, "\\&lt;", s); gsub(/>/, "\\&gt;", s)
    gsub(/"/, "\\&quot;", s); return s
}
function dur(x) {
    return x < 0.001 ? sprintf("%.0f µs", x * 1e6) : x < 1 ? sprintf("%.1f ms", x * 1000) : sprintf("%.3f s", x)
}
function size(b) {
    return b < 1024 ? b " B" : b < 1048576 ? sprintf("%.1f KiB", b / 1024) : \
        b < 1073741824 ? sprintf("%.1f MiB", b / 1048576) : sprintf("%.2f GiB", b / 1073741824)
}
function col(name) { return C[name] > 0 ? $(C[name]) : "" }
function max(a, b) { return a > b ? a : b }
function min(a, b) { return a < b ? a : b }
# The phases of the last attempt, as the bars split them.
function phases(d,   a0, e0, e1, e2, e3, t) {
    a0 = C["attempt_start"] > 0 ? min(max(col("attempt_start") - col("start"), 0), d) : 0
    e0 = col("dns") > 0 ? max(min(col("dns"), d), a0) : a0
    e1 = col("connect") > 0 ? max(min(col("connect"), d), e0) : e0
    e2 = col("tls") > 0 ? max(min(col("tls"), d), e1) : e1
    e3 = col("ttfb") > 0 ? max(min(col("ttfb"), d), e2) : e2
    t = ""
    if (a0 > 1e-6) t = also(t, "earlier attempts " dur(a0))
    if (col("dns") > 0) t = also(t, "DNS " dur(e0 - a0))
    if (col("connect") > 0) t = also(t, "connect " dur(e1 - e0))
    if (col("tls") > 0) t = also(t, "TLS " dur(e2 - e1))
    if (col("ttfb") > 0) t = also(t, "waiting for 1st byte " dur(e3 - e2) " · transfer " dur(d - e3))
    return t == "" ? "no response" : t
}
function also(t, s) { return t == "" ? s : t " · " s }
function tip(   s, e, d, st, a, r, x, w, y, ht, t) {
    s = col("start") + 0; e = col("end") + 0; d = max(e - s, 0); st = col("status")
    a = col("attempts")
    t = sprintf("task %s · worker %s%s · %s%s", col("id"), col("worker"), \
        C["rank"] > 0 && lb != "" ? " of rank " col("rank") : "", st, col("http") > 0 ? " · HTTP " col("http") : "")
    t = t "\n" col("url")
    t = t "\n" sprintf("%s, from %.3f s to %.3f s", dur(d), s, e)
    t = t "\n" phases(d)
    t = t "\n" (C["bytes"] > 0 ? size(col("bytes") + 0) : "") (a != "" ? sprintf(" · %d attempt%s", a, a == 1 ? "" : "s") : "")
    if (col("error") != "") t = t "\n" col("error")
    r = view == "lanes" ? (lb != "" ? LB[col("rank") + 1] + col("worker") : col("worker") + 0) : col("id") + 0
    x = x0 + s / xhi * (x1 - x0); w = max(d / xhi * (x1 - x0), 1.5)
    y = y0 + (r - hh - r0) / nr * h; ht = max(2 * hh / nr * h, 1.5)
    return sprintf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s</title></rect>", x, y, w, ht, esc(t))
}
BEGIN {
    split("id,worker,start,end,status,dns,connect,tls,ttfb,http,attempt_start,url,bytes,attempts,error,rank", K, ",")
    n = split(ci, V, ",")
    for (i = 1; i <= n; i++) C[K[i]] = V[i] + 0
    if (lb != "") split(lb, LB, ",")
}
FNR == NR {
    if (/^#/ || $0 == "") next
    if (!hdr) { hdr = 1; next }
    T[++nt] = tip()
    next
}
/<\/svg>/ && !done {
    print "<style>.pdl-tips rect { fill: #000000; fill-opacity: 0; } .pdl-tips rect:hover { fill-opacity: 0.18; }</style>"
    print "<g class=\"pdl-tips\">"
    for (i = 1; i <= nt; i++) print T[i]
    print "</g>"
    done = 1
}
{ print }
