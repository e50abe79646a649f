# plots/common.gp -- shared set-up for gantt.gp and lanes.gp (gnuplot >= 5.4).
#
# Not meant to be run directly: gantt.gp / lanes.gp load it after setting
#   data        path of a pdl timeline TSV (format "pdl-timeline" 1, 2 or 3)
#   out         optional output path; .png / .svg / .pdf picks the terminal
#   pdl_script  name of the calling script (for messages)
#   pdl_out_suffix  optional, inserted before ".png" in the default output name
#
# Reads the metadata line with awk (by key name, so new keys are harmless)
# and finds the columns by name in the header line (so added or reordered
# columns are harmless); the rows themselves are read by gnuplot's own parser
# (tab separator, header line skipped with "every ::1").  Defines, among others:
#   N W XMAX WALL IDEAL DUR_MEAN DUR_SUM NFAIL  MODE HOST STARTED PDLVER
#   W_RAN LONGEST   (workers that ran tasks: distinct worker per rank; the
#                   longest task); IDEAL = max(DUR_SUM / W_RAN, LONGEST), the
#                   lower bound of any makespan (no longer ceil(N/W) x mean)
#   c_url() pdl_short(url)         (a URL as a row label)
#   pdl_tips(...)                  (hover tooltips for an SVG, plots/tips.awk)
#   SG_ID SG_W SG_START SG_END     (the straggler = task with the largest end,
#                                   if it ran on alone for 5 % of the makespan;
#                                   else SG_ID = -1)
#   n_dns n_con n_tls n_tfb        (how many tasks have that phase)
#   pdl_title pdl_subtitle pdl_setterm(w,h) and the phase helpers e_*()
#   pdl_lane_name(l)               ("w3", or "r1 w0" for an mpi run)
# An mpi run (rank column, more than one rank) is drawn by lane: c_w() is
# then the lane of a row, the workers of every rank side by side, ranks of
# one host together (hosts in the order of their first rank), and W counts
# the lanes of all ranks.  PDL_RANKED says so; PDL_R ranks of PDL_WR workers;
# PDL_NH hosts, PDL_HN[i] named, lanes PDL_HF[i] .. PDL_HF[i]+PDL_HC[i]-1.

set encoding utf8

# ---- input / output names ---------------------------------------------------
if (!exists("data")) {
    exit error sprintf("no input file.  usage: gnuplot -e \"data='run.tsv'; out='run.png'\" %s", pdl_script)
}
# single-quote the file name for the shell (used only for awk/sort calls)
pdl_q = "'"
do for [pdl_i = 1:strlen(data)] {
    pdl_c = data[pdl_i:pdl_i]
    pdl_q = pdl_q . (pdl_c eq "'" ? "'\\''" : pdl_c)
}
pdl_q = pdl_q . "'"
# the same for the output and for the folder of the scripts (for plots/tips.awk)
pdl_dir = exists("pdl_slash") && pdl_slash > 0 ? ARG0[1:pdl_slash] : "./"
pdl_dq = "'"
do for [pdl_i = 1:strlen(pdl_dir)] {
    pdl_c = pdl_dir[pdl_i:pdl_i]
    pdl_dq = pdl_dq . (pdl_c eq "'" ? "'\\''" : pdl_c)
}
pdl_dq = pdl_dq . "tips.awk'"
if (system("test -r " . pdl_q . " && echo y") ne "y") {
    exit error sprintf("%s: cannot read data file '%s'", pdl_script, data)
}

if (!exists("out")) {
    pdl_n = strlen(data)
    pdl_sfx = exists("pdl_out_suffix") ? pdl_out_suffix : ""
    out = ((pdl_n > 4 && data[pdl_n-3:pdl_n] eq ".tsv") ? data[1:pdl_n-4] : data) . pdl_sfx . ".png"
}
pdl_oq = "'"
do for [pdl_i = 1:strlen(out)] {
    pdl_c = out[pdl_i:pdl_i]
    pdl_oq = pdl_oq . (pdl_c eq "'" ? "'\\''" : pdl_c)
}
pdl_oq = pdl_oq . "'"
pdl_n = strlen(out)
pdl_ext = pdl_n >= 4 ? out[pdl_n-3:pdl_n] : ""
pdl_kind = (pdl_ext eq ".svg" || pdl_ext eq ".SVG") ? "svg" : \
           (pdl_ext eq ".pdf" || pdl_ext eq ".PDF") ? "pdf" : "png"
