# plots/predict.gp -- the chart of `pdl predict` (data format "pdl-predict 1").
#
#   gnuplot -e "data='p.predict.tsv'; out='p.png'" plots/predict.gp
#   gnuplot -c plots/predict.gp p.predict.tsv p.svg             # same, positional
#
# pdl predict --chart p.png writes p.predict.tsv beside the chart: a metadata
# line (mode, measured_workers, measured_wall, gantt_workers, ...), the
# timeline's path on a "# timeline<TAB>PATH" line, one block per schedule of
# (workers, makespan, bound), then the predicted Gantt (id, worker, start,
# end, setup), and with --compare the compared runs (workers, makespan,
# schedule), blocks separated by two blank lines.  Drawn:
#   (1) predicted makespan against W, one line per schedule, the lower bound
#       max(task time / W, longest task) dashed, the measured run as a point,
#       the runs of a pdl compare summary as open circles;
#   (2) the measured run's lanes (from its timeline) and the predicted lanes
#       of one configuration under them, on the same time axis; a bar per
#       task coloured by worker, predicted connection set-up in orange, a
#       dashed line at each makespan;
#   (3) tasks in flight over time, measured and predicted (steps).  Not drawn (lanes=0) above 10,000
#       tasks, the limit of pdl chart's worker view.
# Needs gnuplot >= 5.4 and awk; loads common.gp from its own directory (on
# the measured timeline: terminal, colours, column accessors).

if (ARGC >= 1 && !exists("data")) { data = ARG1 }
if (ARGC >= 2 && !exists("out")) { out = ARG2 }
if (!exists("data")) {
    exit error sprintf("no data file.  usage: gnuplot -e \"data='p.predict.tsv'; out='p.png'\" %s", ARG0)
}
prd_script = ARG0
pred = data

prd_q = "'"
do for [prd_i = 1:strlen(pred)] {
    prd_c = pred[prd_i:prd_i]
    prd_q = prd_q . (prd_c eq "'" ? "'\\''" : prd_c)
}
prd_q = prd_q . "'"
if (system("test -r " . prd_q . " && echo y") ne "y") {
    exit error sprintf("%s: cannot read data file '%s'", prd_script, pred)
}
prd_tag = system("LC_ALL=C awk 'NR == 1 { print substr($0, 1, 40) } { exit }' " . prd_q)
if (prd_tag ne "# pdl-predict 1") {
    print sprintf("%s: warning: '%s' does not start with '# pdl-predict 1' (first line: '%s'); trying anyway", prd_script, pred, prd_tag)
}
prd_meta(k) = system(sprintf("LC_ALL=C awk -v k=%s 'NR == 2 { for (i = 2; i <= NF; i++) { p = index($i, \"=\"); if (p > 1 && substr($i, 1, p - 1) == k) { print substr($i, p + 1); exit } } exit }' %s", k, prd_q))
P_MODE  = prd_meta("mode")
P_MW    = prd_meta("measured_workers") + 0
P_MWALL = prd_meta("measured_wall") + 0.0
P_NS    = prd_meta("schedules") + 0
P_GW    = prd_meta("gantt_workers") + 0
P_GS    = prd_meta("gantt_schedule")
P_GK    = prd_meta("gantt_makespan") + 0.0
P_GB    = prd_meta("gantt_bound") + 0.0
P_TASKS = prd_meta("tasks") + 0
P_LANES = prd_meta("lanes") eq "0" ? 0 : 1
# pdl predict --compare: the compared runs, a block after the Gantt's.
P_NC    = prd_meta("compare") + 0
P_TL    = system("LC_ALL=C awk -F '\t' '$1 == \"# timeline\" { print $2; exit }' " . prd_q)
array P_SNAME[2]
do for [s = 1:P_NS] {
    P_SNAME[s] = system(sprintf("LC_ALL=C awk 'BEGIN { n = 0 } /^# (dynamic|static)$/ { if (++n == %d) { print $2; exit } }' %s", s, prd_q))
}
if (!exists("out")) {
    prd_n = strlen(pred)
    out = ((prd_n > 4 && pred[prd_n-3:prd_n] eq ".tsv") ? pred[1:prd_n-4] : pred) . ".png"
}
if (P_TL eq "") {
    exit error sprintf("%s: '%s' names no timeline", prd_script, pred)
}

# common.gp reads the measured timeline.
data = P_TL
pdl_script = prd_script
prd_slash = 0
do for [prd_i = 1:strlen(ARG0)] { if (ARG0[prd_i:prd_i] eq "/") { prd_slash = prd_i } }
load (prd_slash > 0 ? ARG0[1:prd_slash] : "./") . "common.gp"
if (pdl_empty) { exit }

