# plots/compare.gp -- the chart of `pdl compare` (summary format "pdl-compare 1").
#
#   gnuplot -e "summary='pdl-compare/summary.tsv'; out='cmp.png'" plots/compare.gp
#   gnuplot -e "summary='pdl-compare/summary.tsv'" plots/compare.gp   # writes summary.png
#   gnuplot -c plots/compare.gp pdl-compare/summary.tsv cmp.svg        # same, positional
#
# `data` is taken for `summary`, so pdl's chart renderer calls it like the
# timeline scripts.  out's extension picks the terminal (.png, .svg, .pdf).
# Series: one per mode (per mode and schedule when several schedules were
# compared); serial, which runs with one worker, is the reference.
#   (1) makespan against workers: a line through the median of the repeats,
#       a dot for each repeat; the ideal = reference makespan / W, but
#       never below the reference run's longest task (no makespan can be).
#   (2) speedup over the reference (median), with the ideal y = W (capped
#       likewise at reference / longest task).
#   (3) one Gantt chart per series at one worker count (the largest that
#       every series ran, first repeat), stacked on one time axis: a bar per
#       task, coloured by the worker that ran it, failures outlined in red.
# The reference is serial's median makespan; without serial, the first
# series' 1-worker median; without that, the total task time of the first
# series' Gantt run.  Per-run timelines are found through the summary's
# timeline column (as written, else beside the summary).  Needs gnuplot >= 5.4
# and awk; loads common.gp from its own directory (on a per-run timeline,
# for the terminal, colours and column accessors).

if (ARGC >= 1 && !exists("summary") && !exists("data")) { summary = ARG1 }
if (ARGC >= 2 && !exists("out")) { out = ARG2 }
if (!exists("summary") && exists("data")) { summary = data }
if (!exists("summary")) {
    exit error sprintf("no summary file.  usage: gnuplot -e \"summary='summary.tsv'; out='compare.png'\" %s", ARG0)
}
cmp_script = ARG0

# single-quote a name for the shell (awk is run through it)
cmp_q = "'"
do for [cmp_i = 1:strlen(summary)] {
    cmp_c = summary[cmp_i:cmp_i]
    cmp_q = cmp_q . (cmp_c eq "'" ? "'\\''" : cmp_c)
}
cmp_q = cmp_q . "'"
if (system("test -r " . cmp_q . " && echo y") ne "y") {
    exit error sprintf("%s: cannot read summary file '%s'", cmp_script, summary)
}
cmp_tag = system("LC_ALL=C awk 'NR == 1 { print substr($0, 1, 40) } { exit }' " . cmp_q)
if (cmp_tag ne "# pdl-compare 1") {
    print sprintf("%s: warning: '%s' does not start with '# pdl-compare 1' (first line: '%s'); trying anyway", cmp_script, summary, cmp_tag)
}
if (!exists("out")) {
    cmp_n = strlen(summary)
    out = ((cmp_n > 4 && summary[cmp_n-3:cmp_n] eq ".tsv") ? summary[1:cmp_n-4] : summary) . ".png"
}