pdl_has_cairo_png = strstrt(GPVAL_TERMINALS, " pngcairo ") > 0
if (pdl_kind eq "png" && !pdl_has_cairo_png) {
    print sprintf("%s: warning: pngcairo terminal not available, falling back to libgd png", pdl_script)
}
if (!(pdl_ext eq ".png" || pdl_ext eq ".PNG" || pdl_kind ne "png")) {
    print sprintf("%s: warning: unknown extension in '%s', writing PNG", pdl_script, out)
}

# Returns a "set terminal ..." command for an image of w x h pixels.
pdl_setterm(w, h) = \
    pdl_kind eq "svg" ? sprintf("set terminal svg size %d,%d dynamic noenhanced font 'sans-serif,10' fontscale 1.33 background '#ffffff'", w, h) : \
    pdl_kind eq "pdf" ? sprintf("set terminal pdfcairo size %.3fin,%.3fin noenhanced font 'Sans,10' fontscale 0.55 linewidth 0.75 background '#ffffff'", w/120.0, h/120.0) : \
    pdl_has_cairo_png ? sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,10' background '#ffffff'", w, h) : \
                        sprintf("set terminal png size %d,%d truecolor noenhanced font 'Sans,10' background '#ffffff'", w, h)

# ---- metadata (line 2: key=value pairs, read by key name) -------------------
pdl_meta(k) = system(sprintf("LC_ALL=C awk -v k=%s '!/^#/ { exit } { for (i = 2; i <= NF; i++) { p = index($i, \"=\"); if (p > 1 && substr($i, 1, p - 1) == k) { print substr($i, p + 1); exit } } }' %s", k, pdl_q))
pdl_tag = system("LC_ALL=C awk 'NR == 1 { print substr($0, 1, 40) } { exit }' " . pdl_q)
# Any version: columns and keys are read by name, and rows in any order.
if (strlen(pdl_tag) < 16 || pdl_tag[1:15] ne "# pdl-timeline ") {
    print sprintf("%s: warning: '%s' does not start with '# pdl-timeline VERSION' (first line: '%s'); trying anyway", pdl_script, data, pdl_tag)
}
pdl_isnum(s) = strlen(s) > 0 && s[1:1] ne "-" && strstrt("0123456789.", s[1:1]) > 0
MODE    = pdl_meta("mode")
HOST    = pdl_meta("host")
STARTED = pdl_meta("started")
PDLVER  = pdl_meta("pdl")
pdl_s   = pdl_meta("workers"); META_W     = pdl_isnum(pdl_s) ? int(pdl_s + 0) : 0
# -w when fewer workers ran (a short list): the title says both.
pdl_s   = pdl_meta("workers_asked"); META_WASKED = pdl_isnum(pdl_s) ? int(pdl_s + 0) : 0
pdl_s   = pdl_meta("wall");    META_WALL  = pdl_isnum(pdl_s) ? pdl_s + 0.0 : 0.0
pdl_s   = pdl_meta("tasks");   META_TASKS = pdl_isnum(pdl_s) ? int(pdl_s + 0) : -1
pdl_s   = pdl_meta("clock_error_us"); META_CLOCK_US = pdl_isnum(pdl_s) ? pdl_s + 0.0 : -1

