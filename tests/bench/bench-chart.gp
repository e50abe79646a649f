# Draws bench.sh's medians: gnuplot -e "dir='RESULTS'" bench-chart.gp
# Reads dir/chart-{latency,rate,bandwidth,scale}.dat, writes dir/bench.png.
if (!exists("dir")) dir = "/tmp/pdl-bench-results"
set terminal pngcairo size 1400,1000 font ",10"
set output dir."/bench.png"
set datafile separator "\t"
set datafile missing NaN
set key outside right top
set grid
# ten distinct colours: pdl modes bluish/greenish, other tools warm/grey
colors = "#1f77b4 #17becf #2ca02c #9467bd #7f7fff #d62728 #ff7f0e #8c564b #7f7f7f #e377c2"
do for [i=1:10] { set linetype i lc rgb word(colors, i) lw 1.5 pt i }
set linetype cycle 10
set logscale x 2
set xlabel "W (workers / parallel transfers)"
set multiplot layout 2,2 title "pdl vs curl -Z, wget2, aria2c, xargs+curl (medians)"

f = dir."/chart-latency.dat"
if (system("test -s '".f."' && [ $(wc -l < '".f."') -gt 1 ] && echo y") eq "y") {
    n = system("head -1 '".f."' | awk -F'\t' '{print NF}'") + 0
    set title "latency-bound: efficiency (ideal / wall)"
    set ylabel "efficiency"
    set yrange [0:1.05]
    plot f using 1:2 with lines dt 2 lw 2 lc rgb "black" title columnhead(2), \
         for [i=3:n] f using 1:i with linespoints title columnhead(i)
}

f = dir."/chart-rate.dat"
if (system("test -s '".f."' && [ $(wc -l < '".f."') -gt 1 ] && echo y") eq "y") {
    n = system("head -1 '".f."' | awk -F'\t' '{print NF}'") + 0
    set title "request-rate-bound: requests/s (/bytes/64)"
    set ylabel "req/s (log)"
    set logscale y
    set yrange [*:*]
    plot f using 1:2 with lines dt 2 lw 2 lc rgb "black" title columnhead(2), \
         for [i=3:n] f using 1:i with linespoints title columnhead(i)
}

f = dir."/chart-bandwidth.dat"
if (system("test -s '".f."' && [ $(wc -l < '".f."') -gt 1 ] && echo y") eq "y") {
    n = system("head -1 '".f."' | awk -F'\t' '{print NF}'") + 0
    set title "bandwidth-bound: MiB/s"
    set ylabel "MiB/s"
    unset logscale y
    set yrange [0:*]
    plot f using 1:2 with lines dt 2 lw 2 lc rgb "black" title columnhead(2), \
         for [i=3:n] f using 1:i with linespoints title columnhead(i)
}

unset logscale x
unset logscale y
unset xlabel
set title "scale: peak RSS (MiB, left) and start-up (ms, right)"
set ylabel "peak RSS MiB"
set y2label "start-up ms"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
set style fill solid 0.6
set boxwidth 0.35
set key inside top left
f = dir."/chart-scale.dat"
if (system("test -s '".f."' && [ $(wc -l < '".f."') -gt 1 ] && echo y") eq "y") {
    plot f using ($0-0.2):2:xtic(1) with boxes title "peak RSS MiB", \
     f using ($0+0.2):3 axes x1y2 with boxes title "start-up ms"
}
unset multiplot
