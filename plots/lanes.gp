# plots/lanes.gp -- lane view of a pdl timeline (format "pdl-timeline" 1, 2 or 3).
#
#   gnuplot -e "data='run.tsv'; out='run-lanes.png'" plots/lanes.gp
#   gnuplot -e "data='run.tsv'" plots/lanes.gp          # writes run-lanes.png
#   gnuplot -c plots/lanes.gp run.tsv run-lanes.svg      # same, positional
#
# out's extension picks the terminal: .png pngcairo, .svg svg, .pdf pdfcairo.
# One lane per worker (w0 at the top); its tasks as boxes along time, split
# into the same curl phases as gantt.gp, thin white separators between
# back-to-back tasks, grey where the worker was idle, failed tasks outlined in
# red, the straggler outlined in black and marked with a triangle.  A side
# panel shows each worker's busy time as % of the makespan (load balance).
# An mpi run gets one lane per worker of every rank ("r1 w0"), the ranks of
# one host together under the host's name, a line between hosts and a dashed
# one between ranks.  The dashed line is the lower bound of the makespan,
# max(task time / workers that ran, longest task); in an SVG each box has a
# tooltip (plots/tips.awk).
# Needs gnuplot >= 5.4 and awk; loads common.gp from its own directory.
# Columns are looked up by name in the header line, metadata keys by name.

if (ARGC >= 1 && !exists("data")) { data = ARG1 }
if (ARGC >= 2 && !exists("out"))  { out = ARG2 }
pdl_script = ARG0
pdl_lanes = 1
pdl_out_suffix = "-lanes"
pdl_slash = 0
do for [pdl_i = 1:strlen(ARG0)] { if (ARG0[pdl_i:pdl_i] eq "/") { pdl_slash = pdl_i } }
load (pdl_slash > 0 ? ARG0[1:pdl_slash] : "./") . "common.gp"
if (pdl_empty) { exit }

# ---- per-worker totals (gnuplot arrays filled by a stats pass) ----------------
array BUSY[W]; array CNT[W]; array FCNT[W]
do for [w = 1:W] { BUSY[w] = 0; CNT[w] = 0; FCNT[w] = 0 }
stats data every ::1 using (pdl_w = int(c_w(0)) + 1, \
    BUSY[pdl_w] = BUSY[pdl_w] + c_d(0), CNT[pdl_w] = CNT[pdl_w] + 1, \
    FCNT[pdl_w] = FCNT[pdl_w] + (is_ok(0) ? 0 : 1), 0) nooutput
BUSY_MIN = 1e300; BUSY_MAX = 0
do for [w = 1:W] { BUSY_MIN = BUSY[w] < BUSY_MIN ? BUSY[w] : BUSY_MIN; BUSY_MAX = BUSY[w] > BUSY_MAX ? BUSY[w] : BUSY_MAX }

# label right of each busy bar (<= 40 workers): "97% · 12 tasks, 1 failed"
BTXT(i) = sprintf("%.0f%% · %d task%s%s", 100 * BUSY[i] / XMAX, CNT[i], CNT[i] == 1 ? "" : "s", FCNT[i] > 0 ? sprintf(", %d failed", FCNT[i]) : "")
BTXT_LEN = 0
do for [w = 1:W] { BTXT_LEN = pdl_max(BTXT_LEN, strlen(BTXT(w))) }

# longest host name (at most 16 characters are shown)
HOSTLEN = 0
if (PDL_RANKED) { do for [i = 1:PDL_NH] { HOSTLEN = pdl_max(HOSTLEN, strlen(PDL_HN[i])) } }
pdl_host_label(i) = strlen(PDL_HN[i]) > 16 ? PDL_HN[i][1:15] . "…" : PDL_HN[i]

