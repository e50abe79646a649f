/* pdl compare: runs one URL list under a set of modes, worker counts and
 * schedules, each run a child pdl measured from outside with wait4(), and
 * shows the difference as a summary TSV, a table and a chart. */
#include "../cli.h"
#include "compare.h"
#include "pdl/chart.h"
#include "pdl/job.h"
#include "pdl/outdir.h"
#include "pdl/parse.h"
#include "pdl/predict.h"
#include "pdl/runner.h"
#include "pdl/timeline.h"
#include "pdl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first SIGINT or SIGTERM, 0 if none. A handler rather than
 * pdl_sigwatch, because the signal has to interrupt wait4() so that a
 * SIGTERM can be passed on to the run in progress. */
static volatile sig_atomic_t cmp_caught;

static void cmp_on_signal(int sig)
{
    if (!cmp_caught)
        cmp_caught = sig;
}

/* Compare's own options; every run option not among them is the run's
 * (pdl_run_opts): passed on to every run, or refused with its reason. */
enum {
    CO_MODES = 0x1000, /* above the run's ids, since the tables merge */
    CO_SCHEDULES,
    CO_REPEAT,
    CO_DIR,
    CO_SUMMARY,
    CO_CHART,
    CO_JSON
};

static const struct pdl_opt compare_opts[] = {
    {"modes", required_argument, CO_MODES, "LIST",
     "modes to run (default serial,threads,processes);\n"
     "serial runs once per repeat, with 1 worker",
     NULL},
    {"workers", required_argument, 'w', "LIST",
     "worker counts, 1..%d (default 1,2,4,8)", NULL},
    {"schedules", required_argument, CO_SCHEDULES, "LIST",
     "dynamic, static (default dynamic)", NULL},
    {"repeat", required_argument, CO_REPEAT, "N",
     "run every configuration N times, 1..%d (default 1);\n"
     "the order rotates from one repeat to the next",
     NULL},
    {"dir", required_argument, CO_DIR, "DIR",
     "where each run's timeline goes, created if missing\n"
     "(default pdl-compare/); named M-wW-S-rR.tsv",
     NULL},
    {"summary", required_argument, CO_SUMMARY, "FILE",
     "summary TSV (default DIR/summary.tsv; -: also\n"
     "written to stdout, in place of the table)",
     NULL},
    {"chart", required_argument, CO_CHART, "FILE",
     "draw the comparison (.png, .svg or .pdf), the\n"
     "predicted makespans dashed over the measured ones",
     NULL},
    {"json", required_argument, CO_JSON, "FILE",
     "the whole comparison as one JSON document: the\n"
     "configurations with median, min and max, every\n"
     "run, the reference, the predictions ('-' = stdout,\n"
     "which then carries nothing else)",
     NULL},
    {"help", no_argument, 'h', NULL, "this text", NULL},
    PDL_OPT_END,
};

static const struct pdl_opt_layout compare_layout = {25, true};

static const char compare_head[] =
    "Usage: pdl compare [OPTIONS] [RUN OPTIONS] LIST...\n"
    "Run the same URL list under several modes, worker counts and "
    "schedules,\n"
    "each run a separate pdl process, and show the difference.\n"
    "\n"
    "Options:\n";

static const char compare_tail[] =
    "\n"
    "Every other argument goes to each run unchanged: run options such as\n"
    "--discard, -o DIR, --timeout T, --chunk N (see pdl --help), and the "
    "LIST\n"
    "files. Compare sets --mode, -w, --schedule, --timeline and -q "
    "itself.\n"
    "A LIST '-' is read from stdin once, into DIR/stdin-list.txt, which "
    "every run\n"
    "reads and which is removed at the end.\n"
    "\n"
    "Each run is measured from outside: wall time (the whole command), "
    "user and\n"
    "system CPU seconds (worker processes included), peak RSS (the largest "
    "of\n"
    "its processes), and from its timeline the makespan (the last task's "
    "end),\n"
    "tasks ok and failed, bytes. Each run's stderr is kept in "
    "M-wW-S-rR.log when\n"
    "it said anything. The table and the median makespan per worker count "
    "go to\n"
    "stdout. Each series is also predicted from its run at the fewest "
    "workers by\n"
    "pdl predict, for every W compared, into the summary's name with "
    "-predicted.\n"
    "\n"
    "Examples:\n"
    "  pdl compare --workers 1,2,4,8 --repeat 3 --chart cmp.png --discard "
    "urls.txt\n"
    "  pdl compare --modes threads -w 4 --schedules dynamic,static "
    "--discard skewed.txt\n"
    "  pdl compare -w 1,2,4 --json - --discard urls.txt | jq "
    "'.configurations[]'\n"
    "  gnuplot -e \"summary='pdl-compare/summary.tsv'; out='c.png'\" "
    "plots/compare.gp\n"
    "\n"
    "Exit status: 0 all runs and tasks ok; 1 some task or run failed; 2 "
    "usage\n"
    "error, unusable --dir or summary, or no run could be measured.\n";