# ---- the summary, digested by awk into gnuplot arrays ------------------------
# Columns are found by name in the header line.  Emits: NR_ROWS; series
# NS, SNAME[], SSER[] (1 = serial), SCI[] (colour index); medians NM, MS[],
# MW[], MK[] sorted by series then workers, SF[]/SL[] each series' range;
# repeats NP, PS[], PW[], PK[]; WMIN WMAX WG NREP, the reference BASE and
# BASE_TXT (short) and BASE_DESC, the worker tics XT; per series the Gantt run GP[] (path, "" if
# unreadable), GW[], GR[], GK[] (makespan), GN[] (rows), GBAD[] (failed),
# GBUSY[] (task time), GLONG[] (longest task), GWRAN[] (workers that ran,
# distinct worker per rank); LREF, the longest task of the first series' run;
# GXMAX (latest end) and GWMAX (most workers).
CMP_AWK = \
'function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" } ' . \
'function median(list,   n, a, i, j, t) { n = split(list, a, " "); ' . \
'  for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t } ' . \
'  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 } ' . \
'function base(p) { sub(/.*\//, "", p); return p } ' . \
'function scan(p,   line, n, f, i, ce, cs, cw, cst, cr, hdr, r, k, seen) { T_N = 0; T_END = 0; T_W = 0; T_BUSY = 0; T_BAD = 0; T_LONG = 0; T_WRAN = 0; ' . \
'  if ((r = (getline line < p)) < 0) return 0; ' . \
'  while (r > 0) { if (line !~ /^#/ && line != "") { n = split(line, f, "\t"); ' . \
'      if (!hdr) { for (i = 1; i <= n; i++) { if (f[i] == "end") ce = i; if (f[i] == "start") cs = i; if (f[i] == "worker") cw = i; if (f[i] == "status") cst = i; if (f[i] == "rank") cr = i }; hdr = 1 } ' . \
'      else { T_N++; if (f[ce] + 0 > T_END) T_END = f[ce] + 0; if (f[cw] + 1 > T_W) T_W = f[cw] + 1; ' . \
'        T_BUSY += f[ce] - f[cs]; if (f[cst] != "ok") T_BAD++; if (f[ce] - f[cs] > T_LONG) T_LONG = f[ce] - f[cs]; ' . \
'        if (f[cst] != "not-run" && f[cst] != "skipped" && f[cw] >= 0) { k = (cr ? f[cr] + 0 : 0) "," f[cw]; if (!(k in seen)) { seen[k] = 1; T_WRAN++ } } } } ' . \
'    r = (getline line < p) } ' . \
'  close(p); return 1 } ' . \
'function readable(p,   line, r) { r = (getline line < p); if (r >= 0) close(p); return r >= 0 } ' . \
'/^#/ || NF == 0 { next } ' . \
'!h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } ' . \
'{ nr++; RM[nr] = $(c["mode"]); RW[nr] = $(c["workers"]) + 0; RSC[nr] = $(c["schedule"]); RR[nr] = $(c["repeat"]) + 0; ' . \
'  RK[nr] = $(c["makespan"]) + 0; RP[nr] = $(c["timeline"]); ' . \
'  if (RM[nr] != "serial" && !(RSC[nr] in sch)) { sch[RSC[nr]] = 1; nsch++ } } ' . \
'END { printf "NR_ROWS = %d; ", nr; if (nr == 0) exit; ' . \
'  for (pass = 1; pass <= 2; pass++) for (i = 1; i <= nr; i++) { ser = RM[i] == "serial"; if (ser != (pass == 1)) continue; ' . \
'    k = ser ? "serial" : RM[i] SUBSEP RSC[i]; if (k in sid) continue; ' . \
'    ns++; sid[k] = ns; SN[ns] = ser ? "serial" : (nsch > 1 ? RM[i] " " RSC[i] : RM[i]); SS[ns] = ser; SC[ns] = ser ? 0 : ++nc } ' . \
'  wmin = 1e9; wmax = 0; nrep = 0; ' . \
'  for (i = 1; i <= nr; i++) { s = sid[RM[i] == "serial" ? "serial" : RM[i] SUBSEP RSC[i]]; RI[i] = s; ' . \
'    if (!((s, RW[i]) in L)) { nw[s]++; SW[s, nw[s]] = RW[i] } L[s, RW[i]] = L[s, RW[i]] " " RK[i]; ' . \
'    if (RW[i] < wmin) wmin = RW[i]; if (RW[i] > wmax) wmax = RW[i]; if (RR[i] > nrep) nrep = RR[i]; if (!(RW[i] in wseen)) { wseen[RW[i]] = 1; nws++; WL[nws] = RW[i] } } ' . \
'  printf "NS = %d; array SNAME[%d]; array SSER[%d]; array SCI[%d]; array SF[%d]; array SL[%d]; ", ns, ns, ns, ns, ns, ns; ' . \
'  nm = 0; for (s = 1; s <= ns; s++) { for (a = 2; a <= nw[s]; a++) { t = SW[s, a]; for (b = a - 1; b >= 1 && SW[s, b] > t; b--) SW[s, b + 1] = SW[s, b]; SW[s, b + 1] = t } ' . \
'    printf "SNAME[%d] = %s; SSER[%d] = %d; SCI[%d] = %d; SF[%d] = %d; SL[%d] = %d; ", s, esc(SN[s]), s, SS[s], s, SC[s], s, nm + 1, s, nm + nw[s]; ' . \
'    for (a = 1; a <= nw[s]; a++) { nm++; MS[nm] = s; MW[nm] = SW[s, a]; MK[nm] = median(L[s, SW[s, a]]); MED[s, SW[s, a]] = MK[nm] } } ' . \
'  printf "NM = %d; array MS[%d]; array MW[%d]; array MK[%d]; ", nm, nm, nm, nm; ' . \
'  for (m = 1; m <= nm; m++) printf "MS[%d] = %d; MW[%d] = %d; MK[%d] = %.9g; ", m, MS[m], m, MW[m], m, MK[m]; ' . \
'  printf "NP = %d; array PS[%d]; array PW[%d]; array PK[%d]; ", nr, nr, nr, nr; ' . \
'  for (i = 1; i <= nr; i++) printf "PS[%d] = %d; PW[%d] = %d; PK[%d] = %.9g; ", i, RI[i], i, RW[i], i, RK[i]; ' . \
'  wg = 0; for (a = 1; a <= nws; a++) { w = WL[a]; all = 1; any = 0; for (s = 1; s <= ns; s++) if (!SS[s]) { any = 1; if (!((s, w) in L)) all = 0 } if (any && all && w > wg) wg = w } ' . \
'  if (wg == 0) wg = wmax; ' . \
'  printf "WMIN = %d; WMAX = %d; WG = %d; NREP = %d; ", wmin, wmax, wg, nrep; ' . \
'  xt = ""; for (a = 1; a <= nws; a++) xt = xt (a > 1 ? ", " : "") sprintf("\"%d\" %d", WL[a], WL[a]); printf "XT = %s; ", esc(xt); ' . \
'  sdir = FILENAME; if (sdir ~ /\//) sub(/\/[^\/]*$/, "", sdir); else sdir = "."; ' . \
'  printf "array GP[%d]; array GW[%d]; array GR[%d]; array GK[%d]; array GN[%d]; array GBAD[%d]; array GBUSY[%d]; array GLONG[%d]; array GWRAN[%d]; ", ns, ns, ns, ns, ns, ns, ns, ns, ns; ' . \
'  gx = 0; gwm = 1; busy1 = 0; ' . \
'  for (s = 1; s <= ns; s++) { w = SS[s] || ((s, wg) in L) ? (SS[s] ? SW[s, 1] : wg) : SW[s, nw[s]]; best = 0; ' . \
'    for (i = 1; i <= nr; i++) if (RI[i] == s && RW[i] == w && (!best || RR[i] < RR[best])) best = i; ' . \
'    p = RP[best]; if (!readable(p) && p !~ /^\//) p = sdir "/" base(p); if (!readable(p)) p = ""; ' . \
'    if (p != "" && scan(p)) { if (T_END > gx) gx = T_END; if (T_W > gwm) gwm = T_W; if (busy1 == 0) busy1 = T_BUSY } else { T_N = 0; T_END = 0; T_BAD = 0; T_BUSY = 0; T_LONG = 0; T_WRAN = 0 } ' . \
'    if (s == 1) lref = T_LONG; ' . \
'    GWS[s] = w; printf "GP[%d] = %s; GW[%d] = %d; GR[%d] = %d; GK[%d] = %.9g; GN[%d] = %d; GBAD[%d] = %d; GBUSY[%d] = %.9g; GLONG[%d] = %.9g; GWRAN[%d] = %d; ", s, esc(p), s, w, s, RR[best], s, RK[best], s, T_N, s, T_BAD, s, T_BUSY, s, T_LONG, s, T_WRAN } ' . \
'  printf "LREF = %.9g; ", lref; ' . \
'  printf "GXMAX = %.9g; GWMAX = %d; ", gx, gwm; ' . \
'  if (SS[1]) { bs = MED[1, SW[1, 1]]; bt = "serial"; bd = "serial makespan" } ' . \
'  else if ((1, 1) in MED) { bs = MED[1, 1]; bt = SN[1] " -w 1"; bd = bt " makespan" } ' . \
'  else { bs = busy1; bt = "task time"; bd = sprintf("total task time of %s -w %d", SN[1], GWS[1]) } ' . \
'  printf "BASE = %.9g; BASE_TXT = %s; BASE_DESC = %s; ", bs, esc(bt), esc(bd) }'

