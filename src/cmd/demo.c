/* pdl demo [DIR]: the bundled test server in this process on a free port,
 * the demo list run in every mode, then pdl compare and pdl predict, each a
 * child pdl; timelines, charts and an index are left in DIR. Needs nothing
 * but the installed files. */
#include "../cli.h"
#include "demo_list.h" /* generated from urls/demo.txt */
#include "pdl/chart.h"
#include "pdl/outdir.h"
#include "pdl/output.h"
#include "pdl/runner.h"
#include "pdl/util.h"
#include "testd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEMO_PATH 4096
/* Room left in a path for the longest name the demo writes in DIR. */
#define DEMO_NAME_MAX 64
#define DEMO_WORKERS "4"
/* mpirun may wait long for a network it cannot reach; the demo does not. */
#define DEMO_MPI_LIMIT_S 30.0

extern char **environ;

/* The first SIGINT or SIGTERM, 0 if none: the wait for a child polls it, so
 * that the child is ended and the server stopped before the demo exits. */
static volatile sig_atomic_t demo_caught;

static void demo_on_signal(int sig)
{
    if (!demo_caught)
        demo_caught = sig;
}

struct demo {
    const char *dir;
    bool mpi;    /* try the mpi mode (not --no-mpi) */
    bool charts; /* gnuplot is on PATH */
    char exe[DEMO_PATH];
    char list[DEMO_PATH];
    struct pdl_testd *server;
    const char *mpi_note; /* why mpi did not run or failed; NULL if it ran */
    pdl_monotime t0;
};

/* One child: what it runs and where its output goes. */
struct demo_step {
    const char *name;  /* mode or command: names NAME.log */
    const char *path;  /* the program */
    char *const *argv; /* argv[0] included */
    char *const *envp; /* NULL: the demo's environment */
    bool stdout_apart; /* stdout to NAME.txt (a table), else to the log */
    double limit_s;    /* 0: none */
};

enum { OPT_NO_MPI = 256 };

static const struct pdl_opt demo_opts[] = {
    {"no-mpi", no_argument, OPT_NO_MPI, NULL,
     "leave out the mpi mode even when mpirun is found", NULL},
    {"help", no_argument, 'h', NULL, "this text", NULL},
    PDL_OPT_END,
};

static const struct pdl_opt_layout demo_layout = {18, false};

static const char demo_head[] =
    "Usage: pdl demo [--no-mpi] [DIR]\n"
    "Starts the bundled test server (pdl-testd's) in this process on a "
    "free port,\n"
    "writes the demo list into DIR (default ./pdl-demo; 24 tasks of uneven "
    "length,\n"
    "one failing on purpose with HTTP 503) and downloads it in each mode, "
    "bodies\n"
    "discarded: serial, threads, processes and async with " DEMO_WORKERS
    " workers, and mpi\n"
    "(2 ranks of 2) when pdl has MPI and mpirun is on PATH. Then pdl compare "
    "runs\n"
    "threads, processes and async at 2, 4 and 8 workers, and pdl predict "
    "replays\n"
    "the threads run at 1 to 16 workers. The server stops at the end, on an "
    "error\n"
    "and on Ctrl-C.\n"
    "\n";

static const char demo_tail[] =
    "\n"
    "Left in DIR: demo.txt (the list); MODE.tsv (timeline), MODE.png and "
    "MODE.svg\n"
    "(the chart; the SVG's bars carry tooltips) and MODE.log for each mode; "
    "compare/\n"
    "(every run), compare.png, compare.svg, compare.json, compare.txt; "
    "predict.png,\n"
    "predict.svg, predict.json, predict.txt; index.html, which shows them "
    "all.\n"
    "Without gnuplot on PATH the demo says so and draws no charts.\n"
    "As root, the mpi run is allowed with OMPI_ALLOW_RUN_AS_ROOT=1 and\n"
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1, and oversubscribes a small machine\n"
    "(OMPI_MCA_rmaps_base_oversubscribe=1), unless they are set already.\n"
    "\n"
    "Exit status: 0 the demo ran (a failed or skipped mpi run is said, not "
    "an\n"
    "error); 1 a run, compare, predict or a chart failed; 2 usage error, DIR "
    "not\n"
    "writable, the server could not start; 130, 143 interrupted.\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "pdl demo: %s: \"%s\"\nTry 'pdl demo --help'.\n", what,
            arg);
    return PDL_EXIT_USAGE;
}

