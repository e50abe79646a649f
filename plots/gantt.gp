# plots/gantt.gp -- Gantt chart of a pdl timeline (format "pdl-timeline" 1 to 4).
#
#   gnuplot -e "data='run.tsv'; out='run.png'" plots/gantt.gp
#   gnuplot -e "data='run.tsv'" plots/gantt.gp          # writes run.png
#   gnuplot -c plots/gantt.gp run.tsv run.svg            # same, positional
#
# out's extension picks the terminal: .png pngcairo, .svg svg, .pdf pdfcairo.
# Top panel: one bar per task (task 0 at the top), split into the curl phases
# DNS / connect / TLS / waiting for the first byte / transfer; failed tasks
# are outlined in red (hatched where no response arrived); the straggler
# (largest end) is outlined in black and labelled.  A thin strip left of the
# bars shows the worker that ran each task.  Bottom panel: tasks in flight
# over time against the worker count, so idle workers show up as grey.
# The dashed line is the lower bound of any makespan on the workers that ran
# tasks: max(task time / workers, longest task).  Up to 40 tasks, each row is
# labelled "id · worker  URL" (the URL in short, its host above the labels
# when all share one).  In an SVG each bar carries a tooltip (plots/tips.awk):
# URL, worker, phases, bytes, status and attempts.
# Needs gnuplot >= 5.4, awk and sort; loads common.gp from its own directory.
# Columns are looked up by name in the header line, metadata keys by name.

if (ARGC >= 1 && !exists("data")) { data = ARG1 }
if (ARGC >= 2 && !exists("out"))  { out = ARG2 }
pdl_script = ARG0
pdl_slash = 0
do for [pdl_i = 1:strlen(ARG0)] { if (ARG0[pdl_i:pdl_i] eq "/") { pdl_slash = pdl_i } }
load (pdl_slash > 0 ? ARG0[1:pdl_slash] : "./") . "common.gp"
if (pdl_empty) { exit }

# ---- geometry (pixels) ------------------------------------------------------
LABELLED = (N <= 40)                       # one y label per task
WK_N = int(WK_max) + 1                     # workers (lanes) in the strip's legend
# labelled rows: "3 · w1  /delay/300", the URL in short
LBL_LEN = 8
if (LABELLED && CI_url > 0) {
    stats data every ::1 using (strlen(sprintf("%d · w%d  %s", c_id(0), c_w(0), pdl_short(c_url(0))))) name "LBL" nooutput
    LBL_LEN = LBL_max
}
PX_W   = 1200
PX_H1  = LABELLED ? pdl_max(130, 20 * N) : pdl_min(760, pdl_max(480, 14 * N))
ROWPX  = PX_H1 * 1.0 / (ID_max - ID_min + 1)   # pixels per task row
STRIP  = ROWPX >= 1.5                      # worker strip readable?
PX_SL  = LABELLED ? pdl_max(84, 7.0 * LBL_LEN + 16) : 80   # left edge of the worker strip
PX_SW  = STRIP ? 9 : 0                     # worker strip width
PX_L   = PX_SL + PX_SW + 6                 # left edge of the plots
PX_R   = 22
LG_X   = PX_L
LG_Y   = 58
LG_XMAX = PX_W - PX_R
LG_ROWS = (LG_WIDTH - 22 > LG_XMAX - LG_X) ? 2 : 1
PX_WK  = LG_Y + 18 * LG_ROWS + 4           # worker legend row
PX_T   = (WK_N > 1 && STRIP ? PX_WK + 16 : PX_WK)   # top of the Gantt panel
PX_GAP = 14
PX_H2  = 150
PX_B   = 58
PX_H   = PX_T + PX_H1 + PX_GAP + PX_H2 + PX_B
sx(px) = px * 1.0 / PX_W                   # pixel from the left -> screen
sy(px) = 1.0 - px * 1.0 / PX_H             # pixel from the top -> screen