# ---- data -------------------------------------------------------------------
set datafile separator "\t"
# Columns are found by name in the header line (the first non-# line, which
# starts with "id"), so added or reordered columns do not break the plots.
# Required: id worker start end status; dns connect tls ttfb http
# attempt_start (version 2) default to 0.
CI_id = 0; CI_worker = 0; CI_start = 0; CI_end = 0; CI_status = 0
CI_dns = 0; CI_connect = 0; CI_tls = 0; CI_ttfb = 0; CI_http = 0
CI_attempt_start = 0; CI_rank = 0; CI_url = 0; CI_bytes = 0; CI_attempts = 0; CI_error = 0
eval system("LC_ALL=C awk -F '\t' '/^#/ { next } { for (i = 1; i <= NF; i++) { f = $i; sub(/\\r$/, \"\", f); " . \
    "if (f ~ /^(id|worker|start|end|status|dns|connect|tls|ttfb|http|attempt_start|rank|url|bytes|attempts|error)$/) printf \"CI_%s = %d; \", f, i }; exit }' " . pdl_q)
if (CI_id * CI_worker * CI_start * CI_end * CI_status == 0) {
    exit error sprintf("%s: '%s' has no header line with the columns id, worker, start, end, status", pdl_script, data)
}
# rows = non-comment, non-empty lines after the header
N = int(system("LC_ALL=C awk '/^#/ || NF == 0 { next } h { n++ } { h = 1 } END { print n + 0 }' " . pdl_q))

# Accessors evaluated inside "using".  start/end: seconds since the run
# started; dns/connect/tls/ttfb: seconds after the task's start at which the
# phase ended (0 = did not happen).
c_id(x)   = column(CI_id)
c_w(x)    = column(CI_worker)
c_s(x)    = column(CI_start)
c_e(x)    = column(CI_end)
c_st(x)   = strcol(CI_status)
c_dns0(x) = CI_dns     > 0 ? column(CI_dns)     : 0
c_con0(x) = CI_connect > 0 ? column(CI_connect) : 0
c_tls0(x) = CI_tls     > 0 ? column(CI_tls)     : 0
c_tfb0(x) = CI_ttfb    > 0 ? column(CI_ttfb)    : 0
c_http(x) = CI_http    > 0 ? column(CI_http)    : 0
# Time taken by earlier attempts and their backoff: the final attempt's
# phases begin after it.
c_att0(x) = CI_attempt_start > 0 ? column(CI_attempt_start) - c_s(0) : 0
# Phase ends, clamped to [0, duration] and made non-decreasing; a phase that
# did not happen ends where the previous one ended.
pdl_max(a, b) = a > b ? a : b
pdl_min(a, b) = a < b ? a : b
c_d(x)   = pdl_max(c_e(0) - c_s(0), 0)
c_cl(v)  = v < 0 ? 0 : (v > c_d(0) ? c_d(0) : v)
e_att(x) = c_att0(0) > 1e-6 ? c_cl(c_att0(0)) : 0
e_dns(x) = c_dns0(0) > 0 ? pdl_max(c_cl(c_dns0(0)), e_att(0)) : e_att(0)
e_con(x) = c_con0(0) > 0 ? pdl_max(c_cl(c_con0(0)), e_dns(0)) : e_dns(0)
e_tls(x) = c_tls0(0) > 0 ? pdl_max(c_cl(c_tls0(0)), e_con(0)) : e_con(0)
e_tfb(x) = c_tfb0(0) > 0 ? pdl_max(c_cl(c_tfb0(0)), e_tls(0)) : e_tls(0)
is_ok(x) = c_st(0) eq "ok"