/* One option into *d (ctx). Returns -1 to go on, or the exit code. */
static int demo_option(void *ctx, int c, const char *arg)
{
    struct demo *d = ctx;

    (void)arg;
    if (c == 'h') {
        pdl_opt_usage(stdout, demo_opts, &demo_layout, demo_head, demo_tail);
        return PDL_EXIT_OK;
    }
    if (c == OPT_NO_MPI) {
        d->mpi = false;
        return -1;
    }
    fputs("Try 'pdl demo --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* DIR/name into buf (DEMO_PATH); DIR's length is checked up front. */
static char *in_dir(const struct demo *d, char *buf, const char *name)
{
    snprintf(buf, DEMO_PATH, "%s/%s", d->dir, name);
    return buf;
}

/* Fills d from argv. Returns -1 to go on, or the exit code. */
static int parse_args(int argc, char **argv, struct demo *d)
{
    const struct pdl_opt *tables[] = {demo_opts};
    int rc = pdl_cli_options(argc, argv, tables, 1, false, demo_option, d);

    if (rc >= 0)
        return rc;
    if (argc - optind > 1)
        return usage_error("one DIR only", argv[optind + 1]);
    d->dir = argc - optind == 1 ? argv[optind] : "pdl-demo";
    if (!d->dir[0])
        return usage_error("DIR: empty", d->dir);
    if (strlen(d->dir) + DEMO_NAME_MAX >= DEMO_PATH)
        return usage_error("DIR: too long", d->dir);
    return -1;
}

/* ---- children ------------------------------------------------------------ */

/* In the forked child: dies with the demo (PR_SET_PDEATHSIG), then runs the
 * step. Only async-signal-safe calls (the server's threads may hold locks
 * the child would inherit); never returns. */
static void exec_child(const struct demo_step *s, pid_t parent, int outfd,
                       int errfd, int nullfd)
{
    static const char msg[] = "pdl demo: cannot execute the step\n";

    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(127);
    if (dup2(nullfd, STDIN_FILENO) < 0 || dup2(outfd, STDOUT_FILENO) < 0 ||
        dup2(errfd, STDERR_FILENO) < 0)
        _exit(127);
    execve(s->path, s->argv, s->envp ? s->envp : environ);
    ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)n;
    _exit(127);
}

/* Waits for pid, looking every 20 ms for a signal or the limit: either
 * ends it with SIGTERM (SIGKILL 5 s later). Returns its wait status, or -1
 * if it cannot be waited for; sets *late if the limit ended it. */
static int wait_child(pid_t pid, double limit_s, bool *late)
{
    const struct timespec tick = {0, 20 * 1000 * 1000};
    pdl_monotime t0 = pdl_now(), termed = 0;
    int status = 0;

    *late = false;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        double secs = (double)(pdl_now() - t0) / 1e9;

        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        if (!termed && (demo_caught || (limit_s > 0 && secs > limit_s))) {
            *late = !demo_caught;
            kill(pid, SIGTERM);
            termed = pdl_now();
        } else if (termed && pdl_now() - termed > 5 * (pdl_monotime)1e9) {
            kill(pid, SIGKILL);
        }
        nanosleep(&tick, NULL);
    }
}

/* Opens DIR/name for the child's output. Returns the descriptor or -1
 * (reported). */
