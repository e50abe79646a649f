/* The command line of a run: options, their checks and the usage text.
 * Parsing never exits: it returns what main should do. */
#ifndef PDL_CLI_H
#define PDL_CLI_H

#include <getopt.h> /* no_argument, required_argument, optind */
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pdl/job.h"
#include "pdl/progress.h"

enum pdl_exit {
    PDL_EXIT_OK = 0,
    PDL_EXIT_FAILED = 1, /* a task failed or a list line was bad */
    PDL_EXIT_USAGE = 2,  /* bad option, unreadable list, unusable output */
    /* Interrupted: 128 + the signal, as shells report it (130, 143). */
};

/* One option of a command, in the order --help shows it. Every command's
 * getopt_long array, short-option string and --help lines come from one
 * table of these, so that an option is written once. A table ends with an
 * entry whose name and help are both NULL. */
struct pdl_opt {
    const char *name; /* long name; NULL: help is text printed as it is */
    int has_arg;      /* no_argument or required_argument */
    int id;           /* the short letter, or a number >= 256 unique among
                         the tables a command merges */
    const char *arg;  /* the value's name in --help (NULL if none) */
    /* The --help text, a printf format (%% for %); each line after the
     * first is indented to the text column. NULL: not shown. */
    const char *help;
    /* Run options only: NULL if pdl compare passes the option on to every
     * run, else why compare refuses it. */
    const char *not_forwarded;
};

/* clang-format off */
#define PDL_OPT_TEXT(text) {NULL, 0, 0, NULL, (text), NULL}
#define PDL_OPT_END {NULL, 0, 0, NULL, NULL, NULL}
/* clang-format on */

/* How a table's --help lines are laid out. */
struct pdl_opt_layout {
    int column;       /* where the help text starts */
    bool long_indent; /* long-only options line up past "-x, " */
};

/* The run's options (cli.c), which compare forwards or refuses. */
extern const struct pdl_opt pdl_run_opts[];

/* Called by pdl_cli_options for each option: c as getopt_long returns it
 * ('?' an unknown option, ':' a missing value when quiet), arg its value.
 * Returns -1 to go on, or the exit code to end with. */
typedef int pdl_opt_fn(void *ctx, int c, const char *arg);

/* Parses the options of argv from argv[1] through the ntables tables (an
 * option is taken from the first table that has its long name or letter)
 * and calls fn(ctx, ...) for each. quiet: getopt_long prints nothing and
 * returns ':' for a missing value. Returns -1 when the options end (optind
 * is then the first operand), or the exit code fn returned. */
int pdl_cli_options(int argc, char **argv, const struct pdl_opt *const *tables,
                    size_t ntables, bool quiet, pdl_opt_fn *fn, void *ctx);

/* Appends the whole number item (lo..hi) to the n of max numbers in v.
 * Returns 0, or why not: 1 not such a number, 2 already listed, 3 v full. */
int pdl_cli_add_number(const char *item, long lo, long hi, unsigned *v,
                       size_t *n, size_t max);

/* The entry of table with this id, or NULL. */
const struct pdl_opt *pdl_opt_find(const struct pdl_opt *table, int id);

/* The entry of table whose long name is the n bytes at name, or NULL. */
const struct pdl_opt *pdl_opt_named(const struct pdl_opt *table,
                                    const char *name, size_t n);

/* Prints head, the table's help lines laid out as lay says, then tail, all
 * as one printf format taking the arguments that follow. */
void pdl_opt_usage(FILE *out, const struct pdl_opt *table,
                   const struct pdl_opt_layout *lay, const char *head,
                   const char *tail, ...);

/* Calls add(ctx, item) on every comma-separated item of arg ("1,2,4").
 * An empty item or one of 63 bytes or more is refused. Returns 0, the
 * first non-zero return of add, or -1 with *why set for a bad item. */
int pdl_cli_each_item(const char *arg, int (*add)(void *ctx, const char *item),
                      void *ctx, const char **why);

/* Writes s to out as a JSON string, quotes included. */
void pdl_json_string(FILE *out, const char *s);

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

/* Whether anything the run writes reads the records' phase times and
 * connections: the summary (unless -q), the timeline, --json, --export,
 * --chart. Without, fetch skips asking libcurl for them. */
bool pdl_cli_reads_details(const struct pdl_cli *cli);

/* Frees what pdl_cli_parse allocated (whatever it returned); the cli's
 * strings and options are gone after it. */
void pdl_cli_cleanup(struct pdl_cli *cli);

/* Checks that every --chart can be written, before anything is downloaded.
 * Returns 0, or PDL_EXIT_USAGE (reported on stderr). */
int pdl_cli_check_charts(const struct pdl_cli *cli);

/* pdl chart TIMELINE OUT... [--by task|worker|overview]: draws a saved
 * timeline. argv[0] is "chart". Returns the exit code. */
int pdl_cmd_chart(int argc, char **argv);

/* Points SIGINT and SIGTERM at on_signal, keeping the old actions in old
 * (SIGINT, SIGTERM) for pdl_cli_restore_signals; a signal that was ignored
 * (a background job) stays ignored. No SA_RESTART: a blocking wait4() or
 * read must return so that the command can pass the signal on. */
void pdl_cli_catch_signals(void (*on_signal)(int), struct sigaction old[2]);
void pdl_cli_restore_signals(const struct sigaction old[2]);

/* pdl [OPTIONS] LIST...: the run. Returns the exit code. */
int pdl_cmd_run(int argc, char **argv);
/* The same, with the mpi mode run by the row mpi instead of pdl's (which
 * becomes pdl-mpi): pdl-mpi's main. */
struct pdl_runner;
int pdl_cmd_run_as(int argc, char **argv, const struct pdl_runner *mpi);

/* What every pdl binary sets first: malloc's thresholds, SIGPIPE ignored. */
void pdl_main_init(void);

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

/* pdl predict TIMELINE [options]: the command. argv[0] is "predict".
 * Returns the exit code. */
int pdl_cmd_predict(int argc, char **argv);

/* pdl demo [DIR]: the bundled test server in this process, the demo list
 * in every mode, pdl compare and pdl predict, charts and an index in DIR.
 * argv[0] is "demo". Returns the exit code. */
int pdl_cmd_demo(int argc, char **argv);

/* pdl export TIMELINE FILE...: a timeline in other formats. Returns the
 * exit code. */
int pdl_cmd_export(int argc, char **argv);

#endif
