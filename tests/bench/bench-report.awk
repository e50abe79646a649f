# Turns bench.sh's wrk.tsv and runs.tsv into the markdown report (stdout),
# medians.tsv and the chart-*.dat files gnuplot reads (in outdir).
# Usage: awk -f bench-report.awk -v meta=META -v outdir=DIR -v lat_ms=100 wrk.tsv runs.tsv
BEGIN {
    FS = OFS = "\t"
    ntools = split("pdl-serial pdl-threads pdl-processes pdl-async pdl-async+tl base-serial base-threads base-processes base-async base-async+tl curl wget2 aria2c xargs floor-multi floor-threads floor-processes floor-multi+pdl floor-threads+pdl floor-processes+pdl", order, " ")
    nwl = split("latency rate bandwidth scale", wls, " ")
}
FNR == 1 { file++; next }
file == 1 { crps[$1, $2] = $4; cmib[$1, $2] = $5; clat[$1, $2] = $6; next }
{
    rep = $1; wl = $2; w = $3; tool = $4; req = $5; bytes = $6; ideal = $7
    wall = $8; user = $9; sys = $10; rss = $11; rc = $12; mk = $13; su = $14
    k = wl SUBSEP w SUBSEP tool
    if ($15 != "" && $15 != "NA") {
        if (!(wl in loadlo) || $15 + 0 < loadlo[wl]) loadlo[wl] = $15 + 0
        if (!(wl in loadhi) || $15 + 0 > loadhi[wl]) loadhi[wl] = $15 + 0
    }
    reps[rep] = 1
    if (!((wl, w) in seenw)) { seenw[wl, w] = 1; ws[wl] = ws[wl] " " w }
    seent[k] = 1
    runs[k]++
    if (rc != 0) fails[k]++
    add(wallv, k, wall)
    if (user != "NA") { add(cpuv, k, user + sys); add(rssv, k, rss / 1024) }
    if (user != "NA" && req > 0) add(cpurq, k, (user + sys) / req * 1e6)
    if (mk != "NA") add(mkv, k, mk)
    if (su != "NA") add(suv, k, su * 1000)
    if (wl == "latency") { idealv[w] = ideal; v = ideal / wall }
    else if (wl == "bandwidth") v = bytes / 1048576 / wall
    else v = req / wall
    add(fig, k, v)
    figr[k, rep] = v
    if (tool != "xargs") nreq[wl] = req
    nreqt[k] = req
}
function add(arr, k, v) { arr[k] = (k in arr) ? arr[k] " " v : v }
# median of a space-separated list; lo/hi set to min and max
function med(s,    a, n, i, j, t) {
    if (s == "") { lo = hi = ""; return "" }
    n = split(s, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    lo = a[1]; hi = a[n]
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function f(fmt, v) { return (v == "") ? "—" : sprintf(fmt, v) }
function name(k, t) {
    if (t == "xargs" && k ~ /^rate/) t = sprintf("xargs (first %d URLs)", nreqt[k])
    return (k in fails) ? sprintf("%s (**%d/%d failed**)", t, fails[k], runs[k]) : t }
function ispdl(t) { return t ~ /^(pdl|base)-/ }
# libcurl's own floor (floor.c): measured beside, never an "other tool"
function isfloor(t) { return t ~ /^floor-/ }
# the paired ratio of t to u at (wl, w): per repeat t's figure ÷ u's, their
# median (pr) with lo/hi; "" if no repeat has both
function paired(wl, w, t, u,    r, s, kt, ku) {
    s = ""; kt = wl SUBSEP w SUBSEP t; ku = wl SUBSEP w SUBSEP u
    for (r in reps)
        if (((kt, r) in figr) && ((ku, r) in figr) && figr[ku, r] > 0)
            s = (s == "") ? figr[kt, r] / figr[ku, r] : s " " figr[kt, r] / figr[ku, r]
    return med(s)
}
# the paired ratio of pdl tool t to the best other tool (bestt), higher
# better; with the baseline's ratio when base-MODE ran beside pdl-MODE
function pratio(wl, w, t,    r, l, h, out, bt, b) {
    if (bestt == "") return "—"
    r = paired(wl, w, t, bestt); l = lo; h = hi
    if (r == "") return "—"
    if (t ~ /^pdl-/ && r < 0.95) loses[++nloses] = sprintf("%s, W=%s, %s: %.2f× the best other tool (%s), paired median", wl, w, t, r, bestt)
    out = sprintf("%s%.2f%s (%.2f–%.2f) vs %s", r < 0.95 ? "**" : "", r, r < 0.95 ? "**" : "", l, h, bestt)
    bt = t; sub(/^pdl-/, "base-", bt)
    if (t ~ /^pdl-/ && (wl SUBSEP w SUBSEP bt) in seent) {
        b = paired(wl, w, t, bt)
        if (b != "") out = out sprintf("; ÷ %s %.2f (%.2f–%.2f)", bt, b, lo, hi)
    }
    # each mode beside the libcurl floor of its own shape
    # (plain, then with pdl's settings: what is left is pdl's own work)
    bt = (t ~ /async/) ? "floor-multi" : (t ~ /processes/) ? "floor-processes" : "floor-threads"
    if (t ~ /^pdl-/ && (wl SUBSEP w SUBSEP bt) in seent) {
        b = paired(wl, w, t, bt)
        if (b != "") out = out sprintf("; ÷ %s %.2f (%.2f–%.2f)", bt, b, lo, hi)
    }
    bt = bt "+pdl"
    if (t ~ /^pdl-/ && (wl SUBSEP w SUBSEP bt) in seent) {
        b = paired(wl, w, t, bt)
        if (b != "") out = out sprintf("; ÷ %s %.2f (%.2f–%.2f)", bt, b, lo, hi)
    }
    return out
}
function loadline(wl) {
    if (wl in loadlo) printf "Load (1-minute average before each run): %.2f–%.2f.\n\n", loadlo[wl], loadhi[wl]
}
# best other tool for (wl, w): sets bestt, returns its median figure; hib: higher is better
function best(wl, w, arr, hib,    i, t, k, v, b) {
    bestt = ""; b = ""
    for (i = 1; i <= ntools; i++) {
        t = order[i]; k = wl SUBSEP w SUBSEP t
        if (ispdl(t) || isfloor(t) || !(k in arr)) continue
        v = med(arr[k])
        if (b == "" || (hib ? v > b : v < b)) { b = v; bestt = t }
    }
    return b
}
function ratio(v, b, wl, w, t, hib,    r) {
    if (v == "" || b == "" || b == 0) return "—"
    r = v / b
    if ((hib && r < 0.95) || (!hib && r > 1.05)) loses[++nloses] = sprintf("%s, W=%s, %s: %.2f× the best other tool (%s)", wl, w, t, r, bestt)
    return sprintf("%s%.2f (vs %s)%s", (hib ? r < 0.95 : r > 1.05) ? "**" : "", r, bestt, (hib ? r < 0.95 : r > 1.05) ? "**" : "")
}
function ceilflag(v, c) { return (c != "" && c != "NA" && v >= 0.8 * c) ? " ⚠" : "" }
END {
    print "# pdl benchmark"
    print ""
    while ((getline line < meta) > 0) print "- " line
    print ""
    print "Figures are medians over the repeats (min–max beside them). *pdl ÷ best other*: for efficiency, req/s and MiB/s, the median (min–max) over the repeats of pdl's figure ÷ the figure of the best non-pdl tool (best by median) in the same repeat, and ÷ base-MODE, the baseline binary (BASE_PDL), paired the same way; for the scale table, ratios of medians; in the direction stated (>1 is pdl ahead for efficiency, req/s and MiB/s; <1 is pdl ahead for RSS and start-up); bold where pdl is more than 5% behind. ⚠: within 80% of what the server alone (wrk) does at that connection count, so the server may be the limit. CPU is user+system of the tool and every process it waited for; peak RSS is the largest single process."
    printf "workload\tW\ttool\tfigure\tcpu_s\trss_mib\n" > (outdir "/medians.tsv")

    # ---- latency ----
    wl = "latency"
    if (wl in ws) {
        print ""
        printf "## 1. Latency-bound: %d × /delay/%d\n\n", nreq[wl], lat_ms
        loadline(wl)
        print "Efficiency = ideal ÷ wall of the whole command, ideal = ceil(N/W) × " lat_ms / 1000 " s. *timeline* is pdl's own makespan (`wall=` in its timeline), for the run that writes one. The wrk row is the server alone: req/s × " lat_ms / 1000 " s ÷ W. At W ≥ 64, floor-multi, floor-threads and floor-processes are libcurl alone (tests/bench/floor.c) on the same URLs, to show what starting W threads or processes costs by itself; each pdl mode is paired with the floor of its shape."
        print ""
        print "| W | tool | wall s | min–max | efficiency | timeline s | CPU s | peak RSS MiB | pdl ÷ best other (efficiency) |"
        print "|---:|---|---:|---:|---:|---:|---:|---:|---|"
        n = split(substr(ws[wl], 2), wv, " ")
        for (j = 1; j <= n; j++) {
            w = wv[j]
            c = clat[wl, w]
            if (c != "" && c != "NA")
                printf "| %s | server alone (wrk -c%s) | %.3f (mean latency) | — | %.3f | — | — | — | ceiling; %.0f req/s |\n", w, w, c, lat_ms / 1000 / c, crps[wl, w]
            b = best(wl, w, fig, 1); bt = bestt
            for (i = 1; i <= ntools; i++) {
                t = order[i]; k = wl SUBSEP w SUBSEP t
                if (!(k in seent)) continue
                mw = med(wallv[k]); l = lo; h = hi
                e = med(fig[k])
                bestt = bt
                printf "| %s | %s | %.3f | %.3f–%.3f | %.3f | %s | %s | %s | %s |\n", w, name(k, t), mw, l, h, e,
                    f("%.3f", med(mkv[k])), f("%.2f", med(cpuv[k])), f("%.1f", med(rssv[k])), (ispdl(t) || isfloor(t)) ? pratio(wl, w, t) : ""
                printf "%s\t%s\t%s\t%s\t%s\t%s\n", wl, w, t, e, med(cpuv[k]), med(rssv[k]) > (outdir "/medians.tsv")
            }
        }
    }
    # ---- rate ----
    wl = "rate"
    if (wl in ws) {
        print ""
        printf "## 2. Request-rate-bound: %d × /bytes/64\n\n", nreq[wl]
        loadline(wl)
        print "req/s = requests ÷ wall; CPU µs/req = (user+sys) ÷ requests. xargs runs a slice of the list (one curl process per URL), scaled per request. floor-multi, floor-threads and floor-processes are libcurl alone (tests/bench/floor.c: W handles on one curl_multi; W threads, or W forked processes, with an easy handle each), not other tools: pdl async is paired with floor-multi, processes with floor-processes, the other modes with floor-threads. The +pdl floors are the same with the settings pdl gives libcurl (`floor -o pdl`: User-Agent header, redirects, limits, 256 KiB buffers with glibc's thresholds as pdl sets them, progress callback, getinfo, no proxy look-up; in the blocking shapes a multi handle of each worker's own): what separates a pdl mode from its +pdl floor is pdl's own work."
        print ""
        print "| W | tool | req/s | min–max | CPU µs/req | wall s | peak RSS MiB | pdl ÷ best other (req/s) |"
        print "|---:|---|---:|---:|---:|---:|---:|---|"
        n = split(substr(ws[wl], 2), wv, " ")
        for (j = 1; j <= n; j++) {
            w = wv[j]
            c = crps[wl, w]
            if (c != "" && c != "NA")
                printf "| %s | server alone (wrk -c%s) | %.0f | — | — | — | — | ceiling |\n", w, w, c
            b = best(wl, w, fig, 1); bt = bestt
            for (i = 1; i <= ntools; i++) {
                t = order[i]; k = wl SUBSEP w SUBSEP t
                if (!(k in seent)) continue
                v = med(fig[k]); l = lo; h = hi
                bestt = bt
                printf "| %s | %s | %.0f%s | %.0f–%.0f | %s | %s | %s | %s |\n", w, name(k, t), v, ceilflag(v, c), l, h,
                    f("%.1f", med(cpurq[k])), f("%.3f", med(wallv[k])), f("%.1f", med(rssv[k])), (ispdl(t) || isfloor(t)) ? pratio(wl, w, t) : ""
                printf "%s\t%s\t%s\t%s\t%s\t%s\n", wl, w, t, v, med(cpurq[k]), med(rssv[k]) > (outdir "/medians.tsv")
            }
        }
    }
    # ---- bandwidth ----
    wl = "bandwidth"
    if (wl in ws) {
        print ""
        printf "## 3. Bandwidth-bound: %d bodies\n\n", nreq[wl]
        loadline(wl)
        print "MiB/s = body bytes ÷ 2^20 ÷ wall. aria2c writes its bodies to /dev/shm (it cannot discard them)."
        print ""
        print "| W | tool | MiB/s | min–max | CPU s | wall s | peak RSS MiB | pdl ÷ best other (MiB/s) |"
        print "|---:|---|---:|---:|---:|---:|---:|---|"
        n = split(substr(ws[wl], 2), wv, " ")
        for (j = 1; j <= n; j++) {
            w = wv[j]
            c = cmib[wl, w]
            if (c != "" && c != "NA")
                printf "| %s | server alone (wrk -c%s) | %.0f | — | — | — | — | ceiling |\n", w, w, c
            b = best(wl, w, fig, 1); bt = bestt
            for (i = 1; i <= ntools; i++) {
                t = order[i]; k = wl SUBSEP w SUBSEP t
                if (!(k in seent)) continue
                v = med(fig[k]); l = lo; h = hi
                bestt = bt
                printf "| %s | %s | %.0f%s | %.0f–%.0f | %s | %s | %s | %s |\n", w, name(k, t), v, ceilflag(v, c), l, h,
                    f("%.2f", med(cpuv[k])), f("%.3f", med(wallv[k])), f("%.1f", med(rssv[k])), (ispdl(t) || isfloor(t)) ? pratio(wl, w, t) : ""
                printf "%s\t%s\t%s\t%s\t%s\t%s\n", wl, w, t, v, med(cpuv[k]), med(rssv[k]) > (outdir "/medians.tsv")
            }
        }
    }
    # ---- scale ----
    wl = "scale"
    if (wl in ws) {
        w = substr(ws[wl], 2)
        print ""
        printf "## 4. Scale: %d URLs (/bytes/16), W=%s\n\n", nreq[wl], w
        loadline(wl)
        print "Start-up = from the command's start to the first request reaching the server (the list is served by a fresh, logging pdl-testd per run; its first log line is stamped). Lower is better for RSS and start-up. The logging server makes req/s here lower than in the rate workload."
        print ""
        print "| tool | peak RSS MiB | min–max | start-up ms | min–max | wall s | req/s | pdl ÷ best other (RSS) | pdl ÷ best other (start-up) |"
        print "|---|---:|---:|---:|---:|---:|---:|---|---|"
        br = best(wl, w, rssv, 0); brt = bestt
        bs = best(wl, w, suv, 0); bst = bestt
        for (i = 1; i <= ntools; i++) {
            t = order[i]; k = wl SUBSEP w SUBSEP t
            if (!(k in seent)) continue
            r = med(rssv[k]); rl = lo; rh = hi
            s = med(suv[k]); sl = lo; sh = hi
            r1 = r2 = ""
            if (ispdl(t)) { bestt = brt; r1 = ratio(r, br, wl " RSS", w, t, 0); bestt = bst; r2 = ratio(s, bs, wl " start-up", w, t, 0) }
            printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name(k, t), f("%.1f", r), (rl == "") ? "—" : sprintf("%.1f–%.1f", rl, rh),
                f("%.1f", s), (sl == "") ? "—" : sprintf("%.1f–%.1f", sl, sh), f("%.3f", med(wallv[k])), f("%.0f", med(fig[k])), r1, r2
            printf "%s\t%s\t%s\t%s\t%s\t%s\n", wl, w, t, s, med(cpuv[k]), r > (outdir "/medians.tsv")
            sc[t] = r "\t" s
        }
    }
    print ""
    print "## Where pdl is more than 5% behind the best other tool"
    print ""
    if (nloses == 0) print "Nowhere."
    for (i = 1; i <= nloses; i++) print "- " loses[i]

    # ---- chart data: one column per tool ----
    for (q = 1; q <= 3; q++) {
        wl = wls[q]
        if (!(wl in ws)) continue
        out = outdir "/chart-" wl ".dat"
        printf "W" > out
        printf "\t\"server alone (wrk)\"" > out
        for (i = 1; i <= ntools; i++) { t = order[i]; used[t] = 0
            for (kk in seent) { split(kk, p, SUBSEP); if (p[1] == wl && p[3] == t) used[t] = 1 }
            if (used[t]) printf "\t\"%s\"", t > out }
        printf "\n" > out
        n = split(substr(ws[wl], 2), wv, " ")
        for (j = 1; j <= n; j++) {
            printf "%s", wv[j] > out
            c = (wl == "latency") ? ((clat[wl, wv[j]] > 0) ? lat_ms / 1000 / clat[wl, wv[j]] : "NaN") : (wl == "rate") ? crps[wl, wv[j]] : cmib[wl, wv[j]]
            printf "\t%s", (c == "" || c == "NA") ? "NaN" : c > out
            for (i = 1; i <= ntools; i++) { t = order[i]; if (!used[t]) continue
                k = wl SUBSEP wv[j] SUBSEP t
                printf "\t%s", (k in fig) ? med(fig[k]) : "NaN" > out }
            printf "\n" > out
        }
        close(out)
    }
    out = outdir "/chart-scale.dat"
    printf "tool\trss_mib\tstartup_ms\n" > out
    for (i = 1; i <= ntools; i++) if (order[i] in sc) printf "\"%s\"\t%s\n", order[i], sc[order[i]] > out
    close(out)
}