static int open_log(const struct demo *d, const char *name, const char *ext)
{
    char base[DEMO_NAME_MAX], path[DEMO_PATH];
    int fd;

    snprintf(base, sizeof(base), "%s.%s", name, ext);
    fd = open(in_dir(d, path, base), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
              0644);
    if (fd < 0)
        fprintf(stderr, "pdl demo: %s: %s\n", path, strerror(errno));
    return fd;
}

/* Runs step s to its end. Returns its wait status, or -1 if it could not be
 * started or waited for (reported); *late as wait_child. */
static int run_child(const struct demo *d, const struct demo_step *s,
                     bool *late)
{
    int errfd = open_log(d, s->name, "log");
    int outfd = s->stdout_apart ? open_log(d, s->name, "txt") : errfd;
    int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC), status = -1;
    pid_t parent = getpid(), pid = -1;

    *late = false;
    if (errfd >= 0 && outfd >= 0 && nullfd >= 0) {
        fflush(NULL);
        pid = fork();
        if (pid == 0)
            exec_child(s, parent, outfd, errfd, nullfd);
        if (pid < 0)
            fprintf(stderr, "pdl demo: %s: fork: %s\n", s->name,
                    strerror(errno));
        else
            status = wait_child(pid, s->limit_s, late);
        if (pid > 0 && status == -1)
            fprintf(stderr, "pdl demo: %s: waitpid: %s\n", s->name,
                    strerror(errno));
    }
    if (outfd >= 0 && outfd != errfd)
        close(outfd);
    if (errfd >= 0)
        close(errfd);
    if (nullfd >= 0)
        close(nullfd);
    return status;
}

/* Which lines of a child's output the demo repeats. */
enum echo {
    ECHO_ALL,
    ECHO_SUMMARY, /* a run's: its headline, failures and reading */
    ECHO_MEDIANS, /* compare's: from its medians on (the table is long) */
};

static bool echoed(enum echo how, const char *line, bool *on)
{
    if (how == ECHO_MEDIANS && strncmp(line, "median", 6) == 0)
        *on = true;
    if (how != ECHO_SUMMARY)
        return how == ECHO_ALL || *on;
    /* Details are indented; the files are listed at the end of the demo. */
    return strncmp(line, "pdl: ", 5) == 0 && line[5] != ' ' &&
           strncmp(line + 5, "timeline:", 9) != 0 &&
           strncmp(line + 5, "chart:", 6) != 0;
}

/* Prints the lines of DIR/name.ext that how keeps, indented. */
static void echo_file(const struct demo *d, const char *name, const char *ext,
                      enum echo how)
{
    char base[DEMO_NAME_MAX], path[DEMO_PATH], line[1024];
    bool on = false;
    FILE *f;

    snprintf(base, sizeof(base), "%s.%s", name, ext);
    f = fopen(in_dir(d, path, base), "r");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f))
        if (echoed(how, line, &on))
            printf("  %s", line);
    fclose(f);
}

/* A step's outcome said in one line if it went wrong. Exit 1 of a run is
 * the task that fails on purpose. Returns 0 if it went right, else -1. */
static int judge(const struct demo *d, const char *name, int status, bool late)
{
    char log[DEMO_PATH], base[DEMO_NAME_MAX];

    if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) <= 1)
        return 0;
    if (demo_caught)
        return -1;
    snprintf(base, sizeof(base), "%s.log", name);
    in_dir(d, log, base);
    if (late)
        fprintf(stderr, "pdl demo: %s: stopped after %.0f s (log: %s)\n", name,
                DEMO_MPI_LIMIT_S, log);
    else if (status != -1 && WIFSIGNALED(status))
        fprintf(stderr, "pdl demo: %s: killed by signal %d (log: %s)\n", name,
                WTERMSIG(status), log);
    else if (status != -1)
        fprintf(stderr, "pdl demo: %s: exit status %d (log: %s)\n", name,
                WEXITSTATUS(status), log);
    return -1;
}

/* ---- the steps ----------------------------------------------------------- */