# ---- geometry (pixels) ------------------------------------------------------
LABELLED = (W <= 40)                       # one y label per worker
PX_W   = 1200
PX_HL  = PDL_RANKED ? 7.0 * pdl_min(16, HOSTLEN) + 22 : 0   # host name column
PX_L   = (LABELLED ? (PDL_RANKED ? 56 : 62) : 80) + PX_HL
PX_BW  = 130                               # busy panel width
PX_BL  = PX_W - PX_BW - (LABELLED ? 16 + 7.0 * BTXT_LEN : 30)   # busy panel left edge
PX_R   = PX_BL - 26                        # right edge of the lanes
LG_X   = PX_L
LG_Y   = 58
LG_XMAX = PX_W - 22
LG_ROWS = (LG_WIDTH - 22 > LG_XMAX - LG_X) ? 2 : 1
PX_T   = LG_Y + 18 * LG_ROWS + 8
PX_H1  = LABELLED ? pdl_max(90, 30 * W) : pdl_min(900, pdl_max(400, 10 * W))
PX_B   = 58
PX_H   = PX_T + PX_H1 + PX_B
ROWPX  = PX_H1 * 1.0 / W
sx(px) = px * 1.0 / PX_W
sy(px) = 1.0 - px * 1.0 / PX_H

LH  = W <= 40 ? 0.36 : W <= 200 ? 0.42 : pdl_max(0.5, 0.55 / ROWPX)   # lane half height
LWF = ROWPX >= 8 ? 1.6 : 1.2
XHI = XMAX * 1.01
TASKPX = DUR_MEAN / XHI * (PX_R - PX_L)   # typical task width in pixels

eval pdl_setterm(PX_W, PX_H)
set output out

set multiplot
set tics textcolor rgb C_TEXT
set border 15 lc rgb "#999999"
unset key

# ---- lanes ------------------------------------------------------------------
set lmargin at screen sx(PX_L)
set rmargin at screen sx(PX_R)
set tmargin at screen sy(PX_T)
set bmargin at screen sy(PX_T + PX_H1)
set xrange [0 : XHI]
set yrange [W - 0.5 : -0.5]
set xtics out nomirror scale 0.6 format "%g" font ",10"
set mxtics
set grid xtics back lc rgb C_GRID lw 1 dt solid
set xlabel "seconds since start" textcolor rgb C_TEXT offset 0, 0.3
if (LABELLED) {
    pdl_yt = ""
    do for [w = 0:W-1] { pdl_yt = pdl_yt . sprintf("%s\"%s\" %d", w > 0 ? ", " : "", pdl_lane_name(w), w) }
    eval "set ytics out nomirror scale 0.5 font ',9' (" . pdl_yt . ")"
} else {
    set ytics out nomirror scale 0.5 font ",9" autofreq
    set ylabel (PDL_RANKED ? "lane (rank × worker)" : "worker") textcolor rgb C_TEXT offset 1, 0
}
# an mpi run: host names beside their lanes, lines between hosts and ranks
if (PDL_RANKED) {
    do for [i = 1:PDL_NH] {
        if (PDL_NH <= 40) {
            set label 300 + i pdl_host_label(i) at screen sx(10), first (PDL_HF[i] + (PDL_HC[i] - 1) / 2.0) left font ",9" textcolor rgb C_TEXT
        }
        if (i > 1) {
            set arrow 400 + i from screen sx(6), first (PDL_HF[i] - 0.5) to graph 1, first (PDL_HF[i] - 0.5) nohead lw 1.2 lc rgb "#555555" front
        }
    }
    if (PDL_R <= 200) {
        do for [k = 1:PDL_R - 1] {
            set arrow 600 + k from graph 0, first (k * PDL_WR - 0.5) to graph 1, first (k * PDL_WR - 0.5) nohead dt (3,3) lw 0.8 lc rgb "#888888" front
        }
    }
}

set label 91 pdl_title at screen 0.5, screen sy(16) center font ",13" textcolor rgb "#111111"
set label 92 pdl_subtitle at screen 0.5, screen sy(35) center font ",9" textcolor rgb C_SOFT
eval PDL_LEGEND_CMD

# idle background of every lane, from 0 to the makespan
do for [w = 0:W-1] {
    set object 1000 + w rect from 0, w - LH to WALL, w + LH fc rgb "#E4E4E4" fs solid 1.0 noborder back
}
set arrow 1 from IDEAL, graph 0 to IDEAL, graph 1 nohead dt (5,3) lw 1.5 lc rgb "#444444" front

