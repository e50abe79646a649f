# plots/overview.gp -- a large pdl timeline, binned over time (gnuplot >= 5.4).
#
#   pdl chart --by overview run.tsv run.png          # pdl writes the bins
#   gnuplot -e "agg='run.png.data.gp'; out='run.png'" plots/overview.gp
#
# Above 2,000 tasks (task view) or 10,000 (worker view) one bar per task is
# no longer readable, and gnuplot would read the whole timeline a dozen
# times.  pdl reads the timeline once, streaming, and writes `agg`: a small
# gnuplot file of OV_* values and the datablocks $BINS (OV_NB time bins, one
# per 10 tasks from 50 to 1000:
# start, mean tasks in flight, ok and failed completions per second, MiB/s),
# $HEAT (busy fraction of each lane, or group of lanes, in up to 250 time
# bins, lanes grouped beyond 128),
# $ROWBUSY (busy share of each lane row) and $LAT (task durations, 20 bins
# per decade: from, to, ok, failed).  Four panels share nothing but the
# title: tasks in flight against the workers that ran, throughput, lane
# utilisation as a heat map, and the distribution of task durations with
# p50, p95, p99 and the longest.  The lower bound of the makespan,
# max(task time / workers, longest task), is the dashed line.
# out's extension picks the terminal: .png pngcairo, .svg svg, .pdf pdfcairo.

if (ARGC >= 1 && !exists("agg")) { agg = ARG1 }
if (ARGC >= 2 && !exists("out")) { out = ARG2 }
if (!exists("agg")) {
    exit error sprintf("no bins.  pdl writes them: pdl chart --by overview run.tsv run.png  (then: gnuplot -e \"agg='run.png.data.gp'; out='run.png'\" %s)", ARG0)
}
load agg
if (!exists("out")) { out = OV_DATA . ".png" }

set encoding utf8
pdl_n = strlen(out)
pdl_ext = pdl_n >= 4 ? out[pdl_n-3:pdl_n] : ""
pdl_kind = (pdl_ext eq ".svg" || pdl_ext eq ".SVG") ? "svg" : \
           (pdl_ext eq ".pdf" || pdl_ext eq ".PDF") ? "pdf" : "png"
pdl_has_cairo_png = strstrt(GPVAL_TERMINALS, " pngcairo ") > 0
pdl_setterm(w, h) = \
    pdl_kind eq "svg" ? sprintf("set terminal svg size %d,%d dynamic noenhanced font 'sans-serif,10' fontscale 1.33 background '#ffffff'", w, h) : \
    pdl_kind eq "pdf" ? sprintf("set terminal pdfcairo size %.3fin,%.3fin noenhanced font 'Sans,10' fontscale 0.55 linewidth 0.75 background '#ffffff'", w/120.0, h/120.0) : \
    pdl_has_cairo_png ? sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,10' background '#ffffff'", w, h) : \
                        sprintf("set terminal png size %d,%d truecolor noenhanced font 'Sans,10' background '#ffffff'", w, h)

# nothing ran (every task not-run or skipped): a placeholder, as common.gp
if (OV_RAN == 0) {
    eval pdl_setterm(800, 200)
    set output out
    unset border; unset tics; unset key
    set label 1 sprintf("%s: no task ran (%d rows)", OV_DATA, OV_N) at graph 0.5, 0.5 center
    set xrange [0:1]; set yrange [0:1]
    plot NaN notitle
    unset output
    exit
}
pdl_max(a, b) = a > b ? a : b
pdl_min(a, b) = a < b ? a : b
fmt_s(x) = x < 0.001 ? sprintf("%.0f µs", x * 1e6) : x < 1 ? sprintf("%.3g ms", x * 1000) : x < 10 ? sprintf("%.3f s", x) : x < 100 ? sprintf("%.2f s", x) : sprintf("%.1f s", x)
# 1234567 -> "1,234,567"
fmt_n(n) = (pdl_s = sprintf("%d", n), pdl_l = strlen(pdl_s), \
    pdl_l <= 3 ? pdl_s : pdl_l <= 6 ? pdl_s[1:pdl_l-3] . "," . pdl_s[pdl_l-2:pdl_l] : \
    pdl_s[1:pdl_l-6] . "," . pdl_s[pdl_l-5:pdl_l-3] . "," . pdl_s[pdl_l-2:pdl_l])