/* Without gnuplot, takes every "--chart FILE" out of argv (in place). */
static void drop_charts(const struct demo *d, char **argv)
{
    size_t k = 0;

    if (d->charts)
        return;
    for (size_t i = 0; argv[i]; i++) {
        if (strcmp(argv[i], "--chart") == 0 && argv[i + 1])
            i++;
        else
            argv[k++] = argv[i];
    }
    argv[k] = NULL;
}

/* Draws data with view into DIR/name as SVG too, when there is gnuplot.
 * Returns 0 or -1 (reported). */
static int draw_svg(const struct demo *d, const char *data, const char *name,
                    const char *view)
{
    char svg[DEMO_PATH], err[20000];

    if (!d->charts)
        return 0;
    if (pdl_chart_render(data, in_dir(d, svg, name), view, err, sizeof(err)) !=
        PDL_OK) {
        fprintf(stderr, "pdl demo: %s: %s\n", svg, err);
        return -1;
    }
    return 0;
}

/* The command line of a step as a reader would type it. */
static void show_command(const char *label, char *const *argv)
{
    printf("\npdl demo: %s:", label);
    for (size_t i = 0; argv[i]; i++)
        printf(" %s", argv[i]);
    putchar('\n');
}

/* Runs the demo list in mode with w workers, charts in png and svg. In the
 * mpi mode argv is prefixed by mpirun's (mpirun, -n, 2). Returns 0 or -1. */
static int run_mode(const struct demo *d, const char *mode, const char *w,
                    char *const *launch, char *const *envp)
{
    char tsv[DEMO_PATH], png[DEMO_PATH], svg[DEMO_PATH], n[DEMO_NAME_MAX];
    char *argv[24];
    size_t k = 0;
    bool late;

    for (; launch && launch[k]; k++)
        argv[k] = launch[k];
    snprintf(n, sizeof(n), "%s.tsv", mode);
    in_dir(d, tsv, n);
    snprintf(n, sizeof(n), "%s.png", mode);
    in_dir(d, png, n);
    snprintf(n, sizeof(n), "%s.svg", mode);
    in_dir(d, svg, n);
    char *tail[] = {(char *)d->exe,  "--mode",    (char *)mode, "-w",
                    (char *)w,       "--discard", "-t",         tsv,
                    "--chart",       png,         "--chart",    svg,
                    (char *)d->list, NULL};
    memcpy(argv + k, tail, sizeof(tail));
    drop_charts(d, argv);
    struct demo_step s = {mode, argv[0], argv,
                          envp, false,   launch ? DEMO_MPI_LIMIT_S : 0};
    show_command(mode, argv);
    int status = run_child(d, &s, &late);
    echo_file(d, mode, "log", ECHO_SUMMARY);
    if (judge(d, mode, status, late) != 0)
        return -1;
    if (access(tsv, R_OK) != 0) {
        fprintf(stderr, "pdl demo: %s: no timeline written (log in %s)\n", mode,
                d->dir);
        return -1;
    }
    return 0;
}

/* path of prog on $PATH into buf, or false. */
static bool find_on_path(const char *prog, char *buf, size_t bufsz)
{
    const char *p = getenv("PATH");

    while (p && *p) {
        size_t len = strcspn(p, ":");

        if (len > 0 &&
            (size_t)snprintf(buf, bufsz, "%.*s/%s", (int)len, p, prog) <
                bufsz &&
            access(buf, X_OK) == 0)
            return true;
        p += len + (p[len] == ':');
    }
    return false;
}

/* The environment for mpirun: the demo's, plus what Open MPI needs as root
 * and on a machine with fewer cores than ranks, unless already set. The
 * strings are static; the array is the caller's to free. */