# ---- the predictions' range ----------------------------------------------------
P_WMIN = 1e9; P_WMAX = 0; P_KMAX = P_MWALL
do for [s = 0:P_NS - 1] {
    stats pred index s every ::1 using 1:2 nooutput name "PS"
    P_WMIN = pdl_min(P_WMIN, PS_min_x); P_WMAX = pdl_max(P_WMAX, PS_max_x)
    P_KMAX = pdl_max(P_KMAX, PS_max_y)
}
P_WMIN = pdl_min(P_WMIN, P_MW); P_WMAX = pdl_max(P_WMAX, P_MW)
if (P_NC > 0) {
    stats pred index (P_NS + 1) every ::1 using 1:2 nooutput name "PC"
    P_WMIN = pdl_min(P_WMIN, PC_min_x); P_WMAX = pdl_max(P_WMAX, PC_max_x)
    P_KMAX = pdl_max(P_KMAX, PC_max_y)
}
$PRD_NONE << EOD
NaN	NaN
EOD
P_CMP = P_NC > 0 ? sprintf("pred index %d every ::1", P_NS + 1) : "$PRD_NONE"
P_GLANES = 1
if (P_LANES) {
    stats pred index P_NS every ::1 using 2 nooutput name "PG"
    P_GLANES = int(PG_max) + 1
}
P_XMAX = pdl_max(P_MWALL, P_GK)
P_XMAX = P_XMAX > 0 ? P_XMAX * 1.02 : 1
P_LOGX = P_WMAX >= 4 * P_WMIN

# ---- geometry (pixels) -----------------------------------------------------------
PX_W = 1100; PX_L = 78; PX_R = 24
PX_T1 = 84; PX_H1 = 300
prd_lane(n) = pdl_min(22, pdl_max(3, 260.0 / n))
PX_T2 = PX_T1 + PX_H1 + 90
PX_H2 = pdl_max(40, prd_lane(W) * W)
PX_T3 = PX_T2 + PX_H2 + 60
PX_H3 = pdl_max(40, prd_lane(P_GLANES) * P_GLANES)
PX_T4 = PX_T3 + PX_H3 + 60
PX_H4 = 120
PX_H = P_LANES ? PX_T4 + PX_H4 + 50 : PX_T1 + PX_H1 + 70
sx(px) = px * 1.0 / PX_W
sy(px) = 1.0 - px * 1.0 / PX_H

eval pdl_setterm(PX_W, PX_H)
set output out
set multiplot
set tics textcolor rgb C_TEXT
set border 3 lc rgb "#999999"
set grid back lc rgb C_GRID lw 1 dt solid
set label 91 sprintf("pdl predict · %d tasks recorded by %s with %d worker%s (makespan %s s) · replayed for other configurations", \
    P_TASKS, P_MODE, P_MW, P_MW == 1 ? "" : "s", fmt_s(P_MWALL)) at screen 0.5, screen sy(18) center font ",13" textcolor rgb "#111111"
set label 92 sprintf("a simulation of the scheduler, per-host cap, rate and kept-alive connections on the recorded task times · lower bound = max(task time / W, longest task) · %s", pred) \
    at screen 0.5, screen sy(38) center font ",9" textcolor rgb C_SOFT

# ---- (1) makespan against workers ------------------------------------------------
set lmargin at screen sx(PX_L)
set rmargin at screen sx(PX_W - PX_R)
set tmargin at screen sy(PX_T1)
set bmargin at screen sy(PX_T1 + PX_H1)
set xtics out nomirror scale 0.6 font ",10"
if (P_LOGX) {
    set logscale x 2
    set xrange [P_WMIN / 1.3 : P_WMAX * 1.3]
} else {
    set xrange [P_WMIN - 0.6 : P_WMAX + 0.6]
}
set xlabel "workers (W)" textcolor rgb C_TEXT offset 0, 0.4
set ytics out nomirror scale 0.6 font ",10"
set yrange [0 : P_KMAX * 1.25]
set ylabel "makespan (s)" textcolor rgb C_TEXT
set key top right Left reverse samplen 2 spacing 1.1 font ",9" textcolor rgb C_TEXT opaque box lc rgb "#DDDDDD"
array P_COL[2] = [0x0072B2, 0xE69F00]
set print $MEAS
print sprintf("%d\t%.9g", P_MW, P_MWALL)
set print
set label 1 "predicted makespan" at graph 0, graph 1 left offset 0, 1.1 font ",11" textcolor rgb "#111111"
plot pred index 0 every ::1 using 1:3 with lines dt (8, 5) lw 1.5 lc rgb "#444444" title "lower bound: max(task time / W, longest task)", \
     for [s = 1:P_NS] pred index (s - 1) every ::1 using 1:2 with linespoints lw 2.5 pt 7 ps 1.2 lc rgb P_COL[s] title "predicted, " . P_SNAME[s], \
     $MEAS using 1:2 with points pt 12 ps 2.6 lw 2.5 lc rgb "#000000" title sprintf("measured: %s, %d worker%s", P_MODE, P_MW, P_MW == 1 ? "" : "s"), \
     @P_CMP using 1:2 with points pt 6 ps 1.4 lw 1.5 lc rgb "#000000" title (P_NC > 0 ? sprintf("measured by pdl compare (%d run%s)", P_NC, P_NC == 1 ? "" : "s") : "")
unset label 1
unset logscale x
unset key