static void usage(FILE *out)
{
    pdl_opt_usage(out, compare_opts, &compare_layout, compare_head,
                  compare_tail, PDL_WORKERS_MAX, CMP_REPEAT_MAX);
}

/* Reports a bad option value in the one error form. */
static int bad_value(const char *opt, const char *why, const char *val)
{
    char q[256];

    pdl_quote(val, strlen(val), q, sizeof(q));
    fprintf(stderr, "pdl compare: %s: %s: \"%s\"\n", opt, why, q);
    return PDL_EXIT_USAGE;
}

static int add_mode(void *ctx, const char *item)
{
    struct cmp_cli *cli = ctx;
    const struct pdl_runner *r = pdl_runner_find(item);
    char why[256] = "unknown mode (";

    if (!r) {
        for (size_t i = 0; pdl_runners[i]; i++) {
            strncat(why, pdl_runners[i]->name, sizeof(why) - strlen(why) - 1);
            strncat(why, pdl_runners[i + 1] ? ", " : ")",
                    sizeof(why) - strlen(why) - 1);
        }
        return bad_value("--modes", why, item);
    }
    for (size_t i = 0; i < cli->nmodes; i++)
        if (cli->modes[i] == r->name)
            return bad_value("--modes", "listed twice", item);
    if (cli->nmodes == CMP_LIST_MAX)
        return bad_value("--modes", "too many modes", item);
    cli->modes[cli->nmodes++] = r->name;
    return 0;
}

static int add_workers(void *ctx, const char *item)
{
    struct cmp_cli *cli = ctx;
    char why[96];
    int rc = pdl_cli_add_number(item, 1, PDL_WORKERS_MAX, cli->workers,
                                &cli->nworkers, CMP_LIST_MAX);

    if (rc == 1)
        snprintf(why, sizeof(why),
                 "must be whole numbers from 1 to %d, separated by commas",
                 PDL_WORKERS_MAX);
    else if (rc == 2)
        snprintf(why, sizeof(why), "listed twice");
    else
        snprintf(why, sizeof(why), "at most %d worker counts", CMP_LIST_MAX);
    return rc == 0 ? 0 : bad_value("--workers", why, item);
}

static int add_schedule(void *ctx, const char *item)
{
    static const char *const names[] = {"dynamic", "static"};
    struct cmp_cli *cli = ctx;
    const char *name = NULL;

    for (size_t i = 0; i < CMP_LEN(names); i++)
        if (strcmp(item, names[i]) == 0)
            name = names[i];
    if (!name)
        return bad_value("--schedules", "must be dynamic or static", item);
    for (size_t i = 0; i < cli->nschedules; i++)
        if (cli->schedules[i] == name)
            return bad_value("--schedules", "listed twice", item);
    cli->schedules[cli->nschedules++] = name;
    return 0;
}

/* Calls add on every comma-separated item of arg. Returns 0 or the exit
 * code of the first bad item. */
static int each_item(struct cmp_cli *cli, const char *opt, const char *arg,
                     int (*add)(void *, const char *))
{
    const char *why;
    int rc = pdl_cli_each_item(arg, add, cli, &why);

    return rc < 0 ? bad_value(opt, why, arg) : rc;
}

/* A file option's value: not empty; '-' only where it means stdout. */
static bool is_stdout(const char *name)
{
    return name && strcmp(name, "-") == 0;
}