eval system(sprintf("LC_ALL=C awk -F '\t' '%s' %s", CMP_AWK, cmp_q))

# ---- the predictions (optional), digested like the summary ----------------------
# `predicted` names summary-predicted.tsv (series, workers, predicted, from:
# pdl predict's replay of the series' run at W = from); by default the
# summary's sibling, if there is one.  Emits NQ, QN[] (series name), QW[],
# QK[] (predicted makespan), QF[] (the W predicted from).
if (!exists("predicted")) {
    cmp_n = strlen(summary)
    predicted = ((cmp_n > 4 && summary[cmp_n-3:cmp_n] eq ".tsv") ? summary[1:cmp_n-4] : summary) . "-predicted.tsv"
}
cmp_pq = "'"
do for [cmp_i = 1:strlen(predicted)] {
    cmp_c = predicted[cmp_i:cmp_i]
    cmp_pq = cmp_pq . (cmp_c eq "'" ? "'\\''" : cmp_c)
}
cmp_pq = cmp_pq . "'"
NQ = 0
if (system("test -r " . cmp_pq . " && echo y") eq "y") {
    CMP_PRED_AWK = \
'function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" } ' . \
'/^#/ || NF == 0 { next } ' . \
'!h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } ' . \
'{ n++; QN[n] = $(c["series"]); QW[n] = $(c["workers"]) + 0; QK[n] = $(c["predicted"]) + 0; QF[n] = ("from" in c) ? $(c["from"]) + 0 : 0 } ' . \
'END { printf "NQ = %d; ", n; if (n == 0) exit; printf "array QN[%d]; array QW[%d]; array QK[%d]; array QF[%d]; ", n, n, n, n; ' . \
'  for (i = 1; i <= n; i++) printf "QN[%d] = %s; QW[%d] = %d; QK[%d] = %.9g; QF[%d] = %d; ", i, esc(QN[i]), i, QW[i], i, QK[i], i, QF[i] }'
    eval system(sprintf("LC_ALL=C awk -F '\t' '%s' %s", CMP_PRED_AWK, cmp_pq))
}
if (!exists("NR_ROWS")) {
    exit error sprintf("%s: could not read '%s' (awk failed)", cmp_script, summary)
}
if (NR_ROWS == 0) {
    exit error sprintf("%s: '%s' has no runs", cmp_script, summary)
}