# bar half height in rows: gaps between bars while rows are tall, then solid
# rows, and at least ~1.1 px per bar once rows get thinner than a pixel
# (sub-pixel boxes would only be drawn as a faint anti-aliased haze).
BH  = N <= 100 ? 0.36 : N <= 400 ? 0.45 : pdl_max(0.5, 0.55 / ROWPX)
LWF = N <= 400 ? 1.6 : 1.2                          # outline width
XHI = XMAX * 1.01
NB  = PX_W - PX_L - PX_R                            # ~1 bin per pixel

# ---- tasks in flight -------------------------------------------------------------
# awk: +1 at each start, -1 at each end, sorted by time (ends first on ties),
# then the mean number in flight over ~1-pixel bins, drawn as steps: steps
# longer than a pixel come out exact, and the many sub-millisecond gaps
# between back-to-back tasks do not turn into a comb of 1-pixel spikes.
# With -e "inflight_exact=1" the raw step series is drawn instead (one point
# per distinct time).  The last line "#max M" carries the true maximum.
pdl_events = sprintf("LC_ALL=C awk -F '\t' -v s=%d -v e=%d '/^#/ || NF == 0 { next } h { print $s, 1; print $e, -1 } { h = 1 }' ", CI_start, CI_end) . pdl_q . \
    " | LC_ALL=C sort -k1,1g -k2,2n"
pdl_binner = sprintf("LC_ALL=C awk -v exact=%d -v nb=%d -v bw=%.9g '", exists("inflight_exact") ? inflight_exact : 0, NB, XHI / NB) . \
    "function add(t,  b, e) { while (lt < t) { b = int(lt / bw); e = (b + 1) * bw; if (e <= lt) { b++; e = (b + 1) * bw } " . \
    "if (e > t) e = t; acc[b] += c * (e - lt); lt = e } } " . \
    "BEGIN { if (exact) print 0, 0 } " . \
    "exact { if (NR > 1 && $1 != t) print t, c; t = $1 } " . \
    "!exact { add($1 + 0) } " . \
    "{ c += $2; if (c > mx) mx = c } " . \
    "END { if (exact) print t, c; else { add(nb * bw); for (b = 0; b < nb; b++) { v = sprintf(\"%.4g\", acc[b] / bw); if (b == 0 || v != pv) print b * bw, v; pv = v } print nb * bw, 0 }; print \"#max\", mx + 0 }'"
set datafile separator whitespace
set table $INF
plot "< " . pdl_events . " | " . pdl_binner using 1:2 with table
unset table
INF_MAX = int(system(pdl_events . " | " . pdl_binner . " | tail -n 1 | awk '{ print $2 }'"))
set datafile separator "\t"

eval pdl_setterm(PX_W, PX_H)
set output out

set multiplot
set style textbox opaque noborder margins 2, 1
set tics textcolor rgb C_TEXT
set border lc rgb "#999999"

# ---- worker strip (left of the bars; carries the y axis) ---------------------
set lmargin at screen sx(PX_SL)
set rmargin at screen sx(PX_SL + PX_SW)
set tmargin at screen sy(PX_T)
set bmargin at screen sy(PX_T + PX_H1)
set xrange [0:1]
set yrange [ID_max + 0.5 : ID_min - 0.5]
unset xtics
unset border
unset key
set ytics out nomirror scale 0.5 textcolor rgb C_TEXT
if (LABELLED) {
    set ytics font ",9"
} else {
    set ytics autofreq font ",9"
    set ylabel "task" offset 1, 0 textcolor rgb C_TEXT
}
unset colorbox
set style fill solid 1.0 noborder
if (WK_N > 1 && STRIP) {
    set label 90 "worker:" at screen sx(PX_L), screen sy(PX_WK) left font ",9" textcolor rgb C_TEXT
}
if (WK_N > 9 && STRIP) {
    set cbrange [-0.5 : WK_N - 0.5]
    set colorbox horizontal user origin screen sx(PX_L + 82), screen sy(PX_WK + 5) size screen sx(240), screen (10.0 / PX_H) noborder
    unset cbtics
    set label 93 "w0" at screen sx(PX_L + 60), screen sy(PX_WK) left font ",9" textcolor rgb C_TEXT
    set label 94 sprintf("w%d", WK_N - 1) at screen sx(PX_L + 328), screen sy(PX_WK) left font ",9" textcolor rgb C_TEXT
}
if (WK_N > 1 && WK_N <= 9 && STRIP) {
    do for [w = 0:WK_N-1] {
        set object 200 + w rect from screen sx(PX_L + 60 + 50 * w), screen sy(PX_WK + 5) to screen sx(PX_L + 75 + 50 * w), screen sy(PX_WK - 5) fc rgb wcol(w) fs solid 1.0 noborder
        set label 200 + w sprintf("w%d", w) at screen sx(PX_L + 80 + 50 * w), screen sy(PX_WK) left font ",9" textcolor rgb C_TEXT
    }
}
if (LABELLED && PDL_URLHOSTS == 1) {
    set label 89 PDL_URLHOST at screen sx(PX_SL - 6), screen sy(PX_T - 5) right font ",8" textcolor rgb C_SOFT
}
SBH = BH > 0.45 ? 0.5 : BH
pdl_sidebar = sprintf("data every ::1 using (0.5):(c_id(0)):(0):(1):(c_id(0)-%g):(c_id(0)+%g):%s%s with boxxyerror %s notitle", \
    SBH, SBH, \
    WK_N > 9 ? "(c_w(0))" : "(wcol(c_w(0)))", \
    LABELLED ? ":ytic(sprintf('%d · w%d  %s', c_id(0), c_w(0), pdl_short(c_url(0))))" : "", \
    WK_N > 9 ? "lc palette" : "lc rgb variable")
