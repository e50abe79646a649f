/*
 * pdl-testd: the command. Parses the options, blocks SIGINT and SIGTERM,
 * starts the server of testd.h, prints its address and serves until one of
 * those signals arrives.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

enum pdl_testd_action {
    PDL_TESTD_RUN,
    PDL_TESTD_HELP,
    PDL_TESTD_VERSION_INFO,
};

/* The command line: what to do, and the server's options. */
struct pdl_testd_args {
    struct pdl_testd_options opt;
    enum pdl_testd_action action;
};

static const char pdl_testd_usage_text[] =
    "Usage: pdl-testd [OPTION]...\n"
    "Local HTTP test server for pdl, listening on 127.0.0.1 only.\n"
    "Prints http://127.0.0.1:PORT/ on stdout, then serves until SIGINT or"
    " SIGTERM.\n"
    "\n"
    "      --port N        port to listen on (default 0: the kernel picks)\n"
    "      --port-file F   after binding, write the port and a newline to F\n"
    "                      (atomically, through F.tmp)\n"
    "      --threads N     polling threads (default: online CPUs)\n"
    "      --quiet         no per-request log (the default)\n"
    "      --verbose       log one line per request to stderr\n"
    "  -h, --help          show this help and exit\n"
    "      --version       show the version and exit\n"
    "\n"
    "Endpoints (GET and HEAD; other methods get 405, bad parameters 400 with\n"
    "the reason, unknown paths 404):\n" PDL_TESTD_ENDPOINTS_TEXT
    "See pdl-testd(1) for details.\n";
/* ---- process setup ---- */

/* Many concurrent test connections need many descriptors. */
static void pdl_testd_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        fprintf(stderr,
                PDL_TESTD_NAME ": warning: cannot raise RLIMIT_NOFILE: %s\n",
                strerror(errno));
}
/* Parses an option value into [min, max]; on error writes why into err. */
static int pdl_testd_parse_opt_uint(const char *opt, const char *arg,
                                    uint64_t min, uint64_t max, unsigned *out,
                                    char *err, size_t errlen)
{
    uint64_t v = 0;
    enum pdl_testd_num_err e = pdl_testd_parse_u64(arg, min, max, &v);

    if (e == PDL_TESTD_NUM_RANGE) {
        snprintf(err, errlen, "--%s '%s': out of range %" PRIu64 "..%" PRIu64,
                 opt, arg, min, max);
        return -1;
    }
    if (e != PDL_TESTD_NUM_OK) {
        snprintf(err, errlen, "--%s '%s': %s", opt, arg, pdl_testd_num_why[e]);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

enum {
    PDL_TESTD_OPT_PORT = 256,
    PDL_TESTD_OPT_PORT_FILE,
    PDL_TESTD_OPT_THREADS,
    PDL_TESTD_OPT_QUIET,
    PDL_TESTD_OPT_VERBOSE,
    PDL_TESTD_OPT_VERSION,
};

static const struct option pdl_testd_longopts[] = {
    {"port", required_argument, NULL, PDL_TESTD_OPT_PORT},
    {"port-file", required_argument, NULL, PDL_TESTD_OPT_PORT_FILE},
    {"threads", required_argument, NULL, PDL_TESTD_OPT_THREADS},
    {"quiet", no_argument, NULL, PDL_TESTD_OPT_QUIET},
    {"verbose", no_argument, NULL, PDL_TESTD_OPT_VERBOSE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, PDL_TESTD_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static unsigned pdl_testd_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    if (n > (long)PDL_TESTD_MAX_THREADS)
        return PDL_TESTD_MAX_THREADS;
    return (unsigned)n;
}

/*
 * Fills args from the command line. Returns 0, or -1 with a message of the
 * form "<what>: <why>" in err. Never exits.
 */
static int pdl_testd_parse_args(int argc, char **argv,
                                struct pdl_testd_args *args, char *err,
                                size_t errlen)
{
    int c;

    memset(&args->opt, 0, sizeof args->opt);
    args->opt.threads = pdl_testd_online_cpus();
    args->action = PDL_TESTD_RUN;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", pdl_testd_longopts, NULL)) !=
           -1) {
        int rc = 0;

        switch (c) {
        case PDL_TESTD_OPT_PORT:
            rc = pdl_testd_parse_opt_uint("port", optarg, 0, 65535,
                                          &args->opt.port, err, errlen);
            break;
        case PDL_TESTD_OPT_PORT_FILE:
            args->opt.port_file = optarg;
            break;
        case PDL_TESTD_OPT_THREADS:
            rc = pdl_testd_parse_opt_uint("threads", optarg, 1,
                                          PDL_TESTD_MAX_THREADS,
                                          &args->opt.threads, err, errlen);
            break;
        case PDL_TESTD_OPT_QUIET:
            args->opt.log = NULL;
            break;
        case PDL_TESTD_OPT_VERBOSE:
            args->opt.log = stderr;
            break;
        case 'h':
            args->action = PDL_TESTD_HELP;
            return 0;
        case PDL_TESTD_OPT_VERSION:
            args->action = PDL_TESTD_VERSION_INFO;
            return 0;
        case ':':
            snprintf(err, errlen, "%s: missing argument", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "%s: unknown option", argv[optind - 1]);
            return -1;
        }
        if (rc != 0)
            return -1;
    }
    if (optind < argc) {
        snprintf(err, errlen, "%s: unexpected argument", argv[optind]);
        return -1;
    }
    if (args->opt.port_file != NULL && args->opt.port_file[0] == '\0') {
        snprintf(err, errlen, "--port-file: empty file name");
        return -1;
    }
    return 0;
}

/* Waits for SIGINT or SIGTERM, which main blocked in every thread. */
static void pdl_testd_wait_signal(const sigset_t *set)
{
    int sig = 0;

    while (sigwait(set, &sig) != 0)
        ;
}

/* Serves until SIGINT or SIGTERM (blocked in set). Returns the exit status. */
static int pdl_testd_run(const struct pdl_testd_options *opt,
                         const sigset_t *set)
{
    char err[512];
    struct pdl_testd *td = pdl_testd_start(opt, err, sizeof err);

    if (td == NULL) {
        fprintf(stderr, PDL_TESTD_NAME ": %s\n", err);
        return EXIT_FAILURE;
    }
    printf("http://127.0.0.1:%u/\n", pdl_testd_port(td));
    fflush(stdout);
    pdl_testd_wait_signal(set);
    pdl_testd_stop(td);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    struct pdl_testd_args args;
    sigset_t set;
    char err[512];

    if (pdl_testd_parse_args(argc, argv, &args, err, sizeof err) != 0) {
        fprintf(stderr, PDL_TESTD_NAME ": %s\n", err);
        fprintf(stderr,
                "Try '" PDL_TESTD_NAME " --help' for more information.\n");
        return 2;
    }
    if (args.action == PDL_TESTD_HELP) {
        fputs(pdl_testd_usage_text, stdout);
        return EXIT_SUCCESS;
    }
    if (args.action == PDL_TESTD_VERSION_INFO) {
        puts(PDL_TESTD_NAME " " PDL_TESTD_VERSION);
        return EXIT_SUCCESS;
    }
    pdl_testd_raise_nofile();
    /* Block before any thread starts, so only sigwait in main sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* MHD sends with MSG_NOSIGNAL; this covers any path that does not. */
    signal(SIGPIPE, SIG_IGN);
    return pdl_testd_run(&args.opt, &set);
}