static char **mpi_environment(void)
{
    static char *const extra[] = {
        "OMPI_MCA_rmaps_base_oversubscribe=1",
        /* Containers often forbid the cross-process reads of shared memory
         * for large messages; copying costs nothing here. */
        "OMPI_MCA_btl_vader_single_copy_mechanism=none",
        "OMPI_ALLOW_RUN_AS_ROOT=1",
        "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
    };
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    env = pdl_xcalloc(n + sizeof(extra) / sizeof(extra[0]) + 1, sizeof(*env));
    for (; k < n; k++)
        env[k] = environ[k];
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        char name[64];

        snprintf(name, sizeof(name), "%.*s", (int)strcspn(extra[i], "="),
                 extra[i]);
        if (i >= 2 && geteuid() != 0)
            continue; /* the root permissions are for root only */
        if (!getenv(name))
            env[k++] = extra[i];
    }
    return env;
}

/* The mpi mode under mpirun, 2 ranks of 2, if it can run here. A failure is
 * said and recorded in d->mpi_note; the demo goes on. */
static void run_mpi(struct demo *d)
{
    char mpirun[DEMO_PATH];

    if (!d->mpi)
        d->mpi_note = "left out (--no-mpi)";
    else if (pdl_runner_mpi.unavailable)
        d->mpi_note = "left out: pdl was built without MPI";
    else if (!find_on_path("mpirun", mpirun, sizeof(mpirun)))
        d->mpi_note = "left out: mpirun is not on PATH";
    if (d->mpi_note) {
        printf("\npdl demo: mpi: %s\n", d->mpi_note);
        return;
    }
    char *launch[] = {mpirun, "-n", "2", NULL};
    char **env = mpi_environment();
    if (run_mode(d, "mpi", "2", launch, env) != 0 && !demo_caught) {
        d->mpi_note = "failed (see mpi.log); the other modes do not need it";
        printf("pdl demo: mpi: %s\n", d->mpi_note);
    }
    free(env);
}

/* pdl compare of the demo list, its chart also drawn as SVG. */
static int run_compare(const struct demo *d)
{
    char dir[DEMO_PATH], png[DEMO_PATH], json[DEMO_PATH], summary[DEMO_PATH];
    char *argv[] = {(char *)d->exe,
                    "compare",
                    "--modes",
                    "threads,processes,async",
                    "--workers",
                    "2,4,8",
                    "--dir",
                    in_dir(d, dir, "compare"),
                    "--chart",
                    in_dir(d, png, "compare.png"),
                    "--json",
                    in_dir(d, json, "compare.json"),
                    "--discard",
                    (char *)d->list,
                    NULL};
    struct demo_step s = {"compare", d->exe, argv, NULL, true, 0};
    bool late;

    drop_charts(d, argv);
    show_command("compare", argv);
    int status = run_child(d, &s, &late);
    echo_file(d, "compare", "txt", ECHO_MEDIANS);
    if (judge(d, "compare", status, late) != 0)
        return -1;
    return draw_svg(d, in_dir(d, summary, "compare/summary.tsv"), "compare.svg",
                    "compare");
}

/* pdl predict of the threads run, its chart also drawn as SVG. */
static int run_predict(const struct demo *d)
{
    char tsv[DEMO_PATH], png[DEMO_PATH], json[DEMO_PATH], data[DEMO_PATH];
    char *argv[] = {(char *)d->exe,
                    "predict",
                    in_dir(d, tsv, "threads.tsv"),
                    "--workers",
                    "1,2,4,8,16",
                    "--chart",
                    in_dir(d, png, "predict.png"),
                    "--json",
                    in_dir(d, json, "predict.json"),
                    NULL};
    struct demo_step s = {"predict", d->exe, argv, NULL, true, 0};
    bool late;

    drop_charts(d, argv);
    show_command("predict", argv);
    int status = run_child(d, &s, &late);
    echo_file(d, "predict", "txt", ECHO_ALL);
    if (judge(d, "predict", status, late) != 0)
        return -1;
    /* predict keeps its chart's data beside the chart. */
    return draw_svg(d, in_dir(d, data, "predict.predict.tsv"), "predict.svg",
                    "predict");
}

