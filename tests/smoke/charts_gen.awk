# Writes a made-up pdl timeline (version 3) of n tasks on w workers, for
# chart tests and timings:  awk -v n=200000 -v w=64 -f charts_gen.awk
# Each worker takes the next task when its last one ends; durations are
# log-normal around 40 ms with a few slow ones, 1% fail (HTTP 503), 2% were
# retried once. -v order=end writes rows as tasks end (as version 4 will);
# -v ranks=R spreads the w workers over R mpi ranks (w/R each).
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()) }
BEGIN {
    OFS = "\t"; srand(seed ? seed : 7)
    n = n ? n : 1000; w = w ? w : 8
    for (k = 0; k < w; k++) clk[k] = 0
    wall = 0
    for (i = 0; i < n; i++) {
        k = i % w
        rk = ranks > 1 ? int(k / int(w / ranks)) : 0
        d = 0.04 * exp(0.6 * gauss()); if (rand() < 0.002) d *= 20
        s = clk[k] + 0.0002 * rand(); e = s + d; clk[k] = e
        if (e > wall) wall = e
        att = rand() < 0.02 ? 2 : 1
        as = att > 1 ? s + d * 0.3 : s
        fail = rand() < 0.01
        dns = 0.00002; con = i < w ? 0.0003 : 0; ttfb = (as - s) + (d - (as - s)) * 0.7
        bytes = fail ? 11 : int(1000 + 60000 * rand())
        row[i] = sprintf("%d\t%d\t%.6f\t%.6f\t%.6f\t%.6f\t0.000000\t%.6f\t%d\t%d\t%s\t%d\t%.6f\thttp://127.0.0.1:8080/bytes/%d?n=%d\t%s\t%d\tgen%d", \
            i, ranks > 1 ? k % int(w / ranks) : k, s, e, dns, con, ttfb, bytes, fail ? 503 : 200, fail ? "http" : "ok", att, as, bytes, i, fail ? "HTTP 503" : "", rk, rk)
        ends[i] = e
        if (!fail) ok++
    }
    print "# pdl-timeline 3"
    printf "# mode=threads workers=%d tasks=%d ok=%d failed=%d wall=%.6f started=2026-12-01T00:00:00Z epoch=1796083200.000000 host=gen pdl=0.1.0\n", (ranks > 1 ? int(w / ranks) : w), n, ok, n - ok, wall
    print "id\tworker\tstart\tend\tdns\tconnect\ttls\tttfb\tbytes\thttp\tstatus\tattempts\tattempt_start\turl\terror\trank\thost"
    if (order == "end") {
        cmd = "sort -t '\t' -k4,4g"
        for (i = 0; i < n; i++) print row[i] | cmd
        close(cmd)
    } else {
        for (i = 0; i < n; i++) print row[i]
    }
}
