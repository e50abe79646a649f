# plots/conns.gp -- connection view of a pdl timeline (version 4: conn column).
#
#   gnuplot -e "data='run.tsv'; out='run-conns.png'" plots/conns.gp
#   gnuplot -c plots/conns.gp run.tsv run-conns.svg      # same, positional
#
# out's extension picks the terminal: .png pngcairo, .svg svg, .pdf pdfcairo.
# One lane per connection (the conn column: the local port, which names a
# live TCP connection on one host), in the order they were opened, named by
# that port; "none" holds tasks that got no connection.  Its tasks as boxes
# along time in curl's phases, as in lanes.gp: the connect and TLS phases of
# the task that opened it are its set-up cost, the tasks after it reused it
# (HTTP/2 streams overlap on one lane).  Grey is where the connection was
# open and idle, from its first task's start to its last task's end.  A
# side panel shows each connection's busy share of that life, with its
# tasks and set-up time beside it.  The dashed line is the lower bound of
# the makespan, as in gantt.gp.
# Needs gnuplot >= 5.4 and awk; loads common.gp from its own directory.
# Columns are looked up by name in the header line, metadata keys by name.

if (ARGC >= 1 && !exists("data")) { data = ARG1 }
if (ARGC >= 2 && !exists("out"))  { out = ARG2 }
pdl_script = ARG0
pdl_lanes = 1
pdl_out_suffix = "-conns"
pdl_slash = 0
do for [pdl_i = 1:strlen(ARG0)] { if (ARG0[pdl_i:pdl_i] eq "/") { pdl_slash = pdl_i } }
load (pdl_slash > 0 ? ARG0[1:pdl_slash] : "./") . "common.gp"
if (pdl_empty) { exit }

# ---- connections: lanes in the order they were opened ----------------------
# One awk pass per connection (rows sorted by conn, then start): its life
# (first start, last end), tasks, busy time (the union of its tasks, so
# overlapping HTTP/2 streams count once) and set-up (connect and TLS of the
# task that opened it); then lanes by first start.
CI_conn = 0; CI_new_conn = 0
eval system("LC_ALL=C awk -F '\t' '/^#/ { next } { for (i = 1; i <= NF; i++) { f = $i; sub(/\\r$/, \"\", f); if (f == \"conn\" || f == \"new_conn\") printf \"CI_%s = %d; \", f, i }; exit }' " . pdl_q)
if (CI_conn == 0) {
    exit error sprintf("%s: '%s' has no conn column (connections are recorded from timeline version 4 on)", pdl_script, data)
}
array CONN_LANE[65537]; array CONN_PORT[65537]; array CO[65537]; array CC[65537]
array CN[65537]; array CB[65537]; array CS[65537]
pdl_conns_cmd = sprintf("LC_ALL=C awk -F '\t' -v c=%d -v n=%d -v s=%d -v e=%d -v d=%d -v k=%d -v t=%d ", CI_conn, CI_new_conn, CI_start, CI_end, CI_dns, CI_connect, CI_tls) . \
    "'/^#/ || NF == 0 { next } !h { h = 1; next } { printf \"%d %.9f %.9f %d %.9f\\n\", $c, $s, $e, (n ? $n : 0), (d && k ? ((t && $t > 0 ? $t : $k) - $d) : 0) }' " . pdl_q . \
    " | sort -k1,1n -k2,2g | LC_ALL=C awk 'function flush() { if (cnt) printf \"%.9f %d %.9f %d %.9f %.9f\\n\", o, key, cl, cnt, busy + (ue - us), su } " . \
    "{ if (!cnt || $1 != key) { flush(); key = $1; o = $2; cl = $3; cnt = 0; busy = 0; su = 0; us = $2; ue = $3 } " . \
    "else if ($2 > ue) { busy += ue - us; us = $2; ue = $3 } else if ($3 > ue) { ue = $3 } " . \
    "cnt++; if ($3 > cl) cl = $3; if ($4 == 1 && $5 > 0) su += $5 } END { flush() }' | sort -k1,1g | " . \
    "LC_ALL=C awk '{ l = NR; printf \"CONN_LANE[%d] = %d; CONN_PORT[%d] = %d; CO[%d] = %s; CC[%d] = %s; CN[%d] = %d; CB[%d] = %s; CS[%d] = %s; \", $2 + 1, l - 1, l, $2, l, $1, l, $3, l, $4, l, $5, l, $6 } END { printf \"NC = %d\", NR }'"
eval system(pdl_conns_cmd)
W = NC
c_w(x) = CONN_LANE[int(column(CI_conn)) + 1]
pdl_lane_name(l) = CONN_PORT[int(l) + 1] > 0 ? sprintf(":%d", CONN_PORT[int(l) + 1]) : "none"
pdl_nopen = 0
do for [w = 1:W] { pdl_nopen = pdl_nopen + (CONN_PORT[w] > 0 ? 1 : 0) }
pdl_subtitle = pdl_subtitle . sprintf(" · %d connection%s, %d task%s on one opened earlier", pdl_nopen, pdl_nopen == 1 ? "" : "s", N - pdl_nopen, N - pdl_nopen == 1 ? "" : "s")