# common.gp wants a timeline in `data`: the first Gantt run that is readable.
CMP_DATA = ""
do for [s = NS:1:-1] { if (GP[s] ne "") { CMP_DATA = GP[s] } }
if (CMP_DATA eq "") {
    exit error sprintf("%s: none of the timelines named in '%s' can be read", cmp_script, summary)
}
data = CMP_DATA
pdl_script = cmp_script
cmp_slash = 0
do for [cmp_i = 1:strlen(ARG0)] { if (ARG0[cmp_i:cmp_i] eq "/") { cmp_slash = cmp_i } }
load (cmp_slash > 0 ? ARG0[1:cmp_slash] : "./") . "common.gp"
if (pdl_empty) { exit }

# ---- series style ---------------------------------------------------------------
# Okabe & Ito for the series (serial in black); the Gantt bars use common.gp's
# worker colours, a different palette, since they mean workers, not modes.
array SPAL[7] = [0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0xD55E00, 0x56B4E9, 0x999999]
array SPT[7] = [7, 5, 9, 11, 15, 13, 3]
scol(s) = SSER[s] ? 0x000000 : SPAL[(SCI[s] - 1) % 7 + 1]
spt(s)  = SSER[s] ? 12 : SPT[(SCI[s] - 1) % 7 + 1]
SPMAX = 0
do for [i = 1:NM] { if (!SSER[MS[i]] && MK[i] > 0) { SPMAX = pdl_max(SPMAX, BASE / MK[i]) } }
do for [i = 1:NP] { if (!SSER[PS[i]] && PK[i] > 0) { SPMAX = pdl_max(SPMAX, BASE / PK[i]) } }
# medians and repeats as datablocks, one block per series, for "index"
set print $MED
do for [s = 1:NS] {
    do for [i = SF[s]:SL[s]] { print sprintf("%d\t%.9g", MW[i], MK[i]) }
    print ""; print ""
}
set print $PTS
do for [s = 1:NS] {
    do for [i = 1:NP] { if (PS[i] == s) { print sprintf("%d\t%.9g", PW[i], PK[i]) } }
    print ""; print ""
}
# predictions, one block per series (NaN where none: serial); QFS[s] is
# the W a series was predicted from, 0 if it has no prediction.  Drawn over
# the measured line on a white band, since they often coincide.
array QFS[NS]
set print $PRED
do for [s = 1:NS] {
    QFS[s] = 0
    do for [i = 1:NQ] {
        if (QN[i] eq SNAME[s] && !SSER[s]) { print sprintf("%d\t%.9g", QW[i], QK[i]); QFS[s] = QF[i] }
    }
    if (QFS[s] == 0) { print "1\tNaN" }
    print ""; print ""
}
set print
NQS = 0
do for [s = 1:NS] { NQS = NQS + (QFS[s] > 0 ? 1 : 0) }
# how far the predictions are from the measured medians at the same W
QERR = -1
do for [i = 1:NQ] {
    do for [m = 1:NM] {
        if (SNAME[MS[m]] eq QN[i] && MW[m] == QW[i] && MK[m] > 0) { QERR = pdl_max(QERR, abs(QK[i] - MK[m]) / MK[m]) }
    }
}
KMAX = 0
do for [i = 1:NP] { KMAX = pdl_max(KMAX, PK[i]) }
do for [i = 1:NQ] { KMAX = pdl_max(KMAX, QK[i]) }
KMAX = pdl_max(KMAX, BASE / WMIN)
SPHI = pdl_max(WMAX, SPMAX)
NONSERIAL = 0
do for [s = 1:NS] { NONSERIAL = NONSERIAL + (SSER[s] ? 0 : 1) }
LOGX = WMAX >= 4 * WMIN
# Series that scale alike lie on top of one another; rather than move them
# off their true x, earlier series are drawn wider and larger, so that each
# shows round the ones drawn over it.
cmp_rank(s) = NONSERIAL < 2 ? 0 : (SCI[s] - 1.0) / (NONSERIAL - 1)
slw(s) = SSER[s] ? 2 : 4.5 - 2.5 * cmp_rank(s)
sps(s) = SSER[s] ? 2.4 : 1.9 - 0.8 * cmp_rank(s)