# ---- lanes of an mpi run (ranks grouped by host) ----------------------------
# One awk pass: ranks from the rows and the metadata's rank_hosts, workers per
# rank from the metadata's workers (or the rows), then the lane layout.
pdl_lanes_awk = 'BEGIN { FS = "\t"; R = 0; WR = 0; mw = 0 } ' . \
    '/^#/ && !hdr { n = split($0, kv, " "); for (i = 1; i <= n; i++) { p = index(kv[i], "="); if (p < 2) continue; ' . \
    'k = substr(kv[i], 1, p - 1); v = substr(kv[i], p + 1); if (k == "workers") mw = v + 0; ' . \
    'if (k == "rank_hosts") { nh = split(v, hl, ","); for (j = 1; j <= nh; j++) host[j - 1] = hl[j]; if (nh > R) R = nh } }; next } ' . \
    '/^#/ || NF == 0 { next } ' . \
    '!hdr { for (i = 1; i <= NF; i++) { if ($i == "rank") cr = i; if ($i == "host") ch = i; if ($i == "worker") cw = i; if ($i == "status") cs = i; if ($i == "url") cu = i }; hdr = 1; next } ' . \
    '{ if (cr) { r = $cr + 0; if (r + 1 > R) R = r + 1; if (ch && !(r in host)) host[r] = $ch } if (cw && $cw + 1 > WR) WR = $cw + 1; ' . \
    '  if (cw && $cw >= 0 && $cs != "not-run" && $cs != "skipped") { k = (cr ? $cr + 0 : 0) "," $cw; if (!(k in ran)) { ran[k] = 1; nran++ } } ' . \
    '  if (cu) { u = $cu; sub(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, "", u); sub(/[\/?#].*$/, "", u); if (!(u in uh)) { uh[u] = 1; nuh++; uh1 = u } } } ' . \
    'END { if (R < 1) R = 1; if (mw > WR) WR = mw; if (WR < 1) WR = 1; H = 0; ' . \
    'for (r = 0; r < R; r++) { h = (r in host) ? host[r] : "?"; gsub(/[^A-Za-z0-9._-]/, "_", h); ' . \
    'if (!(h in hi)) { hi[h] = ++H; hn[H] = h; hc[H] = 0 } k = hi[h]; hr[k, ++hc[k]] = r } ' . \
    'gsub(/[^A-Za-z0-9._:-]/, "_", uh1); ' . \
    'o = sprintf("PDL_R = %d; PDL_WR = %d; PDL_NH = %d; PDL_WRAN = %d; PDL_URLHOSTS = %d; PDL_URLHOST = \"%s\"; array PDL_LB[%d]; array PDL_RO[%d]; array PDL_HN[%d]; array PDL_HF[%d]; array PDL_HC[%d]", R, WR, H, nran, nuh, uh1, R, R, H, H, H); ' . \
    'pos = 0; for (k = 1; k <= H; k++) { o = o sprintf("; PDL_HN[%d] = \"%s\"; PDL_HF[%d] = %d; PDL_HC[%d] = %d", k, hn[k], k, pos * WR, k, hc[k] * WR); ' . \
    'for (j = 1; j <= hc[k]; j++) { r = hr[k, j]; o = o sprintf("; PDL_LB[%d] = %d; PDL_RO[%d] = %d", r + 1, pos * WR, pos + 1, r); pos++ } } print o }'
eval system("LC_ALL=C awk '" . pdl_lanes_awk . "' " . pdl_q)
PDL_RANKED = (CI_rank > 0 && PDL_R > 1)
if (PDL_RANKED) {
    c_w(x) = PDL_LB[int(column(CI_rank)) + 1] + column(CI_worker)
}
pdl_lane_name(l) = PDL_RANKED ? sprintf("r%d w%d", PDL_RO[int(l / PDL_WR) + 1], int(l) % PDL_WR) : sprintf("w%d", int(l))

# A URL as a row label: no scheme, no host when every URL is on one host (the
# chart names it), cut in the middle to 30 characters.
c_url(x) = CI_url > 0 ? strcol(CI_url) : ""
pdl_noscheme(u) = (pdl_p = strstrt(u, "://"), pdl_p > 0 ? u[pdl_p + 3:] : u)
pdl_nohost(u) = (pdl_p = strstrt(u, "/"), pdl_p > 0 ? u[pdl_p:] : "/")
pdl_cut(u, n) = strlen(u) <= n ? u : u[1:n - n / 2 - 1] . "…" . u[strlen(u) - n / 2 + 1:]
pdl_short(u) = pdl_cut(PDL_URLHOSTS == 1 ? pdl_nohost(pdl_noscheme(u)) : pdl_noscheme(u), 30)

# number formatting for seconds
fmt_s(x) = x < 1 ? sprintf("%.3g", x) : x < 10 ? sprintf("%.3f", x) : x < 100 ? sprintf("%.2f", x) : sprintf("%.1f", x)