if (STRIP) {
    eval "plot " . pdl_sidebar
    unset label 89; unset label 90; unset label 93; unset label 94
    do for [w = 0:8] { unset object 200 + w; unset label 200 + w }
    unset colorbox
    unset ylabel
    unset ytics
}
# (no strip: rows are thinner than 1.5 px, so the Gantt panel keeps the task
# id axis itself; which worker ran what is then the lane view's job)

# ---- Gantt bars ---------------------------------------------------------------
set lmargin at screen sx(PX_L)
set rmargin at screen sx(PX_W - PX_R)
set xrange [0 : XHI]
set border 15 lc rgb "#999999"
set xtics out nomirror scale 0.6 format ""
set mxtics
set grid xtics back lc rgb C_GRID lw 1 dt solid

set label 91 pdl_title at screen 0.5, screen sy(16) center font ",13" textcolor rgb "#111111"
set label 92 pdl_subtitle at screen 0.5, screen sy(35) center font ",9" textcolor rgb C_SOFT
eval PDL_LEGEND_CMD

# the lower bound of the makespan
set arrow 1 from IDEAL, graph 0 to IDEAL, graph 1 nohead dt (5,3) lw 1.5 lc rgb "#444444" front

# straggler label: left of its bar if there is room, else right, else inside;
# kept ~9 px inside the panel vertically.
SG_K = pdl_max(0, 9.0 / ROWPX - 0.5)
SG_Y = SG_ID < ID_min + SG_K ? ID_min + SG_K : SG_ID > ID_max - SG_K ? ID_max - SG_K : SG_ID
SG_FMT = "sprintf('straggler: task %d · w%d · %s s%s', c_id(0), c_w(0), fmt_s(c_d(0)), is_ok(0) ? '' : ' · ' . c_st(0))"
if (SG_START >= 0.30 * XMAX) {
    pdl_sg = sprintf("data every ::1 using (c_id(0) == SG_ID ? c_s(0) - 0.006 * XMAX : NaN):(SG_Y):(%s . '  ▶') with labels right font ',9' tc rgb '#000000' notitle, ", SG_FMT)
} else {
    if (SG_END <= 0.65 * XMAX) {
        pdl_sg = sprintf("data every ::1 using (c_id(0) == SG_ID ? c_e(0) + 0.006 * XMAX : NaN):(SG_Y):('◀  ' . %s) with labels left font ',9' tc rgb '#000000' notitle, ", SG_FMT)
    } else {
        pdl_sg = sprintf("data every ::1 using (c_id(0) == SG_ID ? (c_s(0) + c_e(0)) / 2 : NaN):(SG_Y):(%s) with labels center boxed font ',9' tc rgb '#000000' notitle, ", SG_FMT)
    }
}