# white separators between back-to-back tasks (only where tasks are wide enough)
pdl_sep = TASKPX >= 4 ? sprintf("data every ::1 using (c_s(0)):(c_w(0) - %g):(0):(%g) with vectors nohead lw 1 lc rgb '#FFFFFF' notitle, ", LH, 2 * LH) : ""
# straggler marker: a triangle above the end of its box
pdl_sgm = sprintf("data every ::1 using (c_id(0) == SG_ID ? c_e(0) : NaN):(c_w(0) - %g) with points pt 11 ps %g lc rgb '#000000' notitle, ", \
    LH + (ROWPX >= 20 ? 0.12 : 0.0), ROWPX >= 20 ? 1.1 : 0.8)
# a red dot on failed boxes that are too small for their outline to show
# (always when boxes are small, otherwise only on failed boxes under 4 px wide)
SPX = XHI / (PX_R - PX_L)                 # seconds per pixel
FD_ALL = (TASKPX < 6 || ROWPX < 8)
pdl_fd = NFAIL > 0 ? \
    "data every ::1 using (!is_ok(0) && (FD_ALL || c_d(0) < 4 * SPX) ? (c_s(0) + c_e(0)) / 2 : NaN):(c_w(0)) with points pt 7 ps 0.7 lc rgb C_FAIL notitle, " : ""

eval "plot " . pdl_bars("c_w(0)", sprintf("%g", LH), LWF) . pdl_sep . pdl_fd . pdl_sgm . "NaN notitle"

unset label 91
unset label 92
unset arrow 1
if (PDL_RANKED) {
    do for [i = 1:PDL_NH] { unset label 300 + i; unset arrow 400 + i }
    do for [k = 1:PDL_R] { unset arrow 600 + k }
}
eval PDL_LEGEND_CLEAR
do for [w = 0:W-1] { unset object 1000 + w }
unset ylabel

# ---- load balance: busy time per worker ------------------------------------------
set lmargin at screen sx(PX_BL)
set rmargin at screen sx(PX_BL + PX_BW)
set xrange [0 : 100]
set xtics 50 format "%g%%" font ",9"
set mxtics 2
unset ytics
set grid xtics
set xlabel "busy, % of makespan" textcolor rgb C_TEXT offset 0, 0.3
set style fill solid 1.0 noborder
BUSY_MEAN = 100 * DUR_SUM / W / XMAX
set arrow 2 from BUSY_MEAN, graph 0 to BUSY_MEAN, graph 1 nohead dt (2,2) lw 1.2 lc rgb "#000000" front
set label 95 sprintf("mean %.0f%%", BUSY_MEAN) at BUSY_MEAN, graph 1 center offset 0, 0.7 font ",8" textcolor rgb C_TEXT
if (!LABELLED) {
    set label 96 sprintf("min %.0f%%  max %.0f%%", 100 * BUSY_MIN / XMAX, 100 * BUSY_MAX / XMAX) at graph 1, graph 0.5 left offset 1, 0 rotate by 90 font ",8" textcolor rgb C_TEXT
}
set print $BUSYD
do for [w = 1:W] { print sprintf("%d\t%.9g", w - 1, 100 * BUSY[w] / XMAX) }
set print
pdl_bl = LABELLED ? ", $BUSYD using (100):1:(BTXT(int($1) + 1)) with labels left offset 0.8, 0 font ',9' tc rgb C_TEXT notitle" : ""
eval "plot $BUSYD using (0):1:(0):2:($1 - LH):($1 + LH) with boxxyerror lc rgb '#7A9CB8' notitle" . pdl_bl

unset multiplot
unset output
pdl_lb = ""
if (PDL_RANKED) { do for [r = 1:PDL_R] { pdl_lb = pdl_lb . sprintf("%s%d", r > 1 ? "," : "", PDL_LB[r]) } }
eval pdl_tips("lanes", PX_L, PX_R, PX_T, PX_H1, -0.5, W, LH, pdl_lb)