static int set_file(const char **to, const char *opt, const char *val,
                    bool dash)
{
    if (!*val)
        return bad_value(opt, "empty name", val);
    if (!dash && strcmp(val, "-") == 0)
        return bad_value(opt, "must name a file (- is not stdout here)", val);
    *to = val;
    return 0;
}

/* One of compare's own options into cli. Returns 0 or the exit code. */
static int set_value(struct cmp_cli *cli, int id, const char *val)
{
    long v;

    switch (id) {
    case CO_MODES:
        cli->nmodes = 0;
        return each_item(cli, "--modes", val, add_mode);
    case 'w':
        cli->nworkers = 0;
        return each_item(cli, "--workers", val, add_workers);
    case CO_SCHEDULES:
        cli->nschedules = 0;
        return each_item(cli, "--schedules", val, add_schedule);
    case CO_REPEAT:
        if (!pdl_parse_long(val, 1, CMP_REPEAT_MAX, &v))
            return bad_value("--repeat",
                             "must be a whole number from 1 to "
                             "100",
                             val);
        cli->repeat = (unsigned)v;
        return 0;
    case CO_DIR:
        return set_file(&cli->dir, "--dir", val, false);
    case CO_SUMMARY:
        if (is_stdout(val) && is_stdout(cli->json))
            return bad_value("--summary", "stdout already carries --json -",
                             val);
        return set_file(&cli->summary, "--summary", val, true);
    case CO_JSON:
        if (is_stdout(val) && is_stdout(cli->summary))
            return bad_value("--json", "stdout already carries --summary -",
                             val);
        return set_file(&cli->json, "--json", val, true);
    case CO_CHART:
        if (!pdl_chart_format_ok(val))
            return bad_value("--chart",
                             "unknown chart format (use .png, "
                             ".svg or .pdf)",
                             val);
        cli->chart = val;
        return 0;
    }
    return 0;
}

/* The option as the user wrote it, for messages: "-t", "--mode". */
static void typed(char **argv, const char *arg, int id, char *out, size_t n)
{
    const char *s =
        arg && argv[optind - 1] == arg ? argv[optind - 2] : argv[optind - 1];

    if (s[0] == '-' && s[1] != '-')
        snprintf(out, n, "-%c", id);
    else
        snprintf(out, n, "%.*s", (int)strcspn(s, "="), s);
}

/* A run option: kept to pass on to every run as --name [value], or
 * refused with the reason its entry in the run's table gives. */
static int run_option(struct cmp_cli *cli, char **argv, int id, const char *arg)
{
    const struct pdl_opt *o = pdl_opt_find(pdl_run_opts, id);
    char shown[64], name[64];

    if (o && o->not_forwarded) {
        typed(argv, arg, id, shown, sizeof(shown));
        fprintf(stderr, "pdl compare: %s: %s\n", shown, o->not_forwarded);
        return PDL_EXIT_USAGE;
    }
    if (!o)
        return PDL_EXIT_USAGE;
    snprintf(name, sizeof(name), "--%s", o->name);
    /* The predicted curves replay the runs in the order they ran in. */
    if (strcmp(o->name, "order") == 0)
        cli->longest_first = strcmp(arg, "longest-first") == 0;
    cli->pass[cli->npass++] = pdl_xstrdup(name);
    if (o->has_arg == required_argument)
        cli->pass[cli->npass++] = pdl_xstrdup(arg);
    return 0;
}