# ---- geometry (pixels) ----------------------------------------------------------
PX_W  = 1200
PX_L  = 78                                  # left edge of the left panels
PX_R  = 24
PX_T1 = 84                                  # top of the two upper panels
PX_H1 = 330
PX_GAP = 96                                 # between the two panels
PX_M  = (PX_W - PX_L - PX_R - PX_GAP) / 2   # width of each upper panel
PX_T2 = PX_T1 + PX_H1 + 96                  # top of the first Gantt
PX_LB = 24                                  # label line above each Gantt
array GH[NS]; array GY[NS]
cmp_y = PX_T2
do for [s = 1:NS] {
    GH[s] = pdl_min(220, pdl_max(56, 11 * GN[s]))
    GY[s] = cmp_y + PX_LB
    cmp_y = GY[s] + GH[s] + 10
}
PX_H = cmp_y + 48
sx(px) = px * 1.0 / PX_W
sy(px) = 1.0 - px * 1.0 / PX_H

eval pdl_setterm(PX_W, PX_H)
set output out
set multiplot
set tics textcolor rgb C_TEXT
set border 3 lc rgb "#999999"
set grid back lc rgb C_GRID lw 1 dt solid

cmp_modes = ""
do for [s = 1:NS] { cmp_modes = cmp_modes . (s > 1 ? ", " : "") . SNAME[s] }
set label 91 sprintf("pdl compare · %s · %d task%s · %d repeat%s", cmp_modes, GN[1], GN[1] == 1 ? "" : "s", NREP, NREP == 1 ? "" : "s") \
    at screen 0.5, screen sy(18) center font ",13" textcolor rgb "#111111"
set label 92 sprintf("makespan = the last task's end · lines: median of the repeats, dots: each repeat · ideal = max(%s / W, longest task) (%s s, %s s) · %s", \
    BASE_DESC, fmt_s(BASE), fmt_s(LREF), summary) at screen 0.5, screen sy(38) center font ",9" textcolor rgb C_SOFT
if (NQS > 0) {
    set label 94 sprintf("dashed in a series' colour: pdl predict's replay of its run at the fewest workers%s", \
        QERR >= 0 ? sprintf(" · at most %.1f %% from the measured medians", 100 * QERR) : "") \
        at screen 0.5, screen sy(54) center font ",9" textcolor rgb C_SOFT
}

