/* The command line of a run: options, their checks and the usage text.
 * Parsing never exits: it returns what main should do. */
#ifndef PDL_CLI_H
#define PDL_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "pdl/job.h"
#include "pdl/progress.h"

enum pdl_exit {
    PDL_EXIT_OK = 0,
    PDL_EXIT_FAILED = 1, /* a task failed or a list line was bad */
    PDL_EXIT_USAGE = 2,  /* bad option, unreadable list, unusable output */
    /* Interrupted: 128 + the signal, as shells report it (130, 143). */
};

#define PDL_EXPORTS_MAX 8
#define PDL_CHARTS_MAX 8

struct pdl_cli {
    struct pdl_options opt;
    const char *timeline; /* NULL = none */
    const char *chart;    /* the first --chart, NULL = none */
    /* Every --chart, in order; chart is the first. */
    const char *charts[PDL_CHARTS_MAX];
    size_t ncharts;
    const char *chart_by; /* plots/ script: gantt, lanes or overview */
    const char *failed;   /* failed list, NULL = none */
    const char *json;     /* JSON report, "-" = stdout, NULL = none */
    const char *exports[PDL_EXPORTS_MAX];
    size_t nexports;
    enum pdl_progress_style progress; /* AUTO unless --progress */
    bool quiet;
    bool no_glob; /* take [ ] { } in URLs literally */
    char **lists;
    int nlists;
    /* Repeatable request options, in order (opt points at them). */
    const char **headers;
    size_t nheaders;
    const char **resolve;
    size_t nresolve;
    const char **connect_to;
    size_t nconnect_to;
    struct pdl_checksums *checksums; /* --checksums, loaded */
    char **owned; /* strings made while parsing (-H @FILE, the config) */
    size_t nowned;
    char **argv; /* argv with the config file's options, NULL if none */
};

/* Fills cli from argv (pointers into argv are kept). Returns -1 to go on,
 * or the exit code to end with after --help, --version or a usage error
 * (already reported on stderr in the form `pdl: <what>: <why>`). */
int pdl_cli_parse(int argc, char **argv, struct pdl_cli *cli);

/* Frees what pdl_cli_parse allocated (whatever it returned); the cli's
 * strings and options are gone after it. */
void pdl_cli_cleanup(struct pdl_cli *cli);

/* Checks that every --chart can be written, before anything is downloaded.
 * Returns 0, or PDL_EXIT_USAGE (reported on stderr). */
int pdl_cli_check_charts(const struct pdl_cli *cli);

/* pdl chart TIMELINE OUT... [--by task|worker|overview]: draws a saved
 * timeline. argv[0] is "chart". Returns the exit code. */
int pdl_cmd_chart(int argc, char **argv);

/* pdl [OPTIONS] LIST...: the run. Returns the exit code. */
int pdl_cmd_run(int argc, char **argv);

/* pdl compare [OPTIONS] [RUN OPTIONS] LIST..., with argv[0] "compare".
 * Runs every configuration (mode x workers x schedule; serial once) repeat
 * times, each as a fork + exec of /proc/self/exe writing its own timeline
 * into the --dir folder, and measures it with wait4(). Writes the summary
 * TSV (`# pdl-compare 1`, a header, one row per measured run), prints a
 * table and the median makespans on stdout (or writes the --json document),
 * and draws plots/compare.gp when asked. A run that fails (exit status 2
 * or more, a signal, no readable timeline) is reported on stderr and left
 * out of the summary; the others go on. Returns the exit status: 0 every
 * run and task ok; 1 some task or run failed; 2 usage error, unusable
 * --dir or summary, or no run measured; 128 + the signal if SIGINT or
 * SIGTERM stopped it. */
int pdl_cmd_compare(int argc, char **argv);

/* pdl export TIMELINE FILE...: a timeline in other formats. Returns the
 * exit code. */
int pdl_cmd_export(int argc, char **argv);

#endif