# Colour-blind-safe phase palette (Okabe & Ito) + failure red.
C_DNS  = "#009E73"   # bluish green
C_CON  = "#E69F00"   # orange
C_TLS  = "#CC79A7"   # reddish purple
C_WAIT = "#56B4E9"   # sky blue
C_XFER = "#0072B2"   # blue
C_FAIL = "#D40000"   # red (outline + hatch)
C_RETRY = "#8C8C8C"  # grey hatch: earlier attempts and their backoff
C_GRID = "#E3E3E3"
C_TEXT = "#333333"
C_SOFT = "#666666"
# worker colours (Paul Tol "muted", distinct from the phase colours) for <= 9 workers
array WCOL[9] = [0x332288, 0xDDCC77, 0x44AA99, 0xCC6677, 0x88CCEE, 0x882255, 0x117733, 0x999933, 0xAA4499]
wcol(w) = WCOL[int(w) % 9 + 1]
# viridis-like palette for > 9 workers (used with "lc palette" + colorbox)
set palette defined (0 "#440154", 1 "#3B528B", 2 "#21918C", 3 "#5EC962", 4 "#E8D51F")

pdl_empty = (N == 0)
if (!pdl_empty) {
    stats data every ::1 using (c_id(0)) name "ID" nooutput
    stats data every ::1 using (c_d(0)) name "DUR" nooutput
    stats data every ::1 using (c_e(0)) name "EN" nooutput
    stats data every ::1 using (c_w(0)) name "WK" nooutput
    stats data every ::1 using (is_ok(0) ? 0 : 1) name "FL" nooutput
    NFAIL = int(FL_sum)
    stats data every ::1 using (c_dns0(0) > 0) name "HAS" nooutput; n_dns = int(HAS_sum)
    stats data every ::1 using (e_att(0) > 0) name "HAS" nooutput; n_retry = int(HAS_sum)
    stats data every ::1 using (c_con0(0) > 0) name "HAS" nooutput; n_con = int(HAS_sum)
    stats data every ::1 using (c_tls0(0) > 0) name "HAS" nooutput; n_tls = int(HAS_sum)
    stats data every ::1 using (c_tfb0(0) > 0) name "HAS" nooutput; n_tfb = int(HAS_sum)
    stats data every ::1 using (!is_ok(0) && c_tfb0(0) <= 0) name "HAS" nooutput; n_norsp = int(HAS_sum)
    stats data every ::1 using (is_ok(0) || c_tfb0(0) > 0) name "HAS" nooutput; n_xfer = int(HAS_sum)
    # straggler: the task with the largest end (first one if tied)
    stats data every ::1 using (c_e(0) >= EN_max ? c_id(0) : NaN) name "SGI" nooutput
    SG_ID = int(SGI_min)
    stats data every ::1 using (c_id(0) == SG_ID ? c_w(0) : NaN) name "SGX" nooutput; SG_W = int(SGX_min)
    stats data every ::1 using (c_id(0) == SG_ID ? c_s(0) : NaN) name "SGX" nooutput; SG_START = SGX_min
    SG_END = EN_max
    stats data every ::1 using (c_id(0) == SG_ID && !is_ok(0) ? 1 : 0) name "SGX" nooutput; SG_FAILED = int(SGX_sum)
    # It is a straggler only if it ran on alone for 5 % of the makespan or
    # more: the last of tasks that end together is not (SG_ID -1: none).
    SG_ALONE = SG_END
    if (N > 1) {
        stats data every ::1 using (c_id(0) != SG_ID ? c_e(0) : NaN) name "SGO" nooutput
        SG_ALONE = SG_END - SGO_max
    }
    if (N < 2 || SG_ALONE < 0.05 * pdl_max(SG_END, 1e-9)) { SG_ID = -1; SG_FAILED = 0 }

    DUR_MEAN = DUR_mean
    DUR_SUM  = DUR_sum
    W        = PDL_RANKED ? PDL_R * PDL_WR : pdl_max(META_W, int(WK_max) + 1)
    WALL     = META_WALL > 0 ? META_WALL : EN_max
    XMAX     = pdl_max(WALL, EN_max)
    XMAX     = XMAX > 0 ? XMAX : 1.0
    # The lower bound of any makespan on the workers that ran tasks (a
    # 5-task run at -w 8 ran 5): the task time spread evenly over them, or
    # the longest task if that is longer.
    W_RAN    = pdl_max(1, PDL_WRAN)
    LONGEST  = DUR_max
    IDEAL    = pdl_max(DUR_SUM / W_RAN, LONGEST)
    IDEAL_BY_LONGEST = LONGEST >= DUR_SUM / W_RAN
    UTIL     = DUR_SUM / (W * XMAX)          # busy fraction of W x makespan

    pdl_tasks_txt = (META_TASKS >= 0 && META_TASKS != N) ? sprintf("%d of %d tasks", N, META_TASKS) : sprintf("%d task%s", N, N == 1 ? "" : "s")
    pdl_who = PDL_RANKED ? sprintf("%d ranks × %d worker%s on %d host%s", PDL_R, PDL_WR, PDL_WR == 1 ? "" : "s", PDL_NH, PDL_NH == 1 ? "" : "s") : \
        sprintf("%d worker%s%s%s", W, W == 1 ? "" : "s", META_WASKED > W ? sprintf(" (%d asked)", META_WASKED) : "", \
            W_RAN < W ? sprintf(" (%d ran tasks)", W_RAN) : "")
    pdl_title = sprintf("pdl%s · %s · %s%s · makespan %s s · lower bound %s s", \
        MODE eq "" ? "" : " " . MODE, pdl_who, pdl_tasks_txt, \
        NFAIL > 0 ? sprintf(" (%d failed)", NFAIL) : "", fmt_s(WALL), fmt_s(IDEAL))
    pdl_subtitle = sprintf("lower bound = max(task time %s s ÷ %d worker%s that ran, longest task %s s) · busy %.0f%%%s%s%s · %s", \
        fmt_s(DUR_SUM), W_RAN, W_RAN == 1 ? "" : "s", fmt_s(LONGEST), 100 * UTIL, \
        PDL_RANKED && META_CLOCK_US >= 0 ? sprintf(" · clocks aligned to ±%.0f µs", META_CLOCK_US) : "", \
        STARTED ne "" ? " · started " . STARTED : "", HOST ne "" && !PDL_RANKED ? " on " . HOST : "", data)
} else {
    # nothing to plot: write a placeholder image and let the caller exit
    eval pdl_setterm(800, 200)
    set output out
    unset border; unset tics; unset key
    set label 1 sprintf("%s: no task rows", data) at graph 0.5, 0.5 center
    set xrange [0:1]; set yrange [0:1]
    plot NaN notitle
    unset output
    print sprintf("%s: warning: '%s' has no task rows; wrote placeholder %s", pdl_script, data, out)
}