# ---- per-connection totals ---------------------------------------------------
pdl_life(i) = pdl_max(CC[i] - CO[i], 1e-9)
array BUSY[W]; array CNT[W]; array FCNT[W]
do for [w = 1:W] { BUSY[w] = 100 * CB[w] / pdl_life(w); CNT[w] = CN[w]; FCNT[w] = 0 }
stats data every ::1 using (pdl_w = int(c_w(0)) + 1, FCNT[pdl_w] = FCNT[pdl_w] + (is_ok(0) ? 0 : 1), 0) nooutput
BUSY_MIN = 1e300; BUSY_MAX = 0
do for [w = 1:W] { BUSY_MIN = BUSY[w] < BUSY_MIN ? BUSY[w] : BUSY_MIN; BUSY_MAX = BUSY[w] > BUSY_MAX ? BUSY[w] : BUSY_MAX }
fmt_ms(x) = x < 0.001 ? sprintf("%.0f µs", x * 1e6) : x < 1 ? sprintf("%.1f ms", x * 1e3) : sprintf("%.2f s", x)

# label right of each busy bar (<= 40 connections): "97% · 12 tasks · set-up 3.1 ms"
BTXT(i) = sprintf("%.0f%% · %d task%s%s%s", BUSY[i], CNT[i], CNT[i] == 1 ? "" : "s", CS[i] > 0 ? " · set-up " . fmt_ms(CS[i]) : "", FCNT[i] > 0 ? sprintf(", %d failed", FCNT[i]) : "")
BTXT_LEN = 0
do for [w = 1:W] { BTXT_LEN = pdl_max(BTXT_LEN, strlen(BTXT(w))) }

# longest host name (at most 16 characters are shown)
HOSTLEN = 0
if (0) { do for [i = 1:PDL_NH] { HOSTLEN = pdl_max(HOSTLEN, strlen(PDL_HN[i])) } }
pdl_host_label(i) = strlen(PDL_HN[i]) > 16 ? PDL_HN[i][1:15] . "…" : PDL_HN[i]

# ---- geometry (pixels) ------------------------------------------------------
LABELLED = (W <= 40)                       # one y label per worker
PX_W   = 1200
PX_HL  = 0 ? 7.0 * pdl_min(16, HOSTLEN) + 22 : 0   # host name column
PX_L   = (LABELLED ? 62 : 80) + PX_HL
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
    set ylabel "connection (local port)" textcolor rgb C_TEXT offset 1, 0
}
if (0) {
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

# idle background of every lane, while its connection was in use
do for [w = 0:W-1] {
    set object 1000 + w rect from CO[w + 1], w - LH to CC[w + 1], w + LH fc rgb "#E4E4E4" fs solid 1.0 noborder back
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
eval PDL_LEGEND_CLEAR
do for [w = 0:W-1] { unset object 1000 + w }
unset ylabel

# ---- busy share of each connection's life -------------------------------------
set lmargin at screen sx(PX_BL)
set rmargin at screen sx(PX_BL + PX_BW)
set xrange [0 : 100]
set xtics 50 format "%g%%" font ",9"
set mxtics 2
unset ytics
set grid xtics
set xlabel "busy, % of its life" textcolor rgb C_TEXT offset 0, 0.3
set style fill solid 1.0 noborder
BUSY_MEAN = 0
do for [w = 1:W] { BUSY_MEAN = BUSY_MEAN + BUSY[w] / W }
set arrow 2 from BUSY_MEAN, graph 0 to BUSY_MEAN, graph 1 nohead dt (2,2) lw 1.2 lc rgb "#000000" front
set label 95 sprintf("mean %.0f%%", BUSY_MEAN) at BUSY_MEAN, graph 1 center offset 0, 0.7 font ",8" textcolor rgb C_TEXT
if (!LABELLED) {
    set label 96 sprintf("min %.0f%%  max %.0f%%", BUSY_MIN, BUSY_MAX) at graph 1, graph 0.5 left offset 1, 0 rotate by 90 font ",8" textcolor rgb C_TEXT
}
set print $BUSYD
do for [w = 1:W] { print sprintf("%d\t%.9g", w - 1, BUSY[w]) }
set print
pdl_bl = LABELLED ? ", $BUSYD using (100):1:(BTXT(int($1) + 1)) with labels left offset 0.8, 0 font ',9' tc rgb C_TEXT notitle" : ""
eval "plot $BUSYD using (0):1:(0):2:($1 - LH):($1 + LH) with boxxyerror lc rgb '#7A9CB8' notitle" . pdl_bl

unset multiplot
unset output