pdl_nice(x) = (pdl_e = 10 ** floor(log10(x)), x / pdl_e <= 1 ? pdl_e : x / pdl_e <= 2 ? 2 * pdl_e : x / pdl_e <= 5 ? 5 * pdl_e : 10 * pdl_e)

C_XFER = "#0072B2"; C_FILL = "#9CC9E8"; C_FAIL = "#D40000"; C_MIB = "#E69F00"
C_GRID = "#E3E3E3"; C_TEXT = "#333333"; C_SOFT = "#666666"

# ---- geometry (pixels) ------------------------------------------------------------
PX_W  = 1200
PX_L  = 84
PX_R  = 96
PX_TA = 78;              PX_HA = 190    # tasks in flight
PX_TB = PX_TA + PX_HA + 22; PX_HB = 150 # throughput
PX_TC = PX_TB + PX_HB + 22              # lane heat map
PX_HC = OV_HROWS <= 32 ? pdl_max(60, 12 * OV_HROWS) : pdl_min(260, pdl_max(90, 2 * OV_HROWS))
PX_TD = PX_TC + PX_HC + 78; PX_HD = 180 # durations
PX_H  = PX_TD + PX_HD + 52
sx(px) = px * 1.0 / PX_W
sy(px) = 1.0 - px * 1.0 / PX_H

XHI = OV_XMAX * 1.01
WALL = OV_XMAX
RANKED = OV_RANKS > 1
pdl_who = RANKED ? sprintf("%d ranks × %d workers", OV_RANKS, OV_WR) : \
    OV_META_W > OV_W ? sprintf("%d workers (%d ran tasks)", OV_META_W, OV_W) : sprintf("%d worker%s", OV_W, OV_W == 1 ? "" : "s")
pdl_tasks = (OV_META_TASKS >= 0 && OV_META_TASKS != OV_N) ? sprintf("%s of %s tasks", fmt_n(OV_N), fmt_n(OV_META_TASKS)) : sprintf("%s tasks", fmt_n(OV_N))
TITLE = sprintf("pdl%s · %s · %s%s · makespan %s · lower bound %s", OV_MODE eq "" ? "" : " " . OV_MODE, pdl_who, pdl_tasks, \
    OV_FAILED > 0 ? sprintf(" (%s failed)", fmt_n(OV_FAILED)) : "", fmt_s(WALL), fmt_s(OV_IDEAL))
SUBTITLE = sprintf("overview: %sbinned over time (%d bins of %s) · lower bound = max(task time %s ÷ %d workers that ran, longest task %s) · %s", \
    OV_N > 2000 ? "too many tasks for a bar each, so " : "", OV_NB, fmt_s(OV_BW), fmt_s(OV_BUSY), OV_W, fmt_s(OV_LONGEST), OV_DATA)

eval pdl_setterm(PX_W, PX_H)
set output out
set multiplot
set tics textcolor rgb C_TEXT
set border 3 lc rgb "#999999"
set label 91 TITLE at screen 0.5, screen sy(16) center font ",13" textcolor rgb "#111111"
set label 92 SUBTITLE at screen 0.5, screen sy(35) center font ",9" textcolor rgb C_SOFT
set lmargin at screen sx(PX_L)
set rmargin at screen sx(PX_W - PX_R)
set xrange [0 : XHI]
set xtics out nomirror scale 0.6 font ",10"
set mxtics
set ytics out nomirror scale 0.5 font ",9"
set grid xtics ytics back lc rgb C_GRID lw 1 dt solid
set key inside right top horizontal Left reverse samplen 1.6 width 1 font ",9" textcolor rgb C_TEXT opaque box lc rgb "#FFFFFF"
set style fill solid 1.0 noborder
IDEAL_ARROW = 'set arrow 1 from OV_IDEAL, graph 0 to OV_IDEAL, graph 1 nohead dt (5,3) lw 1.5 lc rgb "#444444" front'