# worker axis shared by the two upper panels: log2 when it spans 4x or more
set xtics out nomirror scale 0.6 font ",10"
eval "set xtics (" . XT . ")"
unset mxtics
if (LOGX) {
    set logscale x 2
    set xrange [WMIN / 1.3 : WMAX * 1.3]
} else {
    set xrange [WMIN - 0.6 : WMAX + 0.6]
}
set xlabel "workers (W)" textcolor rgb C_TEXT offset 0, 0.4
set ytics out nomirror scale 0.6 font ",10"
set mytics
set key top right Left reverse samplen 2 spacing 1.1 font ",9" textcolor rgb C_TEXT opaque box lc rgb "#DDDDDD"

# ---- (1) makespan against workers ------------------------------------------------
set lmargin at screen sx(PX_L)
set rmargin at screen sx(PX_L + PX_M)
set tmargin at screen sy(PX_T1)
set bmargin at screen sy(PX_T1 + PX_H1)
# Headroom above the data for the key, so that it never hides a point.
cmp_room(n) = 1.0 - (15.0 * n + 18) / PX_H1
set yrange [0 : KMAX * 1.04 / cmp_room(NS + NQS + 1)]
set format y "%g"
set ylabel "makespan (s)" textcolor rgb C_TEXT
set label 1 "makespan" at graph 0, graph 1 left offset 0, 1.1 font ",11" textcolor rgb "#111111"
plot pdl_max(BASE / x, LREF) with lines dt (8, 5) lw 1.5 lc rgb "#444444" title sprintf("ideal: max(%s / W, longest task)", BASE_TXT), \
     for [s = 1:NS] $MED index (s - 1) using ($1):2 with linespoints lw slw(s) pt spt(s) ps sps(s) lc rgb scol(s) title SNAME[s], \
     for [s = 1:NS] $PTS index (s - 1) using ($1):2 with points pt 6 ps 0.8 lc rgb scol(s) notitle, \
     for [s = 1:NS] $MED index (s - 1) using (SSER[s] ? $1 : NaN):2 with points pt spt(s) ps sps(s) lw 2 lc rgb scol(s) notitle, \
     for [s = 1:NS] $PRED index (s - 1) using ($1):2 with lines lw 3.5 lc rgb "#FFFFFF" notitle, \
     for [s = 1:NS] $PRED index (s - 1) using ($1):2 with lines dt (4, 3) lw 2 lc rgb scol(s) \
         title (QFS[s] > 0 ? sprintf("%s predicted from W=%d", SNAME[s], QFS[s]) : "")
unset label 1

# ---- (2) speedup over the reference ---------------------------------------------------
set lmargin at screen sx(PX_L + PX_M + PX_GAP)
set rmargin at screen sx(PX_W - PX_R)
# log-log when the workers span 4x or more, so that the ideal is a diagonal
if (LOGX) {
    set logscale y 2
    cmp_lo = pdl_min(WMIN, 1) / 1.3
    set yrange [cmp_lo : cmp_lo * (SPHI * 1.15 / cmp_lo) ** (1.0 / cmp_room(NONSERIAL + 1))]
    eval "set ytics (" . XT . ")"
    unset mytics
} else {
    set yrange [0 : SPHI * 1.04 / cmp_room(NONSERIAL + 1)]
}
set ylabel (BASE_TXT eq "task time" ? "task time / makespan" : "speedup over " . BASE_TXT) textcolor rgb C_TEXT
set key top left
set label 1 "speedup" at graph 0, graph 1 left offset 0, 1.1 font ",11" textcolor rgb "#111111"
# no speedup beats reference / longest task: the longest task alone takes that
CMP_IDEAL_SP(x) = LREF > 0 ? pdl_min(x, BASE / LREF) : x
CMP_IDEAL_SP_T = LREF > 0 ? sprintf("ideal: min(W, %s / longest task)", BASE_TXT) : "ideal: speedup = W"
if (NONSERIAL > 0) {
    plot CMP_IDEAL_SP(x) with lines dt (8, 5) lw 1.5 lc rgb "#444444" title CMP_IDEAL_SP_T, \
         for [s = 1:NS] $MED index (s - 1) using (SSER[s] ? NaN : $1):(BASE / $2) \
             with linespoints lw slw(s) pt spt(s) ps sps(s) lc rgb scol(s) title (SSER[s] ? "" : SNAME[s]), \
         for [s = 1:NS] $PTS index (s - 1) using (SSER[s] ? NaN : $1):(BASE / $2) \
             with points pt 6 ps 0.8 lc rgb scol(s) notitle
} else {
    set label 2 "only serial was run" at graph 0.5, graph 0.5 center textcolor rgb C_SOFT
    plot CMP_IDEAL_SP(x) with lines dt (8, 5) lw 1.5 lc rgb "#444444" title CMP_IDEAL_SP_T
    unset label 2
}
unset label 1
unset logscale x
unset logscale y
unset key
unset label 91
unset label 92
unset label 94