/* ---- files --------------------------------------------------------------- */

/* DIR/demo.txt: the demo list with the server's port. Returns 0 or -1. */
static int write_list(struct demo *d)
{
    struct pdl_output o;
    unsigned port = pdl_testd_port(d->server);

    if (pdl_output_open(&o, in_dir(d, d->list, "demo.txt"), stderr) != 0)
        return -1;
    fprintf(o.f,
            "# The demo list of pdl demo, for the test server it ran on port "
            "%u.\n# 24 tasks of uneven length, as real downloads are; "
            "/status/503 fails on purpose.\n",
            port);
    for (size_t i = 0; i < sizeof(pdl_demo_paths) / sizeof(pdl_demo_paths[0]);
         i++)
        fprintf(o.f, "http://127.0.0.1:%u%s\n", port, pdl_demo_paths[i]);
    return pdl_output_close(&o, true, stderr);
}

/* One figure of index.html: the PNG, with links to its SVG and data; the
 * data alone without charts. */
static void index_figure(FILE *f, bool charts, const char *name,
                         const char *title, const char *data)
{
    if (!charts) {
        fprintf(f, "<h2>%s</h2>\n<p><a href=\"%s\">%s</a></p>\n", title, data,
                data);
        return;
    }
    fprintf(f,
            "<h2>%s</h2>\n<p><a href=\"%s.svg\">%s.svg</a> (hover a bar for "
            "its details) &middot; <a href=\"%s\">%s</a></p>\n"
            "<img src=\"%s.png\" alt=\"%s\" style=\"max-width:100%%\">\n",
            title, name, name, data, data, name, title);
}

/* DIR/index.html: every chart of the demo on one page. */
static int write_index(const struct demo *d)
{
    static const char *const modes[] = {"serial", "threads", "processes",
                                        "async", "mpi"};
    char path[DEMO_PATH], data[DEMO_NAME_MAX], title[128];
    struct pdl_output o;

    if (pdl_output_open(&o, in_dir(d, path, "index.html"), stderr) != 0)
        return -1;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
          "<title>pdl demo</title></head><body>\n<h1>pdl demo</h1>\n"
          "<p>The list <a href=\"demo.txt\">demo.txt</a> (24 tasks, one "
          "failing on purpose) in each mode, then compared and predicted. "
          "Each run's summary is in its .log.</p>\n",
          o.f);
    if (!d->charts)
        fputs("<p>No charts: gnuplot was not found (Debian: gnuplot-nox); "
              "draw them later with <code>pdl chart</code>.</p>\n",
              o.f);
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        bool mpi = strcmp(modes[i], "mpi") == 0;

        if (mpi && d->mpi_note) {
            fprintf(o.f, "<h2>mpi</h2>\n<p>%s</p>\n", d->mpi_note);
            continue;
        }
        snprintf(data, sizeof(data), "%s.tsv", modes[i]);
        snprintf(title, sizeof(title), "%s, %s worker%s", modes[i],
                 mpi      ? "2 ranks of 2"
                 : i == 0 ? "1"
                          : DEMO_WORKERS,
                 i == 0 ? "" : "s");
        index_figure(o.f, d->charts, modes[i], title, data);
    }
    index_figure(o.f, d->charts, "compare",
                 "pdl compare: threads, processes, async at 2, 4, 8 workers",
                 "compare.json");
    index_figure(o.f, d->charts, "predict",
                 "pdl predict: the threads run replayed at 1 to 16 workers",
                 "predict.json");
    fputs("</body></html>\n", o.f);
    return pdl_output_close(&o, true, stderr);
}

/* ---- the command --------------------------------------------------------- */