# ---- (1) tasks in flight ------------------------------------------------------
set tmargin at screen sy(PX_TA)
set bmargin at screen sy(PX_TA + PX_HA)
YA = pdl_max(OV_W, OV_INF_MAX) * 1.35
set yrange [0 : YA]
set ytics pdl_max(1, pdl_nice(YA / 5.0))
set format x ""
set ylabel "in flight" textcolor rgb C_TEXT
set label 1 "tasks in flight (mean per bin)" at graph 0, graph 1 left offset 0, 0.8 font ",10" textcolor rgb "#111111"
eval IDEAL_ARROW
plot $BINS using 1:2 with filledcurves y1=0 fs solid 1.0 noborder lc rgb C_FILL notitle, \
     $BINS using 1:2 with lines lw 1.2 lc rgb C_XFER title sprintf("in flight (mean %.1f, busiest bin %.1f)", OV_BUSY / WALL, OV_INF_MAX), \
     OV_W with lines dt (4,3) lw 1.5 lc rgb "#000000" title sprintf("workers that ran = %d", OV_W), \
     NaN with lines dt (5,3) lw 1.5 lc rgb "#444444" title sprintf("lower bound %s", fmt_s(OV_IDEAL))
unset label 1
unset label 91
unset label 92

# ---- (2) throughput -------------------------------------------------------------------
set tmargin at screen sy(PX_TB)
set bmargin at screen sy(PX_TB + PX_HB)
YB = pdl_max(OV_TPS_MAX, 1) * 1.3
set yrange [0 : YB]
set ytics pdl_nice(YB / 5.0)
set format y "%g"
set ylabel "tasks/s" textcolor rgb C_TEXT
HAS_MIB = OV_BYTES > 0
if (HAS_MIB) {
    set y2range [0 : pdl_max(OV_MIBS_MAX, 1e-9) * 1.3]
    set y2tics out nomirror scale 0.5 font ",9" textcolor rgb C_MIB
    set y2label "MiB/s" textcolor rgb C_MIB
    set border 11 lc rgb "#999999"
}
set label 1 "throughput: tasks ending per second, and body bytes received" at graph 0, graph 1 left offset 0, 0.8 font ",10" textcolor rgb "#111111"
pdl_tp = "$BINS using 1:3 with lines lw 1.2 lc rgb C_XFER title 'ok tasks/s'" . \
    (OV_FAILED > 0 ? ", $BINS using 1:4 with lines lw 1.2 lc rgb C_FAIL title 'failed tasks/s'" : "") . \
    (HAS_MIB ? ", $BINS using 1:5 axes x1y2 with lines lw 1.2 lc rgb C_MIB title 'MiB/s (right)'" : "")
eval IDEAL_ARROW
eval "plot " . pdl_tp
unset label 1
unset y2tics
unset y2label
set border 3 lc rgb "#999999"