# ---- (3) Gantt charts on one time axis ----------------------------------------------
GXHI = GXMAX > 0 ? GXMAX * 1.02 : 1.0
set xrange [0 : GXHI]
set xtics autofreq
set mxtics
set grid xtics noytics
unset ylabel
set border 15 lc rgb "#999999"
set label 93 sprintf("tasks at W = %d%s, repeat %d · one bar per task, coloured by the worker that ran it · dashed: lower bound of the makespan", \
    WG, NONSERIAL < NS ? " (serial: 1)" : "", GR[1]) at screen sx(PX_L), screen sy(PX_T2 - 22) left font ",11" textcolor rgb "#111111"
# worker colours, drawn by hand at the right end of the first Gantt's label line
CMP_WSHOW = pdl_min(GWMAX, 9)
do for [w = 0:CMP_WSHOW - 1] {
    cmp_x = PX_W - PX_R - (CMP_WSHOW - w) * 44 - (GWMAX > 9 ? 110 : 0)
    eval sprintf("set object %d rect from screen %f, screen %f to screen %f, screen %f front fc rgb %d fs solid 1.0 noborder", \
        200 + w, sx(cmp_x), sy(GY[1] - 3), sx(cmp_x + 12), sy(GY[1] - 13), wcol(w))
    eval sprintf("set label %d 'w%d' at screen %f, screen %f left font ',9' textcolor rgb C_TEXT front", 200 + w, w, sx(cmp_x + 15), sy(GY[1] - 8))
}
if (GWMAX > 9) {
    set label 199 "(colours repeat)" at screen sx(PX_W - PX_R - 100), screen sy(GY[1] - 8) left font ",9" textcolor rgb C_SOFT
}

do for [s = 1:NS] {
    set tmargin at screen sy(GY[s])
    set bmargin at screen sy(GY[s] + GH[s])
    set lmargin at screen sx(PX_L)
    set rmargin at screen sx(PX_W - PX_R)
    cmp_n = pdl_max(GN[s], 1)
    set yrange [cmp_n - 0.5 : -0.5]
    set ytics out nomirror scale 0.5 font ",8" autofreq
    if (cmp_n <= 4) { set ytics 1 }
    set format y "%.0f"
    if (s == NS) {
        set format x "%g"
        set xlabel "seconds since the run's start" textcolor rgb C_TEXT offset 0, 0.4
    } else {
        set format x ""
        unset xlabel
    }
    set label 1 sprintf("%s · %d worker%s · makespan %s s%s%s", SNAME[s], GW[s], GW[s] == 1 ? "" : "s", fmt_s(GK[s]), \
        GBAD[s] > 0 ? sprintf(" · %d failed", GBAD[s]) : "", GP[s] eq "" ? " · timeline not found" : "") \
        at screen sx(PX_L), screen sy(GY[s] - 8) left font ",10" textcolor rgb scol(s)
    cmp_ideal = GWRAN[s] > 0 ? pdl_max(GBUSY[s] / GWRAN[s], GLONG[s]) : BASE / GW[s]
    set arrow 1 from cmp_ideal, graph 0 to cmp_ideal, graph 1 nohead dt (8, 5) lw 1.3 lc rgb "#444444" front
    cmp_hh = GN[s] <= 40 ? 0.36 : 0.45
    cmp_f = GP[s]
    if (cmp_f ne "") {
        plot cmp_f every ::1 using (c_s(0)):(c_id(0)):(c_s(0)):(c_e(0)):(c_id(0) - cmp_hh):(c_id(0) + cmp_hh):(wcol(c_w(0))) \
                 with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
             cmp_f every ::1 using (is_ok(0) ? NaN : c_s(0)):(c_id(0)):(c_s(0)):(c_e(0)):(c_id(0) - cmp_hh):(c_id(0) + cmp_hh) \
                 with boxxyerror fs empty lw 1.5 lc rgb C_FAIL notitle
    } else {
        plot NaN notitle
    }
    unset label 1
    unset arrow 1
}

unset multiplot
unset output