/* What getopt_long could not take: an unknown option, a missing value. */
static int bad_option(char **argv, int c)
{
    const struct pdl_opt *o = pdl_opt_find(compare_opts, optopt);

    if (!o)
        o = pdl_opt_find(pdl_run_opts, optopt);
    if (c == ':' && o)
        fprintf(stderr, "pdl compare: --%s: needs a value\n", o->name);
    else if (optopt > 0 && optopt < 256)
        fprintf(stderr, "pdl compare: -%c: unknown option\n", optopt);
    else
        fprintf(stderr, "pdl compare: %s: unknown option\n", argv[optind - 1]);
    fputs("Try 'pdl compare --help' and 'pdl --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* What compare's option callback needs. */
struct cmp_parse {
    struct cmp_cli *cli;
    char **argv;
};

/* One option from getopt_long. Returns -1 to go on, or the exit code. */
static int one_option(void *ctx, int c, const char *arg)
{
    struct cmp_parse *p = ctx;
    int rc;

    if (c == '?' || c == ':')
        return bad_option(p->argv, c);
    if (c == 'h') {
        usage(stdout);
        return PDL_EXIT_OK;
    }
    if (pdl_opt_find(compare_opts, c))
        rc = set_value(p->cli, c, arg);
    else
        rc = run_option(p->cli, p->argv, c, arg);
    return rc == 0 ? -1 : rc;
}

/* The lists after the options: at least one. Returns -1 or the exit code. */
static int take_lists(struct cmp_cli *cli, int argc, char **argv)
{
    /* Each run would refuse it: say so once, before any run. */
    for (size_t s = 0; cli->longest_first && s < cli->nschedules; s++)
        if (strcmp(cli->schedules[s], "static") == 0) {
            fputs("pdl compare: --order longest-first: the static schedule "
                  "cuts the list in its order; compare --schedules "
                  "dynamic\n",
                  stderr);
            return PDL_EXIT_USAGE;
        }
    if (optind >= argc) {
        fputs("pdl compare: no URL list given\n"
              "Try 'pdl compare --help'.\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    cli->lists = argv + optind;
    cli->nlists = argc - optind;
    for (int i = 0; i < cli->nlists; i++)
        cli->stdin_list |= strcmp(cli->lists[i], "-") == 0;
    return -1;
}

static int set_defaults(struct cmp_cli *cli, int argc)
{
    int rc;

    memset(cli, 0, sizeof(*cli));
    cli->repeat = 1;
    cli->dir = "pdl-compare/";
    cli->pass = pdl_xcalloc(2 * (size_t)argc, sizeof(*cli->pass));
    rc = set_value(cli, CO_MODES, "serial,threads,processes");
    if (rc == 0)
        rc = set_value(cli, 'w', "1,2,4,8");
    if (rc == 0)
        rc = set_value(cli, CO_SCHEDULES, "dynamic");
    return rc;
}

/* Fills cli from argv (argv[0] is "compare"), through compare's table and
 * the run's. Returns -1 to go on, or the exit code to end with. cli->pass
 * is allocated either way. */
static int parse_args(int argc, char **argv, struct cmp_cli *cli)
{
    const struct pdl_opt *tables[] = {compare_opts, pdl_run_opts};
    struct cmp_parse p = {cli, argv};
    int rc = set_defaults(cli, argc);

    if (rc != 0)
        return rc;
    rc = pdl_cli_options(argc, argv, tables, CMP_LEN(tables), true, one_option,
                         &p);
    return rc < 0 ? take_lists(cli, argc, argv) : rc;
}

/* Every configuration, mode-major, in the order the lists give. Serial is
 * one configuration: with one worker, worker counts and schedules cannot
 * change how it runs. */
static size_t build_configs(const struct cmp_cli *cli, struct cmp_config *out)
{
    size_t n = 0;

    for (size_t m = 0; m < cli->nmodes; m++) {
        if (strcmp(cli->modes[m], pdl_runner_serial.name) == 0) {
            out[n++] = (struct cmp_config){cli->modes[m], 1, cli->schedules[0]};
            continue;
        }
        for (size_t w = 0; w < cli->nworkers; w++)
            for (size_t s = 0; s < cli->nschedules; s++)
                out[n++] = (struct cmp_config){cli->modes[m], cli->workers[w],
                                               cli->schedules[s]};
    }
    return n;
}

/* "threads -w 4 static"; the schedule only when several are compared. */
static void config_label(const struct cmp_state *st, const struct cmp_config *c,
                         char *out, size_t outsz)
{
    if (strcmp(c->mode, pdl_runner_serial.name) == 0)
        snprintf(out, outsz, "%s", c->mode);
    else if (st->cli->nschedules > 1)
        snprintf(out, outsz, "%s -w %u %s", c->mode, c->workers, c->schedule);
    else
        snprintf(out, outsz, "%s -w %u", c->mode, c->workers);
}

/* dir/name, without doubling a trailing slash. Returns false if it does
 * not fit. */
static bool join_path(char *out, size_t outsz, const char *dir,
                      const char *name)
{
    size_t len = strlen(dir);
    int n = snprintf(out, outsz, "%s%s%s", dir,
                     len > 0 && dir[len - 1] == '/' ? "" : "/", name);

    return n >= 0 && (size_t)n < outsz;
}

/* Gives every run its configuration, repeat and timeline path. */
static int plan_runs(struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;
    char name[256], path[CMP_PATH_MAX];

    st->nruns = st->nconfigs * cli->repeat;
    st->runs = pdl_xcalloc(st->nruns, sizeof(*st->runs));
    st->order = pdl_xcalloc(st->nruns, sizeof(*st->order));
    for (size_t i = 0; i < st->nruns; i++) {
        struct cmp_run *run = &st->runs[i];
        const struct cmp_config *c = &st->configs[i / cli->repeat];
        run->config = i / cli->repeat;
        run->repeat = (unsigned)(i % cli->repeat) + 1;
        snprintf(name, sizeof(name), "%s-w%u-%s-r%u.tsv", c->mode, c->workers,
                 c->schedule, run->repeat);
        if (!join_path(path, sizeof(path), cli->dir, name))
            return bad_value("--dir", "name too long", cli->dir);
        run->timeline = pdl_xstrdup(path);
    }
    return 0;
}

static int open_summary(struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;

    /* With --summary -, the summary is still kept in DIR (the chart and the
     * predictions read it), and copied to stdout at the end. */
    if (cli->summary && !is_stdout(cli->summary)) {
        if (pdl_path_fmt(st->summary_path, sizeof(st->summary_path), "%s",
                         cli->summary) != PDL_OK)
            return bad_value("--summary", "name too long", cli->summary);
    } else if (!join_path(st->summary_path, sizeof(st->summary_path), cli->dir,
                          "summary.tsv"))
        return bad_value("--dir", "name too long", cli->dir);
    st->summary = fopen(st->summary_path, "w");
    if (!st->summary) {
        fprintf(stderr, "pdl compare: %s: %s\n", st->summary_path,
                strerror(errno));
        return PDL_EXIT_USAGE;
    }
    fprintf(st->summary, "# pdl-compare %d\n%s\n", CMP_VERSION, CMP_HEADER);
    fflush(st->summary);
    return 0;
}

/* Copies in to out. Returns 0, or -1 with errno set. */
static int copy_stream(FILE *in, FILE *out)
{
    char buf[65536];

    for (;;) {
        size_t n = fread(buf, 1, sizeof(buf), in);
        if (n > 0 && fwrite(buf, 1, n, out) != n)
            return -1;
        if (n < sizeof(buf))
            return ferror(in) ? -1 : 0;
    }
}

/* A LIST "-": stdin read once into DIR/stdin-list.txt, since every run
 * reads the list again. Returns 0 or an exit code. */
static int save_stdin(struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;
    FILE *out;
    int rc;

    if (!cli->stdin_list)
        return 0;
    if (!join_path(st->stdin_path, sizeof(st->stdin_path), cli->dir,
                   "stdin-list.txt"))
        return bad_value("--dir", "name too long", cli->dir);
    out = fopen(st->stdin_path, "w");
    if (!out) {
        fprintf(stderr, "pdl compare: %s: %s\n", st->stdin_path,
                strerror(errno));
        st->stdin_path[0] = '\0';
        return PDL_EXIT_USAGE;
    }
    rc = copy_stream(stdin, out);
    if (fclose(out) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "pdl compare: -: copying stdin to %s: %s\n",
                st->stdin_path, strerror(errno));
        return PDL_EXIT_USAGE;
    }
    return 0;
}

/* Everything that can fail before the first run: the folder, the summary,
 * the plan. Returns 0 or an exit code. */
static int prepare(struct cmp_state *st)
{
    const struct cmp_cli *cli = st->cli;
    char err[512];
    int fd = pdl_outdir_open(cli->dir, err, sizeof(err));
    int rc;

    if (fd < 0) {
        fprintf(stderr, "pdl compare: --dir: %s: %s\n", cli->dir, err);
        return PDL_EXIT_USAGE;
    }
    close(fd);
    st->configs = pdl_xcalloc(cli->nmodes * cli->nworkers * cli->nschedules,
                              sizeof(*st->configs));
    st->nconfigs = build_configs(cli, st->configs);
    rc = plan_runs(st);
    if (rc == 0)
        rc = save_stdin(st);
    if (rc == 0)
        rc = open_summary(st);
    st->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (rc == 0 && st->devnull < 0) {
        fprintf(stderr, "pdl compare: /dev/null: %s\n", strerror(errno));
        rc = PDL_EXIT_USAGE;
    }
    return rc;
}

/* The child's argv: compare's settings, the run options passed on, then
 * "--" and the lists, so that no list can pass for an option. */
static char **child_argv(const struct cmp_state *st, const struct cmp_config *c,
                         const char *timeline, char *wbuf, size_t wbufsz)
{
    const struct cmp_cli *cli = st->cli;
    char **argv = pdl_xcalloc(12 + (size_t)cli->npass + (size_t)cli->nlists,
                              sizeof(*argv));
    size_t n = 0;

    snprintf(wbuf, wbufsz, "%u", c->workers);
    argv[n++] = "pdl";
    argv[n++] = "--mode";
    argv[n++] = (char *)c->mode;
    argv[n++] = "-w";
    argv[n++] = wbuf;
    argv[n++] = "--schedule";
    argv[n++] = (char *)c->schedule;
    argv[n++] = "--timeline";
    argv[n++] = (char *)timeline;
    argv[n++] = "-q";
    for (int i = 0; i < cli->npass; i++)
        argv[n++] = cli->pass[i];
    argv[n++] = "--";
    for (int i = 0; i < cli->nlists; i++)
        argv[n++] = strcmp(cli->lists[i], "-") == 0 ? (char *)st->stdin_path
                                                    : cli->lists[i];
    return argv;
}

/* In the forked child: stdout to /dev/null, stderr to the run's log, then
 * pdl itself. Only async-signal-safe calls; never returns. */
static void exec_child(char **argv, int logfd, int nullfd)
{
    static const char msg[] = "pdl compare: cannot execute /proc/self/exe\n";

    if (dup2(nullfd, STDOUT_FILENO) < 0 || dup2(logfd, STDERR_FILENO) < 0)
        _exit(127);
    execv("/proc/self/exe", argv);
    ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)n;
    _exit(127);
}

static double tv_secs(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Runs argv as a child, waits for it and fills the measured fields of run.
 * The wall clock runs from just before fork() to wait4()'s return, so it is
 * the whole command: exec, start-up, downloads, timeline, exit. Returns 0
 * with *status set, or -1 (errno set) if the child could not be started. */
static int measure(char **argv, int logfd, int nullfd, struct cmp_run *run,
                   int *status)
{
    struct rusage ru;
    bool forwarded = false;
    pdl_monotime t0;
    pid_t pid;

    fflush(NULL);
    t0 = pdl_now();
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        exec_child(argv, logfd, nullfd);
    while (wait4(pid, status, 0, &ru) < 0) {
        if (errno != EINTR)
            return -1;
        /* SIGINT from a terminal reaches the run's process group by itself;
         * a second one would end it at once. SIGTERM is compare's alone. */
        if (cmp_caught == SIGTERM && !forwarded) {
            kill(pid, SIGTERM);
            forwarded = true;
        }
    }
    run->wall = (double)(pdl_now() - t0) / 1e9;
    run->user = tv_secs(ru.ru_utime);
    run->sys = tv_secs(ru.ru_stime);
    run->maxrss_kb = ru.ru_maxrss; /* KiB on Linux; includes reaped workers */
    return 0;
}

/* The first line of the file at path into out (empty if none). */
static void first_line(const char *path, char *out, size_t outsz)
{
    FILE *f = fopen(path, "r");

    out[0] = '\0';
    if (!f)
        return;
    if (fgets(out, (int)outsz, f))
        out[strcspn(out, "\n")] = '\0';
    fclose(f);
}

/* Exit 0 and 1 (some tasks failed) are data; anything else is reported.
 * Returns 0 or -1. */
static int check_status(const char *label, const struct cmp_run *run,
                        int status, const char *log)
{
    char line[512];

    if (WIFEXITED(status) && WEXITSTATUS(status) <= 1)
        return 0;
    first_line(log, line, sizeof(line));
    if (WIFSIGNALED(status))
        fprintf(stderr, "pdl compare: %s, repeat %u: killed by signal %d (%s)",
                label, run->repeat, WTERMSIG(status),
                strsignal(WTERMSIG(status)));
    else
        fprintf(stderr, "pdl compare: %s, repeat %u: exited with status %d",
                label, run->repeat, WEXITSTATUS(status));
    if (line[0])
        fprintf(stderr, ": %s (log: %s)", line, log);
    fputc('\n', stderr);
    return -1;
}

/* Row i of a timeline read back, for pdl_stats_compute_each. */
static const struct pdl_result *row_at(const void *ctx, size_t i,
                                       struct pdl_result *tmp)
{
    return pdl_timeline_at(ctx, i, tmp);
}

/* Reads the run's timeline for makespan, ok, failed and bytes. Returns 0,
 * or -1 after saying why. */
static int read_run(const char *label, struct cmp_run *run)
{
    struct pdl_timeline tl;
    struct pdl_stats st;
    char err[256];
    FILE *f = fopen(run->timeline, "r");
    int rc;

    if (!f) {
        fprintf(stderr, "pdl compare: %s, repeat %u: %s: %s\n", label,
                run->repeat, run->timeline, strerror(errno));
        return -1;
    }
    rc = pdl_timeline_read(f, &tl, err, sizeof(err));
    fclose(f);
    if (rc != PDL_OK) {
        fprintf(stderr, "pdl compare: %s, repeat %u: %s: %s\n", label,
                run->repeat, run->timeline,
                rc == PDL_ERR_FORMAT ? err : strerror(errno));
        return -1;
    }
    pdl_stats_compute_each(row_at, &tl, tl.count, &st);
    run->makespan = st.wall;
    run->ok = st.ok;
    run->failed = st.failed;
    run->bytes = (long long)st.bytes;
    pdl_timeline_cleanup(&tl);
    return 0;
}

/* path with its extension replaced by ext (".log"). */
static void sibling(const char *path, const char *ext, char *out, size_t outsz)
{
    const char *dot = strrchr(path, '.');
    int stem = dot ? (int)(dot - path) : (int)strlen(path);

    snprintf(out, outsz, "%.*s%s", stem, path, ext);
}

static void write_row(FILE *f, const struct cmp_config *c,
                      const struct cmp_run *r)
{
    fprintf(f,
            "%s\t%u\t%s\t%u\t%.6f\t%.6f\t%.6f\t%.6f\t%ld\t%zu\t%zu\t%lld\t"
            "%s\n",
            c->mode, c->workers, c->schedule, r->repeat, r->wall, r->makespan,
            r->user, r->sys, r->maxrss_kb, r->ok, r->failed, r->bytes,
            r->timeline);
    fflush(f);
}

/* Starts, waits for and reads one run. The child's stderr goes to a log
 * beside its timeline, kept only if something was said. Returns 0 if the
 * run was measured, -1 if it gave no data. */
static int measure_run(struct cmp_state *st, struct cmp_run *run,
                       const char *label)
{
    const struct cmp_config *c = &st->configs[run->config];
    char log[CMP_PATH_MAX], wbuf[16];
    char **argv = child_argv(st, c, run->timeline, wbuf, sizeof(wbuf));
    struct stat sb;
    int status, rc = -1;

    sibling(run->timeline, ".log", log, sizeof(log));
    /* A timeline left by an earlier compare must never pass for this run's. */
    unlink(run->timeline);
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (logfd < 0)
        fprintf(stderr, "pdl compare: %s: %s\n", log, strerror(errno));
    else if (measure(argv, logfd, st->devnull, run, &status) != 0)
        fprintf(stderr, "pdl compare: %s, repeat %u: cannot start: %s\n", label,
                run->repeat, strerror(errno));
    else if (check_status(label, run, status, log) == 0)
        rc = read_run(label, run);
    if (logfd >= 0) {
        close(logfd);
        if (stat(log, &sb) == 0 && sb.st_size == 0)
            unlink(log);
    }
    free(argv);
    return rc;
}

/* Runs one configuration once, records it and says how it went. */
static void run_one(struct cmp_state *st, struct cmp_run *run, size_t k)
{
    char label[128];

    config_label(st, &st->configs[run->config], label, sizeof(label));
    if (measure_run(st, run, label) != 0) {
        st->rc = PDL_EXIT_FAILED;
        return;
    }
    run->done = true;
    st->order[st->norder++] = (size_t)(run - st->runs);
    if (run->failed > 0)
        st->rc = PDL_EXIT_FAILED;
    write_row(st->summary, &st->configs[run->config], run);
    fprintf(stderr,
            "pdl compare: [%zu/%zu] %s, repeat %u: makespan %.3f s, "
            "wall %.3f s, %zu ok, %zu failed\n",
            k, st->nruns, label, run->repeat, run->makespan, run->wall, run->ok,
            run->failed);
}

/* Every configuration, repeat times. Repeat r starts at configuration r and
 * wraps round, so that no configuration always runs first or last, and slow
 * drifts of the machine spread over all of them. */
static void run_all(struct cmp_state *st)
{
    size_t n = st->nconfigs, k = 0;
    unsigned repeat = st->cli->repeat;

    for (unsigned r = 0; r < repeat && !cmp_caught; r++)
        for (size_t i = 0; i < n && !cmp_caught; i++)
            run_one(st, &st->runs[((r + i) % n) * repeat + r], ++k);
}

/* --summary -: the summary TSV, as kept in DIR, onto stdout. Returns 0, or
 * -1 (reported) if it could not be read or written. */
static int copy_summary(const struct cmp_state *st)
{
    FILE *in = fopen(st->summary_path, "r");
    char buf[8192];
    size_t n;
    int rc = 0;

    if (!in) {
        fprintf(stderr, "pdl compare: %s: %s\n", st->summary_path,
                strerror(errno));
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            break;
    if (ferror(in) || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "pdl compare: --summary -: %s\n", strerror(errno));
        rc = -1;
    }
    fclose(in);
    return rc;
}

/* After the runs: close the summary, print, draw. Returns the exit code. */
static int finish(struct cmp_state *st)
{
    size_t done = 0;

    for (size_t i = 0; i < st->nruns; i++)
        done += st->runs[i].done;
    if (fclose(st->summary) != 0) {
        fprintf(stderr, "pdl compare: %s: %s\n", st->summary_path,
                strerror(errno));
        st->rc = PDL_EXIT_USAGE;
    }
    st->summary = NULL;
    if (done == 0) {
        fputs("pdl compare: no run could be measured\n", stderr);
        return PDL_EXIT_USAGE;
    }
    /* With --json - or --summary -, stdout carries that and nothing else. */
    if (!is_stdout(st->cli->json) && !is_stdout(st->cli->summary))
        cmp_print(st);
    if (is_stdout(st->cli->summary) && copy_summary(st) != 0)
        st->rc = PDL_EXIT_USAGE;
    cmp_predict(st);
    fprintf(stderr, "pdl compare: summary: %s\n", st->summary_path);
    if (st->cli->json && cmp_write_json(st) != 0)
        st->rc = PDL_EXIT_USAGE;
    if (st->cli->chart)
        cmp_draw_chart(st);
    if (cmp_caught) {
        fprintf(stderr,
                "pdl compare: interrupted by %s after %zu of %zu "
                "runs\n",
                cmp_caught == SIGINT ? "SIGINT" : "SIGTERM", done, st->nruns);
        return 128 + cmp_caught;
    }
    return st->rc;
}

static void state_cleanup(struct cmp_state *st)
{
    if (st->summary)
        fclose(st->summary);
    if (st->devnull >= 0)
        close(st->devnull);
    if (st->stdin_path[0])
        unlink(st->stdin_path);
    for (size_t i = 0; st->runs && i < st->nruns; i++)
        free(st->runs[i].timeline);
    free(st->runs);
    free(st->order);
    free(st->preds);
    free(st->configs);
}

int pdl_cmd_compare(int argc, char **argv)
{
    struct cmp_cli cli;
    struct cmp_state st = {.cli = &cli, .devnull = -1};
    struct sigaction old[2];
    int rc;

    cmp_caught = 0;
    rc = parse_args(argc, argv, &cli);
    if (rc < 0) {
        rc = prepare(&st);
        if (rc == 0) {
            pdl_cli_catch_signals(cmp_on_signal, old);
            run_all(&st);
            pdl_cli_restore_signals(old);
            rc = finish(&st);
        }
    }
    state_cleanup(&st);
    for (int i = 0; i < cli.npass; i++)
        free(cli.pass[i]);
    free(cli.pass);
    return rc;
}