/* Every step, in order, while none is interrupted. Returns the exit code. */
static int run_steps(struct demo *d)
{
    static const char *const modes[] = {"serial", "threads", "processes",
                                        "async"};
    int failed = 0;

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && !demo_caught;
         i++)
        failed |=
            run_mode(d, modes[i], i == 0 ? "1" : DEMO_WORKERS, NULL, NULL) != 0;
    if (!demo_caught)
        run_mpi(d);
    /* predict replays the threads run: it needs that timeline. */
    if (!demo_caught)
        failed |= run_compare(d) != 0;
    if (!demo_caught)
        failed |= run_predict(d) != 0;
    if (!demo_caught)
        failed |= write_index(d) != 0;
    if (demo_caught)
        return 128 + demo_caught;
    return failed ? PDL_EXIT_FAILED : PDL_EXIT_OK;
}

/* Where things are, at the end. */
static void say_where(const struct demo *d, int rc)
{
    double secs = (double)(pdl_now() - d->t0) / 1e9;

    if (rc >= 128) {
        printf("\npdl demo: interrupted after %.1f s; server stopped; what "
               "was made is in %s/\n",
               secs, d->dir);
        return;
    }
    printf("\npdl demo: %s in %.1f s. In %s/:\n",
           rc == 0 ? "done" : "finished with errors (above)", secs, d->dir);
    printf("  index.html                      %s\n"
           "  MODE.tsv, MODE.log              timeline and summary of each "
           "mode (serial threads processes async%s)\n",
           d->charts ? "every chart on one page" : "every file on one page",
           d->mpi_note ? "" : " mpi");
    if (!d->charts) {
        printf("  compare/, predict.txt           pdl compare's runs, pdl "
               "predict's table\n"
               "No charts without gnuplot; once it is installed: pdl chart "
               "%s/threads.tsv threads.png\n",
               d->dir);
        return;
    }
    printf("  MODE.png, MODE.svg              chart of each mode (the SVG's "
           "bars have tooltips)\n"
           "  compare.png, compare.svg        pdl compare's chart; its runs "
           "in compare/\n"
           "  predict.png, predict.svg        pdl predict's chart\n"
           "Draw a timeline again, in another view: pdl chart --by worker "
           "%s/threads.tsv lanes.png\n",
           d->dir);
}

int pdl_cmd_demo(int argc, char **argv)
{
    struct demo d = {.mpi = true, .t0 = pdl_now()};
    struct pdl_testd_options topt = {0};
    struct sigaction old[2];
    char err[512];
    int rc = parse_args(argc, argv, &d), fd;

    if (rc >= 0)
        return rc;
    rc = pdl_self_exe(d.exe, sizeof(d.exe));
    if (rc != PDL_OK) {
        fprintf(stderr, "pdl demo: cannot find pdl itself: %s\n",
                rc == PDL_ERR_SYSTEM ? strerror(errno) : "path too long");
        return PDL_EXIT_USAGE;
    }
    fd = pdl_outdir_open(d.dir, err, sizeof(err));
    if (fd < 0) {
        fprintf(stderr, "pdl demo: %s: %s\n", d.dir, err);
        return PDL_EXIT_USAGE;
    }
    close(fd);
    d.server = pdl_testd_start(&topt, err, sizeof(err));
    if (!d.server) {
        fprintf(stderr, "pdl demo: test server: %s\n", err);
        return PDL_EXIT_USAGE;
    }
    d.charts = find_on_path("gnuplot", err, sizeof(err));
    if (!d.charts)
        printf("pdl demo: gnuplot is not on PATH (Debian: gnuplot-nox): the "
               "runs, compare and predict go on without charts\n");
    demo_caught = 0;
    pdl_cli_catch_signals(demo_on_signal, old);
    if (write_list(&d) != 0) {
        rc = PDL_EXIT_USAGE;
    } else {
        printf("pdl demo: test server on http://127.0.0.1:%u/ (in this "
               "process, stopped at the end); list: %s\n",
               pdl_testd_port(d.server), d.list);
        rc = run_steps(&d);
        say_where(&d, rc);
    }
    pdl_testd_stop(d.server);
    pdl_cli_restore_signals(old);
    return rc;
}
