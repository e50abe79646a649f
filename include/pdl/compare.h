/* The comparison lab: one URL list run under several modes, worker counts and
 * schedules, every run a child pdl process measured from outside, the
 * results gathered into one summary TSV, a table and a chart. */
#ifndef PDL_COMPARE_H
#define PDL_COMPARE_H

#define PDL_COMPARE_VERSION 1
#define PDL_COMPARE_HEADER                                                     \
    "mode\tworkers\tschedule\trepeat\twall\tmakespan\tuser\tsys\tmaxrss_kb\t"  \
    "ok\tfailed\tbytes\ttimeline"

/* `pdl compare [OPTIONS] [RUN OPTIONS] LIST...`, with argv[0] "compare".
 * Runs every configuration (mode x workers x schedule; serial once) repeat
 * times, each as a fork + exec of /proc/self/exe writing its own timeline
 * into the --dir folder, and measures it with wait4(). Writes the summary
 * TSV (`# pdl-compare 1`, then PDL_COMPARE_HEADER, then one row per
 * measured run), prints a table and the median makespans on stdout, and
 * draws plots/compare.gp when asked. A run that fails (exit status 2 or
 * more, a signal, no readable timeline) is reported on stderr and left out
 * of the summary; the others go on.
 * Returns the exit status: 0 every run and task ok; 1 some task or some run
 * failed; 2 usage error, unusable --dir or summary, or no run measured;
 * 128 + the signal if SIGINT or SIGTERM stopped it. Never calls exit(). */
int pdl_compare_main(int argc, char **argv);

#endif