# ---- (2) measured and predicted lanes on one time axis ---------------------------
# (not above pdl chart's limit of the worker view: lanes=0 in the data)
if (!P_LANES) {
    unset multiplot
    unset output
    exit
}
set xrange [0 : P_XMAX]
set xtics autofreq
set mxtics
set grid xtics noytics
set xlabel "seconds from the run's start" textcolor rgb C_TEXT offset 0, 0.4
set ylabel "worker" textcolor rgb C_TEXT
set border 15 lc rgb "#999999"
set ytics out nomirror scale 0.6 font ",8"
set tmargin at screen sy(PX_T2)
set bmargin at screen sy(PX_T2 + PX_H2)
set yrange [W - 0.5 : -0.5]
set ytics 0, (W > 16 ? pdl_max(1, int(W / 8)) : 1)
set label 2 sprintf("measured: %s, %d worker%s, makespan %s s", P_MODE, W, W == 1 ? "" : "s", fmt_s(P_MWALL)) \
    at screen sx(PX_L), screen sy(PX_T2 - 10) left font ",11" textcolor rgb "#111111"
unset xlabel
set arrow 2 from first P_MWALL, graph 0 to first P_MWALL, graph 1 nohead dt (5, 3) lw 1.2 lc rgb "#444444" front
plot data every ::1 using ((c_s(0) + c_e(0)) / 2):(c_w(0)):(c_s(0)):(c_e(0)):(c_w(0) - 0.4):(c_w(0) + 0.4):(wcol(c_w(0))) \
        with boxxyerror fs solid 0.85 border lc rgb "#FFFFFF" lw 0.6 lc rgb variable notitle
unset label 2
unset arrow 2

set tmargin at screen sy(PX_T3)
set bmargin at screen sy(PX_T3 + PX_H3)
set yrange [P_GLANES - 0.5 : -0.5]
set ytics 0, (P_GLANES > 16 ? pdl_max(1, int(P_GLANES / 8)) : 1)
set label 3 sprintf("predicted: %d worker%s, %s, makespan %s s (lower bound %s s); connection set-up in orange", \
    P_GW, P_GW == 1 ? "" : "s", P_GS, fmt_s(P_GK), fmt_s(P_GB)) \
    at screen sx(PX_L), screen sy(PX_T3 - 10) left font ",11" textcolor rgb "#111111"
set arrow 3 from first P_GK, graph 0 to first P_GK, graph 1 nohead dt (5, 3) lw 1.2 lc rgb "#444444" front
plot pred index P_NS every ::1 using (($3 + $4) / 2):2:3:4:($2 - 0.4):($2 + 0.4):(wcol($2)) \
        with boxxyerror fs solid 0.85 border lc rgb "#FFFFFF" lw 0.6 lc rgb variable notitle, \
     pred index P_NS every ::1 using ($5 > 0 ? $3 + $5 / 2 : NaN):2:3:($3 + $5):($2 - 0.4):($2 + 0.4) \
        with boxxyerror fs solid 1.0 noborder lc rgb C_CON notitle
unset label 3
unset arrow 3

# ---- (3) tasks in flight over time, measured and predicted ------------------------
# Each task's start counts +1 and its end -1; at one instant ends come first
# (tab-separated, as common.gp reads data).
prd_steps = "| LC_ALL=C sort -k1,1g -k2,2n | LC_ALL=C awk -v OFS='\t' '{ c += $2; print $1, c }'"
prd_meas_sh = "< LC_ALL=C awk -F '\t' '/^#/ { next } $1 == \"id\" { for (i = 1; i <= NF; i++) { if ($i == \"start\") cs = i; if ($i == \"end\") ce = i; if ($i == \"status\") st = i }; next } " . \
    "cs && $st != \"not-run\" && $st != \"skipped\" { print $cs, 1; print $ce, -1 }' " . pdl_q . " " . prd_steps
prd_pred_sh = "< LC_ALL=C awk -F '\t' '/^# gantt$/ { g = 1; next } /^# compare$/ { g = 0 } g && $1 ~ /^[0-9]+$/ { print $3, 1; print $4, -1 }' " . prd_q . " " . prd_steps
set tmargin at screen sy(PX_T4)
set bmargin at screen sy(PX_T4 + PX_H4)
set yrange [0 : pdl_max(W, P_GLANES) * 1.15 + 0.5]
set ytics autofreq
set ylabel "in flight" textcolor rgb C_TEXT
set xlabel "seconds from the run's start" textcolor rgb C_TEXT offset 0, 0.4
set key top right Left reverse samplen 2 font ",9" textcolor rgb C_TEXT opaque box lc rgb "#DDDDDD"
set label 4 "tasks in flight" at screen sx(PX_L), screen sy(PX_T4 - 10) left font ",11" textcolor rgb "#111111"
plot prd_meas_sh using 1:2 with steps lw 2 lc rgb "#444444" title sprintf("measured, %d worker%s", W, W == 1 ? "" : "s"), \
     prd_pred_sh using 1:2 with steps lw 2 lc rgb P_COL[1] title sprintf("predicted, %d worker%s", P_GW, P_GW == 1 ? "" : "s")
unset label 4
unset multiplot
unset output