# Using-spec for one phase segment of a task drawn as boxxyerror.
#   cond: when the segment exists; lo, hi: offsets from the task start;
#   y: the row expression; hh: half height of the bar.
pdl_seg(cond, lo, hi, y, hh) = sprintf("using ((%s) ? c_s(0)+(%s) : NaN):(%s):(c_s(0)+(%s)):(c_s(0)+(%s)):((%s)-(%s)):((%s)+(%s))", \
    cond, lo, y, lo, hi, y, hh, y, hh)

# The plot clauses for all phase segments, failures and the straggler outline.
# y: row expression ("c_id(0)" or "c_w(0)"), hh: half height expression,
# lwf: outline width for failures.
pdl_bars(y, hh, lwf) = \
    (n_retry > 0 ? sprintf("data every ::1 %s with boxxyerror fs transparent pattern 5 noborder lc rgb C_RETRY notitle, ", pdl_seg("e_att(0) > 0", "0", "e_att(0)", y, hh)) : "") . \
    (n_dns > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb C_DNS notitle, ", pdl_seg("c_dns0(0) > 0", "e_att(0)", "e_dns(0)", y, hh)) : "") . \
    (n_con > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb C_CON notitle, ", pdl_seg("c_con0(0) > 0", "e_dns(0)", "e_con(0)", y, hh)) : "") . \
    (n_tls > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb C_TLS notitle, ", pdl_seg("c_tls0(0) > 0", "e_con(0)", "e_tls(0)", y, hh)) : "") . \
    (n_tfb > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb C_WAIT notitle, ", pdl_seg("c_tfb0(0) > 0", "e_tls(0)", "e_tfb(0)", y, hh)) : "") . \
    (n_xfer > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb C_XFER notitle, ", pdl_seg("is_ok(0) || c_tfb0(0) > 0", "e_tfb(0)", "c_d(0)", y, hh)) : "") . \
    (n_norsp > 0 ? sprintf("data every ::1 %s with boxxyerror fs solid 1.0 noborder lc rgb '#FBE3E3' notitle, ", pdl_seg("!is_ok(0) && c_tfb0(0) <= 0", "e_tfb(0)", "c_d(0)", y, hh)) : "") . \
    (n_norsp > 0 ? sprintf("data every ::1 %s with boxxyerror fs transparent pattern 4 noborder lc rgb C_FAIL notitle, ", pdl_seg("!is_ok(0) && c_tfb0(0) <= 0", "e_tfb(0)", "c_d(0)", y, hh)) : "") . \
    sprintf("data every ::1 %s with boxxyerror fs empty lc rgb '#000000' lw %g notitle, ", pdl_seg("c_id(0) == SG_ID", "0", "c_d(0)", y, hh), lwf) . \
    (NFAIL > 0 ? sprintf("data every ::1 %s with boxxyerror fs empty lc rgb C_FAIL lw %g notitle, ", pdl_seg("!is_ok(0)", "0", "c_d(0)", y, hh), lwf) : "")

# ---- legend, drawn by hand (gnuplot's key gives every entry the same width) --
# Items: LGT text, LGK kind ("box" or "line"), LGS object/arrow style.
array LGT[16]; array LGK[16]; array LGS[16]
LGN = 0
pdl_lg_box  = 'LGN = LGN + 1; LGK[LGN] = "box"; '
pdl_lg_line = 'LGN = LGN + 1; LGK[LGN] = "line"; '
# Only what the chart shows: a phase no task went through has no entry.
if (!pdl_empty && n_dns > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "DNS"; LGS[LGN] = sprintf("fc rgb \"%s\" fs solid 1.0 noborder", C_DNS)'
}
if (!pdl_empty && n_con > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "connect"; LGS[LGN] = sprintf("fc rgb \"%s\" fs solid 1.0 noborder", C_CON)'
}
if (!pdl_empty && n_tls > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "TLS"; LGS[LGN] = sprintf("fc rgb \"%s\" fs solid 1.0 noborder", C_TLS)'
}
if (!pdl_empty && n_tfb > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "waiting for 1st byte"; LGS[LGN] = sprintf("fc rgb \"%s\" fs solid 1.0 noborder", C_WAIT)'
}
if (!pdl_empty && n_xfer > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "transfer"; LGS[LGN] = sprintf("fc rgb \"%s\" fs solid 1.0 noborder", C_XFER)'
}
if (!pdl_empty && n_retry > 0) {
    eval pdl_lg_box . 'LGT[LGN] = "earlier attempts + backoff"; LGS[LGN] = sprintf("fc rgb \"%s\" fs pattern 5 border lc rgb \"%s\"", C_RETRY, C_RETRY)'
}
if (!pdl_empty && NFAIL > 0) {
    eval pdl_lg_box . 'LGT[LGN] = sprintf("failed (%d)", NFAIL); LGS[LGN] = sprintf("fc rgb \"%s\" fs pattern 4 border lc rgb \"%s\" lw 1.5", C_FAIL, C_FAIL)'
}
if (!pdl_empty && SG_ID >= 0) {
    eval pdl_lg_box . 'LGT[LGN] = sprintf("straggler: task %d", SG_ID); LGS[LGN] = "fc rgb \"#FFFFFF\" fs empty border lc rgb \"#000000\" lw 1.5"'
}
if (exists("pdl_lanes") && !pdl_empty) {
    eval pdl_lg_box . 'LGT[LGN] = "idle"; LGS[LGN] = "fc rgb \"#E4E4E4\" fs solid 1.0 border lc rgb \"#BBBBBB\""'
}
eval pdl_lg_line . 'LGT[LGN] = "lower bound of the makespan"; LGS[LGN] = "nohead dt (5,3) lw 1.4 lc rgb \"#444444\""'

# Char width in pixels for the 9-point legend font (estimate, used for spacing).
PDL_CW = 7.0
# Draws the legend as objects/labels/arrows 101.. starting at pixel (LG_X, LG_Y)
# (from the top-left corner); needs sx(), sy() of the calling script.
pdl_lgw(i) = (LGK[i] eq "line" ? 7 : 0) + 20 + PDL_CW * strlen(LGT[i]) + 22
LG_WIDTH = 0
do for [i = 1:LGN] { LG_WIDTH = LG_WIDTH + pdl_lgw(i) }
PDL_LEGEND_CMD = 'pdl_x = LG_X; pdl_y = LG_Y; do for [i = 1:LGN] { ' . \
    'if (pdl_x > LG_X && pdl_x + pdl_lgw(i) - 22 > LG_XMAX) { pdl_x = LG_X; pdl_y = pdl_y + 18 }; ' . \
    'if (LGK[i] eq "box") { eval sprintf("set object %d rect from screen %f, screen %f to screen %f, screen %f front %s", 100 + i, sx(pdl_x), sy(pdl_y + 5), sx(pdl_x + 15), sy(pdl_y - 5), LGS[i]); pdl_t = pdl_x + 20 } ' . \
    'else { eval sprintf("set arrow %d from screen %f, screen %f to screen %f, screen %f front %s", 100 + i, sx(pdl_x), sy(pdl_y), sx(pdl_x + 22), sy(pdl_y), LGS[i]); pdl_t = pdl_x + 27 }; ' . \
    'set label 100 + i LGT[i] at screen sx(pdl_t), screen sy(pdl_y) left font ",9" textcolor rgb C_TEXT front; ' . \
    'pdl_x = pdl_x + pdl_lgw(i) }'
PDL_LEGEND_CLEAR = 'do for [i = 1:LGN] { unset object 100 + i; unset label 100 + i; unset arrow 100 + i }'

# ---- hover tooltips for an SVG (plots/tips.awk) -----------------------------
# After `unset output`, the calling script runs
#   eval pdl_tips(view, x0, x1, y0, h, r0, nr, hh, lb)
# with the pixel geometry of its bars (see tips.awk): a transparent rectangle
# with a <title> goes over each bar.  Up to PDL_TIPS_MAX tasks.
PDL_TIPS_MAX = 5000
pdl_ci = sprintf("%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d", CI_id, CI_worker, CI_start, CI_end, CI_status, \
    CI_dns, CI_connect, CI_tls, CI_ttfb, CI_http, CI_attempt_start, CI_url, CI_bytes, CI_attempts, CI_error, CI_rank)
pdl_tips_sh(view, x0, x1, y0, h, r0, nr, hh, lb) = sprintf("LC_ALL=C awk -F '\t' -v view=%s -v x0=%.3f -v x1=%.3f -v xhi=%.9g -v y0=%.3f -v h=%.3f -v r0=%.9g -v nr=%.9g -v hh=%.9g -v lb=%s -v ci=%s -f %s %s %s > %s.tips && mv -f %s.tips %s", \
    view, x0, x1, XHI, y0, h, r0, nr, hh, lb eq "" ? "''" : lb, pdl_ci, pdl_dq, pdl_q, pdl_oq, pdl_oq, pdl_oq, pdl_oq)
pdl_tips(view, x0, x1, y0, h, r0, nr, hh, lb) = (pdl_kind ne "svg" || N > PDL_TIPS_MAX) ? "" : \
    sprintf("pdl_tipsout = system(pdl_tips_sh('%s', %.3f, %.3f, %.3f, %.3f, %.9g, %.9g, %.9g, '%s')); if (GPVAL_SYSTEM_ERRNO != 0) { print sprintf('%%s: warning: no tooltips in %%s (awk failed)', pdl_script, out) }", \
        view, x0, x1, y0, h, r0, nr, hh, lb)