# ---- (3) lane utilisation -------------------------------------------------------------
set tmargin at screen sy(PX_TC)
set bmargin at screen sy(PX_TC + PX_HC)
set yrange [OV_HROWS - 0.5 : -0.5]
set format x "%g"
set xlabel "seconds since start" textcolor rgb C_TEXT offset 0, 0.4
set grid noytics
set border 15 lc rgb "#999999"
pdl_lane(r) = RANKED ? sprintf("r%d w%d", int(r * OV_GROUP / OV_WR), int(r * OV_GROUP) % OV_WR) : sprintf("w%d", int(r * OV_GROUP))
if (OV_HROWS <= 32) {
    pdl_yt = ""
    do for [r = 0:OV_HROWS-1] { pdl_yt = pdl_yt . sprintf("%s\"%s\" %d", r > 0 ? ", " : "", pdl_lane(r), r) }
    eval "set ytics out nomirror scale 0.5 font ',8' (" . pdl_yt . ")"
    unset ylabel
} else {
    set ytics out nomirror scale 0.5 font ",8" autofreq
    set format y "%.0f"
    set ylabel (OV_GROUP > 1 ? sprintf("lanes, %d per row", OV_GROUP) : (RANKED ? "lane (rank × worker)" : "worker")) textcolor rgb C_TEXT
}
set palette defined (0 "#FFFFFF", 0.25 "#C6DBEF", 0.6 "#4292C6", 1 "#08306B")
set cbrange [0 : 1]
set cbtics 0.5 out scale 0.5 font ",8" format "%.0f" textcolor rgb C_TEXT
set cbtics ("0%%" 0, "50%%" 0.5, "100%%" 1)
set colorbox vertical user origin screen sx(PX_W - PX_R + 14), screen sy(PX_TC + PX_HC) size screen sx(12), screen (PX_HC * 1.0 / PX_H) noborder
set label 1 sprintf("busy share of each %s over time (heat map, %d bins of %s) · %s lanes, %s", OV_GROUP > 1 ? "row of lanes" : "lane", OV_HB, fmt_s(OV_HBW), \
    fmt_n(OV_LANES), "idle is white") at graph 0, graph 1 left offset 0, 0.8 font ",10" textcolor rgb "#111111"
eval IDEAL_ARROW
plot $HEAT matrix using (($1 + 0.5) * OV_HBW):2:3 with image notitle
unset label 1
unset colorbox
unset xlabel
unset ylabel
unset arrow 1

# ---- (4) task durations ------------------------------------------------------------
set autoscale xy
unset logscale
stats $LAT using 1 nooutput name "LL"
stats $LAT using 2 nooutput name "LH"
stats $LAT using ($3 + $4) nooutput name "LC"
set tmargin at screen sy(PX_TD)
set bmargin at screen sy(PX_TD + PX_HD)
# log time axis when the durations span more than a decade and a half
LOGLAT = LH_max > 30 * LL_min
if (LOGLAT) { set logscale x 10 }
set logscale y 10
set xrange [LL_min : LH_max]
set yrange [0.8 : pdl_max(LC_max, 1) * 3]
set xtics out nomirror scale 0.6 font ",9" autofreq
set format x "%g"
set ytics out nomirror scale 0.5 font ",9" autofreq
set format y "%g"
set grid xtics ytics
set border 3 lc rgb "#999999"
set xlabel "task duration (s)" textcolor rgb C_TEXT offset 0, 0.4
set ylabel "tasks (log)" textcolor rgb C_TEXT
set label 1 sprintf("task durations (20 bins per decade)%s", LOGLAT ? "" : " · linear time axis") at graph 0, graph 1 left offset 0, 0.8 font ",10" textcolor rgb "#111111"
array PV[4] = [OV_P50, OV_P95, OV_P99, OV_LONGEST]
array PN[4] = ["p50", "p95", "p99", "longest"]
do for [i = 1:4] {
    set arrow 10 + i from PV[i], graph 0 to PV[i], graph 1 nohead dt (3,3) lw 1.2 lc rgb "#000000" front
    pdl_right = LOGLAT ? PV[i] > LL_min * (LH_max / LL_min) ** 0.85 : PV[i] > LL_min + 0.85 * (LH_max - LL_min)
    set label 10 + i sprintf("%s %s", PN[i], fmt_s(PV[i])) at PV[i], graph 1 offset (pdl_right ? -0.3 : 0.3), -0.6 - 0.9 * (i - 1) font ",8" textcolor rgb "#000000" front
    if (pdl_right) { set label 10 + i right } else { set label 10 + i left }
}
plot $LAT using (sqrt($1 * $2)):($3 + $4):1:2:(0.8):($3 + $4) with boxxyerror fs solid 1.0 noborder lc rgb C_XFER title "ok", \
     $LAT using (sqrt($1 * $2)):($4 > 0 ? $4 : NaN):1:2:(0.8):4 with boxxyerror fs solid 1.0 noborder lc rgb C_FAIL title (OV_FAILED > 0 ? "failed" : "")
unset multiplot
unset output