# status text next to failed bars (small runs only; the straggler has its own)
FAILTXT = "(c_st(0) . (c_http(0) > 0 ? sprintf(' %d', c_http(0)) : ''))"
pdl_ft = ""
# (only if a failed task other than the straggler exists: gnuplot 5.4.4
# crashes on a labels plot of a one-row file whose only point is skipped)
if (N <= 60 && NFAIL > SG_FAILED) {
    pdl_ft = sprintf("data every ::1 using (!is_ok(0) && c_id(0) != SG_ID && c_e(0) <= 0.85 * XMAX ? c_e(0) + 0.006 * XMAX : NaN):(c_id(0)):%s with labels left font ',9' tc rgb C_FAIL notitle, ", FAILTXT) . \
             sprintf("data every ::1 using (!is_ok(0) && c_id(0) != SG_ID && c_e(0) > 0.85 * XMAX ? c_s(0) - 0.006 * XMAX : NaN):(c_id(0)):%s with labels right font ',9' tc rgb C_FAIL notitle, ", FAILTXT)
}

# more than 60 tasks: a red dot on failed bars whose outline alone gets lost
# (all of them beyond 400 tasks, else those under 4 px wide)
SPX = XHI / (PX_W - PX_L - PX_R)           # seconds per pixel
if (N > 60 && NFAIL > 0) {
    pdl_ft = "data every ::1 using (!is_ok(0) && (N > 400 || c_d(0) < 4 * SPX) ? (c_s(0) + c_e(0)) / 2 : NaN):(c_id(0)) with points pt 7 ps 0.8 lc rgb C_FAIL notitle, "
}

eval "plot " . pdl_bars("c_id(0)", sprintf("%g", BH), LWF) . pdl_ft . pdl_sg . "NaN notitle"

unset label 91
unset label 92
unset arrow 1
unset ylabel
eval PDL_LEGEND_CLEAR

# ---- tasks in flight ------------------------------------------------------------
YMAX2 = pdl_max(W, INF_MAX) * 1.5
set tmargin at screen sy(PX_T + PX_H1 + PX_GAP)
set bmargin at screen sy(PX_H - PX_B)
set yrange [0 : YMAX2]
set ytics out nomirror scale 0.5 font ",9"
pdl_nice(x) = (pdl_e = 10 ** floor(log10(x)), x / pdl_e <= 1 ? pdl_e : x / pdl_e <= 2 ? 2 * pdl_e : x / pdl_e <= 5 ? 5 * pdl_e : 10 * pdl_e)
set ytics pdl_max(1, pdl_nice(YMAX2 / 5.0))
set format y "%.0f"
set mytics
set xtics out nomirror scale 0.6 format "%g" font ",10"
set mxtics
set grid xtics ytics back lc rgb C_GRID lw 1 dt solid
set xlabel "seconds since start" textcolor rgb C_TEXT offset 0, 0.3
set ylabel "in flight" textcolor rgb C_TEXT
set key inside left top horizontal Left reverse samplen 1.6 width 1 font ",9" textcolor rgb C_TEXT opaque box lc rgb "#FFFFFF"

set object 1 rect from 0, 0 to WALL, W fc rgb "#D9D9D9" fs solid 1.0 noborder back
set arrow 1 from IDEAL, graph 0 to IDEAL, graph 1 nohead dt (5,3) lw 1.5 lc rgb "#444444" front

plot NaN with boxes fs solid 1.0 noborder lc rgb "#D9D9D9" title sprintf("idle capacity (%.0f%%)", 100 * (1 - UTIL)), \
     $INF using 1:2 with fillsteps fs solid 1.0 noborder lc rgb "#9CC9E8" notitle, \
     $INF using 1:2 with steps lw 1.2 lc rgb C_XFER title sprintf("tasks in flight (mean %.2f, max %d)", DUR_SUM / XMAX, INF_MAX), \
     W with lines dt (4,3) lw 1.5 lc rgb "#000000" title sprintf("workers = %d", W)

unset multiplot
unset output
eval pdl_tips("gantt", PX_L, PX_W - PX_R, PX_T, PX_H1, ID_min - 0.5, ID_max - ID_min + 1, BH, "")
