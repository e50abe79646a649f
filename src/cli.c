/* Options of a run: one table for getopt, one switch, value checks in small
 * helpers, cross-field rules after the loop, the usage text in one place. */
#include "cli.h"
#include "pdl/chart.h"
#include "pdl/export.h"
#include "pdl/parse.h"
#include "pdl/request.h"
#include "pdl/runner.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

enum {
    OPT_DISCARD = 256,
    OPT_NO_TIMELINE,
    OPT_CONNECT_TIMEOUT,
    OPT_TIMEOUT,
    OPT_MAX_REDIRS,
    OPT_USER_AGENT,
    OPT_CHART,
    OPT_CHART_BY,
    OPT_SCHEDULE,
    OPT_CHUNK,
    OPT_RETRIES,
    OPT_RETRY_DELAY,
    OPT_RETRY_MAX,
    OPT_SPEED_LIMIT,
    OPT_SPEED_TIME,
    OPT_MAX_FILESIZE,
    OPT_LIMIT_RATE,
    OPT_CONTINUE,
    OPT_FAILED,
    OPT_EXPORT,
    OPT_NO_GLOB,
    OPT_RATE,
    OPT_PER_HOST,
    OPT_ORDER,
    OPT_DURATIONS_FROM,
    OPT_PROGRESS,
    OPT_JSON,
    /* Requests (request.c). */
    OPT_USER,
    OPT_NETRC,
    OPT_COOKIE,
    OPT_COOKIE_JAR,
    OPT_COMPRESSED,
    OPT_PROXY,
    OPT_RESOLVE,
    OPT_CONNECT_TO,
    OPT_CHECKSUMS,
    OPT_NO_CLOBBER,
    OPT_CONTENT_DISPOSITION,
    /* Connections and protocols. */
    OPT_HTTP1_1,
    OPT_HTTP2,
    OPT_HTTP2_PRIOR,
    OPT_CACERT
};

/* The run's options, in --help order. A comment after an entry is none:
 * the text says it all. */
const struct pdl_opt pdl_run_opts[] = {
    {"mode", required_argument, 'm', "MODE",
     "how tasks are spread over workers (default threads):",
     "compare sets it for each run; use --modes"},
    PDL_OPT_TEXT("%s"),
    {"workers", required_argument, 'w', "N", "workers, 1..%d (default %d)",
     "compare sets it for each run; use --workers LIST"},
    {"schedule", required_argument, OPT_SCHEDULE, "HOW",
     "dynamic: workers take the next task from one queue\n"
     "(default); static: the list is cut into W\n"
     "contiguous slices up front",
     "compare sets it for each run; use --schedules"},
    {"chunk", required_argument, OPT_CHUNK, "N",
     "dynamic: take N tasks at a time (default 1)", NULL},
    {"order", required_argument, OPT_ORDER, "HOW",
     "list: in the lists' order, read as the run goes\n"
     "(default); longest-first: the longest tasks of\n"
     "--durations-from first, the fix for a straggler\n"
     "started last (URLs it lacks go first, as read)",
     NULL},
    {"durations-from", required_argument, OPT_DURATIONS_FROM, "TIMELINE",
     "task times for longest-first: an earlier run's\n"
     "timeline of the same lists, matched by URL; URLs\n"
     "it does not hold go first",
     NULL},
    {"rate", required_argument, OPT_RATE, "R",
     "start at most R tasks per second over all workers\n"
     "(10/s, 600/m, 2/h; default no limit)",
     NULL},
    {"per-host", required_argument, OPT_PER_HOST, "N",
     "at most N transfers to one host at once, 0 = no\n"
     "cap (default %d, loopback hosts not capped)",
     NULL},
    PDL_OPT_TEXT("\n"
                 "URL ranges, as curl's: http://h/page/[1-100], [001-100], "
                 "[0-100:10], [a-z],\n"
                 "{one,two}; several multiply. \\[ \\] \\{ \\} are literal.\n"),
    {"no-glob", no_argument, OPT_NO_GLOB, NULL,
     "take [ ] { } in URLs literally", NULL},
    PDL_OPT_TEXT("\nWhere bodies go:\n"),
    {"output", required_argument, 'o', "DIR",
     "save into DIR, created if missing (default .)", NULL},
    {"discard", no_argument, OPT_DISCARD, NULL,
     "do not save bodies (for measurements)", NULL},
    {"no-clobber", no_argument, OPT_NO_CLOBBER, NULL,
     "skip a URL whose file is there (status skipped)", NULL},
    {"content-disposition", no_argument, OPT_CONTENT_DISPOSITION, NULL,
     "name a body as the server's Content-Disposition\n"
     "says (cleaned like URL names; a name taken is\n"
     "numbered, never replaced)",
     NULL},
    {"force-directories", no_argument, 'x', NULL,
     "save under HOST/PATH/ folders inside the output\n"
     "folder, as wget -x",
     NULL},
    {"continue", no_argument, OPT_CONTINUE, NULL,
     "skip what the last run's timeline records as done\n"
     "and whose file is there (a killed run's partial\n"
     "timeline TIMELINE.part-PID too); keep partial bodies\n"
     "of failed tasks and resume them with a range request\n"
     "only where the server continues the same resource;\n"
     "says what it resumes from, warns if that timeline is\n"
     "another list's; not with --discard",
     "every run must perform every task"},
    PDL_OPT_TEXT("\nWhat is recorded:\n"),
    {"timeline", required_argument, 't', "FILE",
     "timeline TSV ('-' = stdout; default pdl-timeline.tsv)",
     "compare writes one timeline per run into --dir"},
    {"no-timeline", no_argument, OPT_NO_TIMELINE, NULL, "write no timeline",
     "compare reads every run's timeline"},
    {"failed", required_argument, OPT_FAILED, "FILE",
     "write the URLs that failed, as a list to run again", NULL},
    {"json", required_argument, OPT_JSON, "FILE",
     "the summary and every task as one JSON document\n"
     "(the same as --export FILE.json; '-' = stdout,\n"
     "which then carries nothing else)",
     "compare writes one document for the whole comparison"},
    {"export", required_argument, OPT_EXPORT, "FILE",
     "also write the run by FILE's extension: .jsonl\n"
     "(JSON lines), .trace.json (Chrome trace, for\n"
     "Perfetto), .har (HAR 1.2, for browser devtools),\n"
     "other .json (the document --json writes); repeatable",
     NULL},
    {"chart", required_argument, OPT_CHART, "FILE",
     "draw the run with gnuplot (.png, .svg or .pdf);\n"
     "repeatable",
     "compare draws the comparison"},
    {"chart-by", required_argument, OPT_CHART_BY, "VIEW",
     "task: one bar per task (default); worker: one lane\n"
     "per worker, showing idle gaps; connection: one lane\n"
     "per connection, showing reuse, set-up and idle time;\n"
     "overview: in flight, throughput, lanes and\n"
     "durations over time (what the others become above\n"
     "%d or %d tasks)",
     "the comparison chart has its own views"},
    {"progress", required_argument, OPT_PROGRESS, "STYLE",
     "bar: one line redrawn on stderr (the default when it\n"
     "is a terminal); plain: a line at each tenth of the\n"
     "tasks and every 10 s, for logs; json: a JSON object\n"
     "per line, progress every 100 ms and one per task\n"
     "(kept by -q); none",
     NULL},
    {"quiet", no_argument, 'q', NULL,
     "no summary and no progress on stderr (errors are\n"
     "still printed)",
     NULL},
    PDL_OPT_TEXT("\nWhen things go wrong:\n"),
    {"retries", required_argument, OPT_RETRIES, "N",
     "try a transient failure (refused, reset, timeout,\n"
     "408, 429, 5xx) up to N more times (default 0)",
     NULL},
    {"retry-delay", required_argument, OPT_RETRY_DELAY, "T",
     "first wait before a retry, doubled each time, with\n"
     "jitter (default 1s)",
     NULL},
    {"retry-max-wait", required_argument, OPT_RETRY_MAX, "T",
     "longest wait, Retry-After included (default 60s)", NULL},
    {"connect-timeout", required_argument, OPT_CONNECT_TIMEOUT, "T",
     "give up connecting after T (default 30s)", NULL},
    {"timeout", required_argument, OPT_TIMEOUT, "T",
     "give up a whole transfer after T (default none)", NULL},
    {"speed-limit", required_argument, OPT_SPEED_LIMIT, "N",
     "a transfer slower than N bytes/s ... (default 1)", NULL},
    {"speed-time", required_argument, OPT_SPEED_TIME, "T",
     "... for T is aborted (default 30s; 0 = never)", NULL},
    {"max-filesize", required_argument, OPT_MAX_FILESIZE, "SIZE",
     "fail bodies larger than SIZE, with or without a\n"
     "Content-Length",
     NULL},
    {"limit-rate", required_argument, OPT_LIMIT_RATE, "SIZE",
     "at most SIZE bytes/s per transfer", NULL},
    {"max-redirs", required_argument, OPT_MAX_REDIRS, "N",
     "follow at most N redirects (default 10)", NULL},
    {"insecure", no_argument, 'k', NULL,
     "do not verify TLS certificates (never the default)", NULL},
    {"cacert", required_argument, OPT_CACERT, "FILE",
     "verify TLS certificates against the CAs in FILE", NULL},
    {"http1.1", no_argument, OPT_HTTP1_1, NULL, "speak HTTP/1.1 only", NULL},
    {"http2", no_argument, OPT_HTTP2, NULL,
     "ask for HTTP/2 over TLS (ALPN); in async mode the\n"
     "transfers to one host then share one connection\n"
     "as streams (threads and processes: one per worker)",
     NULL},
    {"http2-prior-knowledge", no_argument, OPT_HTTP2_PRIOR, NULL,
     "HTTP/2 at once, http:// too (no upgrade;\n"
     "one connection per transfer with libcurl < 8.0)",
     NULL},
    {"user-agent", required_argument, OPT_USER_AGENT, "STR",
     "User-Agent header (default pdl/%s)", NULL},
    PDL_OPT_TEXT("  T is seconds, or a number with ms, s, m or h. SIZE is "
                 "bytes, or a number\n"
                 "  with k, M or G (powers of 1024).\n"
                 "\n"
                 "What requests carry:\n"),
    {"header", required_argument, 'H', "\"N: v\"",
     "add a header to every request; repeatable; @FILE\n"
     "reads one header a line (\"N:\" drops one libcurl\n"
     "adds). A URL's own: an indented header=N: v line",
     NULL},
    {"user", required_argument, OPT_USER, "USER:PASS",
     "credentials for every request (Basic auth)", NULL},
    {"netrc", no_argument, OPT_NETRC, NULL,
     "credentials from ~/.netrc where it has the host", NULL},
    {"cookie", required_argument, OPT_COOKIE, "DATA|FILE",
     "send cookies \"n=v; n2=v2\", or read a cookie file\n"
     "(Netscape format, or Set-Cookie lines)",
     NULL},
    {"cookie-jar", required_argument, OPT_COOKIE_JAR, "FILE",
     "write every cookie at the end (one store for all\n"
     "workers; per process with --mode processes)",
     NULL},
    {"compressed", no_argument, OPT_COMPRESSED, NULL,
     "ask for a compressed body, save it decompressed", NULL},
    {"proxy", required_argument, OPT_PROXY, "URL",
     "use this proxy (default: http_proxy, https_proxy,\n"
     "no_proxy from the environment)",
     NULL},
    {"resolve", required_argument, OPT_RESOLVE, "H:P:ADDR",
     "connect to ADDR for host H, port P; repeatable", NULL},
    {"connect-to", required_argument, OPT_CONNECT_TO, "H1:P1:H2:P2",
     "connect to H2:P2 for H1:P1; repeatable", NULL},
    {"checksums", required_argument, OPT_CHECKSUMS, "FILE",
     "sha256sum-style \"HEX  NAME\" lines: a body whose\n"
     "SHA-256 differs fails (status checksum), no file\n"
     "is left. A URL's own: checksum=sha256:HEX under it",
     NULL},
    PDL_OPT_TEXT("\n"),
    {"config", required_argument, 'K', "FILE",
     "read options from FILE first (default\n"
     "$XDG_CONFIG_HOME/pdl/pdlrc, else\n"
     "~/.config/pdl/pdlrc): one long option a line,\n"
     "\"workers = 8\" or \"--workers 8\"; the command line\n"
     "wins; -q as the first argument skips it",
     NULL},
    {"help", no_argument, 'h', NULL, "this text", "not a run option"},
    {"version", no_argument, 'V', NULL, "version and libcurl in use",
     "not a run option (try pdl --version)"},
    PDL_OPT_END,
};

static const struct pdl_opt_layout run_layout = {27, true};

static const char usage_head[] =
    "Usage: pdl [OPTIONS] LIST...\n"
    "       pdl compare [OPTIONS] LIST...   (see pdl compare --help)\n"
    "       pdl export TIMELINE FILE...     (as .jsonl, .trace.json, .har, "
    ".json)\n"
    "       pdl chart TIMELINE OUT...       (redraw a timeline; see pdl chart "
    "--help)\n"
    "       pdl predict TIMELINE [OPTIONS]  (what other worker counts would "
    "give)\n"
    "       pdl demo [DIR]                  (the bundled server, every mode, "
    "charts)\n"
    "Download every URL in the LIST files (one per line; '-' is stdin) and "
    "record\n"
    "when each task ran, in a timeline every mode writes alike.\n"
    "\n"
    "How to run:\n";

static const char usage_tail[] =
    "\n"
    "Examples:\n"
    "  pdl --mode threads -w 2 urls.txt\n"
    "  pdl --mode processes -w 4 -o downloads/ --timeline run.tsv urls.txt\n"
    "  cat urls.txt | pdl -w 8 -\n"
    "  pdl -w 4 --discard --chart run.png urls.txt\n"
    "  pdl -w 8 --retries 3 --failed failed.txt urls.txt || pdl failed.txt\n"
    "  pdl demo                      # try it all on the bundled server\n"
    "\n"
    "Exit status: 0 every task ok; 1 some task failed or a list line was bad;\n"
    "2 usage error, unreadable list, unusable output folder or timeline;\n"
    "130 or 143 interrupted by SIGINT or SIGTERM.\n";

static void usage(FILE *out)
{
    char modes[1024];
    size_t o = 0;

    modes[0] = '\0';
    for (size_t i = 0; pdl_runners[i] && o < sizeof(modes); i++) {
        int n = snprintf(modes + o, sizeof(modes) - o, "      %-10s %s\n",
                         pdl_runners[i]->name, pdl_runners[i]->help);
        if (n < 0)
            break;
        o += (size_t)n;
    }
    pdl_opt_usage(out, pdl_run_opts, &run_layout, usage_head, usage_tail, modes,
                  PDL_WORKERS_MAX, PDL_WORKERS_DEFAULT, PDL_PER_HOST_DEFAULT,
                  PDL_CHART_TASKS_MAX, PDL_CHART_LANES_MAX, PDL_VERSION);
}

/* Reports a bad option value in the one error form; returns the exit code. */
static int bad_value(const char *opt, const char *why, const char *val)
{
    fprintf(stderr, "pdl: %s: %s: \"%s\"\n", opt, why, val);
    return PDL_EXIT_USAGE;
}

static const char *name_of(int c)
{
    const struct pdl_opt *o = pdl_opt_find(pdl_run_opts, c);

    return o ? o->name : "?";
}

static int get_long(int c, const char *arg, long lo, long hi, long *out)
{
    char opt[48], why[80];

    if (pdl_parse_long(arg, lo, hi, out))
        return 0;
    snprintf(opt, sizeof(opt), "--%s", name_of(c));
    snprintf(why, sizeof(why), "must be a whole number from %ld to %ld", lo,
             hi);
    return bad_value(opt, why, arg);
}

static int get_ms(int c, const char *arg, long *out)
{
    char opt[48];

    if (pdl_parse_duration_ms(arg, out))
        return 0;
    snprintf(opt, sizeof(opt), "--%s", name_of(c));
    return bad_value(opt, "not a duration up to 1 day (e.g. 30, 2.5s, 500ms)",
                     arg);
}

static int get_size(int c, const char *arg, int64_t *out)
{
    char opt[48];

    if (pdl_parse_size(arg, out))
        return 0;
    snprintf(opt, sizeof(opt), "--%s", name_of(c));
    return bad_value(opt, "not a size (e.g. 500000, 64k, 10M, 2G)", arg);
}

/* Appends v to a list of strings the cli owns. */
static void push(const char ***v, size_t *n, const char *s)
{
    *v = pdl_xrealloc((void *)*v, *n + 1, sizeof(**v));
    (*v)[(*n)++] = s;
}

/* Makes s the cli's to free. */
static char *own(struct pdl_cli *cli, char *s)
{
    push((const char ***)&cli->owned, &cli->nowned, s);
    return s;
}

/* One -H value: checked, then kept. */
static int add_header(struct pdl_cli *cli, const char *h, const char *shown)
{
    const char *why = pdl_request_check_header(h);

    if (why)
        return bad_value(shown, why, h);
    push(&cli->headers, &cli->nheaders, h);
    return 0;
}

/* -H @FILE: one header a line; blank lines and '#' comments skipped. */
static int header_file(struct pdl_cli *cli, const char *path)
{
    FILE *in = fopen(path, "r");
    char *line = NULL, shown[512];
    size_t cap = 0;
    long no = 0;
    ssize_t n;
    int rc = 0;

    if (!in)
        return bad_value("--header", strerror(errno), path);
    for (n = getline(&line, &cap, in); rc == 0 && n >= 0;
         n = getline(&line, &cap, in)) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        snprintf(shown, sizeof(shown), "--header: %s:%ld", path, no);
        rc = add_header(cli, own(cli, pdl_xstrdup(line)), shown);
    }
    free(line);
    fclose(in);
    return rc;
}

/* A file pdl will read: it must be readable now. */
static int readable(const char *opt, const char *path)
{
    FILE *f = fopen(path, "r");

    if (!f)
        return bad_value(opt, strerror(errno), path);
    fclose(f);
    return 0;
}

/* A file pdl will write at the end: its folder must be writable now. */
static int writable(const char *opt, const char *path)
{
    char *copy = pdl_xstrdup(path);
    int rc = 0;

    if (!*path)
        rc = bad_value(opt, "empty file name", path);
    else if (access(dirname(copy), W_OK) != 0)
        rc = bad_value(opt, strerror(errno), path);
    free(copy);
    return rc;
}

/* Options that shape the requests (request.c). Same returns as
 * value_option. */
static int request_option(struct pdl_cli *cli, int c, const char *arg)
{
    struct pdl_options *o = &cli->opt;
    const char *why = NULL;
    char err[256];

    switch (c) {
    case 'H':
        return arg[0] == '@' ? header_file(cli, arg + 1)
                             : add_header(cli, arg, "--header");
    case OPT_USER:
        why = pdl_request_check_userpwd(arg);
        o->userpwd = arg;
        break;
    case OPT_NETRC:
        o->netrc = true;
        return 0;
    case OPT_COOKIE:
        o->cookie = arg;
        if (!pdl_request_cookie_is_data(arg))
            return readable("--cookie", arg);
        if (strpbrk(arg, "\r\n"))
            why = "holds a line break";
        break;
    case OPT_COOKIE_JAR:
        o->cookie_jar = arg;
        return writable("--cookie-jar", arg);
    case OPT_COMPRESSED:
        o->compressed = true;
        return 0;
    case OPT_PROXY:
        why = pdl_request_check_proxy(arg);
        o->proxy = arg;
        break;
    case OPT_RESOLVE:
        why = pdl_request_check_resolve(arg);
        push(&cli->resolve, &cli->nresolve, arg);
        break;
    case OPT_CONNECT_TO:
        why = pdl_request_check_connect_to(arg);
        push(&cli->connect_to, &cli->nconnect_to, arg);
        break;
    case OPT_NO_CLOBBER:
        o->no_clobber = true;
        return 0;
    case OPT_CONTENT_DISPOSITION:
        o->content_disposition = true;
        return 0;
    case 'x':
        o->force_dirs = true;
        return 0;
    case 'K':
        return 0; /* read before the loop (config_args) */
    case OPT_CHECKSUMS:
        pdl_checksums_destroy(cli->checksums);
        cli->checksums = pdl_checksums_load(arg, err, sizeof(err));
        o->checksums = cli->checksums;
        return cli->checksums ? 0 : bad_value("--checksums", err, arg);
    default:
        return -1;
    }
    if (!why)
        return 0;
    snprintf(err, sizeof(err), "--%s", name_of(c));
    return bad_value(err, why, arg);
}

/* Options that take a checked value. Returns 0, an exit code, or -1 if c
 * is not one of them. */
static int value_option(struct pdl_cli *cli, int c, const char *arg)
{
    struct pdl_options *o = &cli->opt;
    long v = 0;
    int rc;

    switch (c) {
    case 'w':
        rc = get_long(c, arg, 1, PDL_WORKERS_MAX, &v);
        o->workers = (unsigned)v;
        return rc;
    case OPT_CHUNK:
        rc = get_long(c, arg, 1, 1000000, &v);
        o->chunk = (unsigned)v;
        return rc;
    case OPT_RETRIES:
        rc = get_long(c, arg, 0, 100, &v);
        o->retries = (int)v;
        return rc;
    case OPT_MAX_REDIRS:
        return get_long(c, arg, 0, 1000, &o->max_redirs);
    case OPT_PER_HOST:
        rc = get_long(c, arg, 0, PDL_WORKERS_MAX, &v);
        o->per_host = (unsigned)v;
        o->per_host_loopback = true;
        return rc;
    case OPT_RATE:
        if (pdl_parse_rate(arg, &o->rate))
            return 0;
        return bad_value("--rate", "not a rate (e.g. 10/s, 600/m, 2/h)", arg);
    case OPT_SPEED_LIMIT:
        return get_long(c, arg, 0, 1L << 40, &o->speed_limit);
    case OPT_CONNECT_TIMEOUT:
        return get_ms(c, arg, &o->connect_timeout_ms);
    case OPT_TIMEOUT:
        return get_ms(c, arg, &o->timeout_ms);
    case OPT_RETRY_DELAY:
        return get_ms(c, arg, &o->retry_delay_ms);
    case OPT_RETRY_MAX:
        return get_ms(c, arg, &o->retry_max_ms);
    case OPT_SPEED_TIME:
        rc = get_ms(c, arg, &v);
        o->speed_time_s = (v + 999) / 1000; /* libcurl counts seconds */
        return rc;
    case OPT_MAX_FILESIZE:
        return get_size(c, arg, &o->max_filesize);
    case OPT_LIMIT_RATE:
        return get_size(c, arg, &o->limit_rate);
    }
    return -1;
}

/* Options that name a choice or a file. Same returns as value_option. */
static int word_option(struct pdl_cli *cli, int c, const char *arg)
{
    enum pdl_export_format fmt;

    switch (c) {
    case 'm':
        if (!pdl_runner_find(arg))
            return bad_value("--mode", "unknown mode (see pdl --help)", arg);
        if (pdl_runner_find(arg)->unavailable)
            return bad_value("--mode", pdl_runner_find(arg)->unavailable, arg);
        cli->opt.mode = arg;
        return 0;
    case OPT_SCHEDULE:
        if (strcmp(arg, "dynamic") != 0 && strcmp(arg, "static") != 0)
            return bad_value("--schedule", "must be dynamic or static", arg);
        cli->opt.schedule =
            strcmp(arg, "static") == 0 ? PDL_SCHED_STATIC : PDL_SCHED_DYNAMIC;
        return 0;
    case OPT_ORDER:
        if (strcmp(arg, "list") != 0 && strcmp(arg, "longest-first") != 0)
            return bad_value("--order", "must be list or longest-first", arg);
        cli->opt.order =
            strcmp(arg, "list") == 0 ? PDL_ORDER_LIST : PDL_ORDER_LONGEST_FIRST;
        return 0;
    case OPT_DURATIONS_FROM:
        if (readable("--durations-from", arg) != 0)
            return PDL_EXIT_USAGE;
        cli->opt.durations_from = arg;
        return 0;
    case 'o':
        if (!*arg)
            return bad_value("--output", "empty folder name", arg);
        cli->opt.outdir = arg;
        return 0;
    case OPT_CHART:
        if (!pdl_chart_format_ok(arg))
            return bad_value("--chart",
                             "unknown chart format (use .png, .svg "
                             "or .pdf)",
                             arg);
        if (cli->ncharts == PDL_CHARTS_MAX)
            return bad_value("--chart", "too many charts", arg);
        cli->charts[cli->ncharts++] = arg;
        cli->chart = cli->charts[0];
        return 0;
    case OPT_CHART_BY:
        if (strcmp(arg, "task") != 0 && strcmp(arg, "worker") != 0 &&
            strcmp(arg, "connection") != 0 && strcmp(arg, "overview") != 0)
            return bad_value("--chart-by",
                             "must be task, worker, connection or overview",
                             arg);
        cli->chart_by = strcmp(arg, "task") == 0         ? "gantt"
                        : strcmp(arg, "worker") == 0     ? "lanes"
                        : strcmp(arg, "connection") == 0 ? "conns"
                                                         : "overview";
        return 0;
    case OPT_PROGRESS:
        if (!pdl_progress_parse(arg, &cli->progress))
            return bad_value("--progress", "must be bar, plain, json or none",
                             arg);
        return 0;
    case OPT_EXPORT:
        if (!pdl_export_format_for(arg, &fmt))
            return bad_value("--export",
                             "no export format by that name "
                             "(*.jsonl, *.trace.json, *.har or *.json)",
                             arg);
        if (cli->nexports == PDL_EXPORTS_MAX)
            return bad_value("--export", "too many exports", arg);
        cli->exports[cli->nexports++] = arg;
        return 0;
    }
    return -1;
}

/* Options without a value to check. Same returns as value_option. */
static int flag_option(struct pdl_cli *cli, int c, const char *arg)
{
    switch (c) {
    case OPT_DISCARD:
        cli->opt.discard = true;
        return 0;
    case OPT_CONTINUE:
        cli->opt.resume = true;
        return 0;
    case 't':
        cli->timeline = arg;
        return 0;
    case OPT_NO_TIMELINE:
        cli->timeline = NULL;
        return 0;
    case OPT_FAILED:
        cli->failed = arg;
        return 0;
    case OPT_JSON:
        cli->json = arg;
        return 0;
    case OPT_USER_AGENT:
        cli->opt.user_agent = arg;
        return 0;
    case 'k':
        cli->opt.insecure = true;
        return 0;
    /* Connections and protocols. */
    case OPT_HTTP1_1:
        cli->opt.http = PDL_HTTP_1_1;
        return 0;
    case OPT_HTTP2:
        cli->opt.http = PDL_HTTP_2;
        return 0;
    case OPT_HTTP2_PRIOR:
        cli->opt.http = PDL_HTTP_2_PRIOR;
        return 0;
    case OPT_CACERT:
        cli->opt.cacert = arg;
        return 0;
    case OPT_NO_GLOB:
        cli->no_glob = true;
        return 0;
    case 'q':
        cli->quiet = true;
        return 0;
    }
    return -1;
}

/* --order longest-first and --durations-from need each other, and the
 * dynamic schedule: static slices are cut in list order. */
static int check_order(const struct pdl_options *o)
{
    const char *why = NULL;

    if (o->order == PDL_ORDER_LONGEST_FIRST && !o->durations_from)
        why = "--order longest-first: needs the tasks' times: add "
              "--durations-from TIMELINE (an earlier run's timeline)";
    else if (o->order != PDL_ORDER_LONGEST_FIRST && o->durations_from)
        why = "--durations-from: only --order longest-first uses it";
    else if (o->order == PDL_ORDER_LONGEST_FIRST &&
             o->schedule == PDL_SCHED_STATIC)
        why = "--order longest-first: the static schedule cuts the list "
              "in its order; use --schedule dynamic";
    if (why)
        fprintf(stderr, "pdl: %s\n", why);
    return why ? -1 : 0;
}

/* Rules that involve more than one option. */
static int check_together(struct pdl_cli *cli)
{
    if (cli->nlists == 0) {
        fputs("pdl: no URL list given (a file, or - for stdin)\n"
              "Try 'pdl --help'.\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    if (cli->opt.resume && !cli->timeline) {
        fputs("pdl: --continue: needs the timeline of the earlier run; drop "
              "--no-timeline\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    if (cli->json && cli->timeline && strcmp(cli->json, "-") == 0 &&
        strcmp(cli->timeline, "-") == 0) {
        fputs("pdl: --json -: stdout already carries the timeline (-t -)\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    /* --continue skips a task whose file is there: with no files kept,
     * nothing would say that an earlier run's body is still whole. */
    if (cli->opt.resume && cli->opt.discard) {
        fputs("pdl: --continue cannot be used with --discard (it resumes "
              "from saved files)\nTry 'pdl --help'.\n",
              stderr);
        return PDL_EXIT_USAGE;
    }
    /* --continue finds a body by its planned name in the output folder. */
    if (cli->opt.resume &&
        (cli->opt.force_dirs || cli->opt.content_disposition)) {
        fprintf(stderr, "pdl: --continue: cannot find bodies saved with %s\n",
                cli->opt.force_dirs ? "--force-directories"
                                    : "--content-disposition");
        return PDL_EXIT_USAGE;
    }
    if (check_order(&cli->opt) != 0)
        return PDL_EXIT_USAGE;
    if (strcmp(cli->opt.mode, "serial") == 0)
        cli->opt.workers = 1;
    return -1;
}

void pdl_cli_cleanup(struct pdl_cli *cli)
{
    for (size_t i = 0; i < cli->nowned; i++)
        free(cli->owned[i]);
    free(cli->owned);
    free(cli->argv);
    free(cli->headers);
    free(cli->resolve);
    free(cli->connect_to);
    pdl_checksums_destroy(cli->checksums);
    memset(cli, 0, sizeof(*cli));
}

bool pdl_cli_reads_details(const struct pdl_cli *cli)
{
    return !cli->quiet || cli->timeline || cli->nexports > 0 || cli->json ||
           cli->chart;
}

int pdl_cli_check_charts(const struct pdl_cli *cli)
{
    char err[512];

    for (size_t i = 0; i < cli->ncharts; i++) {
        if (pdl_chart_out_ok(cli->charts[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "pdl: --chart: %s: %s\n", cli->charts[i], err);
            return PDL_EXIT_USAGE;
        }
    }
    return 0;
}

/* ---- the config file ---- */

/* The -K/--config FILE of argv, or NULL. */
static const char *config_named(int argc, char **argv)
{
    const char *file = NULL;

    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if ((strcmp(argv[i], "-K") == 0 || strcmp(argv[i], "--config") == 0) &&
            i + 1 < argc)
            file = argv[++i];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
        else if (strncmp(argv[i], "-K", 2) == 0)
            file = argv[i] + 2;
    }
    return file;
}

/* The default config file: $XDG_CONFIG_HOME/pdl/pdlrc, else
 * ~/.config/pdl/pdlrc; "" if neither variable is set. Returns PDL_OK, or
 * PDL_ERR_TOOLONG when the path does not fit out (a cut path would read
 * another file). */
static int config_default(char *out, size_t outsz)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    out[0] = '\0';
    if (xdg && *xdg)
        return pdl_path_fmt(out, outsz, "%s/pdl/pdlrc", xdg);
    if (home && *home)
        return pdl_path_fmt(out, outsz, "%s/.config/pdl/pdlrc", home);
    return PDL_OK;
}

/* Trims s in place at both ends; drops one pair of double quotes. */
static char *trim(char *s)
{
    char *e = s + strlen(s);

    while (*s == ' ' || *s == '\t')
        s++;
    while (e > s && strchr(" \t\r\n", e[-1]))
        e--;
    *e = '\0';
    if (e - s >= 2 && s[0] == '"' && e[-1] == '"') {
        e[-1] = '\0';
        s++;
    }
    return s;
}

/* One line of a config file, as "--name" and perhaps a value appended to
 * args. Returns NULL, or why the line is refused. */
static const char *config_line(struct pdl_cli *cli, char *line, char ***args,
                               size_t *n)
{
    char *s = trim(line), *v;
    size_t len;
    const struct pdl_opt *o;

    if (*s == '\0' || *s == '#')
        return NULL;
    if (strncmp(s, "--", 2) == 0)
        s += 2;
    len = strcspn(s, " \t=");
    o = pdl_opt_named(pdl_run_opts, s, len);
    if (!o)
        return "unknown option";
    if (o->id == 'K')
        return "--config cannot be given in a config file";
    v = s + len;
    v += strspn(v, " \t");
    if (*v == '=')
        v = trim(v + 1);
    if (o->has_arg == required_argument && *v == '\0')
        return "needs a value";
    if (o->has_arg == no_argument && *v != '\0')
        return "takes no value";
    char opt[64];
    snprintf(opt, sizeof(opt), "--%s", o->name);
    *args = pdl_xrealloc(*args, *n + 2, sizeof(**args));
    (*args)[(*n)++] = own(cli, pdl_xstrdup(opt));
    if (o->has_arg == required_argument)
        (*args)[(*n)++] = own(cli, pdl_xstrdup(v));
    return NULL;
}

/* Reads the config file into args. A missing default file is no error; a
 * missing -K file is. Returns 0 or PDL_EXIT_USAGE (reported). */
static int config_read(struct pdl_cli *cli, const char *path, bool named,
                       char ***args, size_t *n)
{
    FILE *in = fopen(path, "r");
    char *line = NULL, quoted[128];
    size_t cap = 0;
    long no = 0;
    int rc = 0;
    struct stat st;

    /* No default file (or a home that is not ours to read: a run as
     * another user) is no error; one that is there but unreadable is. */
    if (!in && !named && stat(path, &st) != 0)
        return 0;
    if (!in)
        return bad_value("--config", strerror(errno), path);
    while (rc == 0 && getline(&line, &cap, in) >= 0) {
        const char *why;
        no++;
        pdl_quote(line, strcspn(line, "\r\n"), quoted, sizeof(quoted));
        why = config_line(cli, line, args, n);
        if (why) {
            fprintf(stderr, "pdl: %s:%ld: %s: \"%s\"\n", path, no, why, quoted);
            rc = PDL_EXIT_USAGE;
        }
    }
    free(line);
    fclose(in);
    return rc;
}

/* argv with the config file's options put first, so that the command line
 * wins. Returns 0 or an exit code. */
static int config_args(struct pdl_cli *cli, int *argc, char ***argv)
{
    const char *named = config_named(*argc, *argv);
    char path[4096], **args = NULL;
    size_t n = 0;
    int rc;

    if (*argc > 1 && strcmp((*argv)[1], "-q") == 0)
        return 0;
    if ((named ? pdl_path_fmt(path, sizeof(path), "%s", named)
               : config_default(path, sizeof(path))) != PDL_OK) {
        fprintf(stderr, "pdl: config file %s: %s\n",
                named ? named
                      : "$XDG_CONFIG_HOME/pdl/pdlrc or ~/.config/pdl/pdlrc",
                pdl_strerror(PDL_ERR_TOOLONG));
        return PDL_EXIT_USAGE;
    }
    if (!path[0])
        return 0;
    rc = config_read(cli, path, named != NULL, &args, &n);
    if (rc != 0 || n == 0) {
        free(args);
        return rc;
    }
    char **all = pdl_xcalloc((size_t)*argc + n + 1, sizeof(*all));
    all[0] = (*argv)[0];
    memcpy(all + 1, args, n * sizeof(*all));
    memcpy(all + 1 + n, *argv + 1, (size_t)(*argc - 1) * sizeof(*all));
    free(args);
    *argc += (int)n;
    *argv = all;
    cli->argv = all;
    return 0;
}

/* One option of argv into cli. Returns -1 to go on, or an exit code. */
static int one_option(void *ctx, int c, const char *arg)
{
    struct pdl_cli *cli = ctx;
    int rc = value_option(cli, c, arg);

    if (rc < 0)
        rc = word_option(cli, c, arg);
    if (rc < 0)
        rc = flag_option(cli, c, arg);
    if (rc < 0)
        rc = request_option(cli, c, arg);
    if (rc >= 0)
        return rc == 0 ? -1 : rc;
    if (c == 'h') {
        usage(stdout);
        return PDL_EXIT_OK;
    }
    if (c == 'V') {
        printf("pdl %s (%s)\n", PDL_VERSION, curl_version());
        return PDL_EXIT_OK;
    }
    fputs("Try 'pdl --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

/* Defaults, the config file, argv, the checks. */
int pdl_cli_parse(int argc, char **argv, struct pdl_cli *cli)
{
    const struct pdl_opt *tables[] = {pdl_run_opts};
    int rc;

    memset(cli, 0, sizeof(*cli));
    pdl_options_init(&cli->opt);
    cli->timeline = "pdl-timeline.tsv";
    cli->chart_by = "gantt";
    rc = config_args(cli, &argc, &argv);
    if (rc != 0)
        return rc;
    rc = pdl_cli_options(argc, argv, tables, 1, false, one_option, cli);
    if (rc >= 0)
        return rc;
    cli->lists = argv + optind;
    cli->nlists = argc - optind;
    cli->opt.headers = cli->headers;
    cli->opt.nheaders = cli->nheaders;
    cli->opt.resolve = cli->resolve;
    cli->opt.nresolve = cli->nresolve;
    cli->opt.connect_to = cli->connect_to;
    cli->opt.nconnect_to = cli->nconnect_to;
    return check_together(cli);
}

/* ---- option tables (every command's) ---- */

/* getopt_long's view of one or more tables: an entry is taken from the
 * first table that has its long name or short letter. */
struct pdl_getopt {
    struct option *longopts; /* allocated */
    char shortopts[128];     /* with a leading ':' if quiet */
};

/* True if g already holds the long option name. */
static bool has_long(const struct option *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return true;
    return false;
}

/* Adds o's letter (and ':' if it takes a value) to the short options,
 * unless it has none or an earlier table took it. */
static void add_short(struct pdl_getopt *g, const struct pdl_opt *o)
{
    size_t len = strlen(g->shortopts);

    if (o->id <= 0 || o->id >= 256 || strchr(g->shortopts, o->id) ||
        len + 3 > sizeof(g->shortopts))
        return;
    g->shortopts[len++] = (char)o->id;
    if (o->has_arg == required_argument)
        g->shortopts[len++] = ':';
    g->shortopts[len] = '\0';
}

static void getopt_init(struct pdl_getopt *g,
                        const struct pdl_opt *const *tables, size_t ntables,
                        bool colon)
{
    size_t total = 0, n = 0;

    for (size_t t = 0; t < ntables; t++)
        for (const struct pdl_opt *o = tables[t]; o->name || o->help; o++)
            total += o->name != NULL;
    g->longopts = pdl_xcalloc(total + 1, sizeof(*g->longopts));
    snprintf(g->shortopts, sizeof(g->shortopts), "%s", colon ? ":" : "");
    for (size_t t = 0; t < ntables; t++)
        for (const struct pdl_opt *o = tables[t]; o->name || o->help; o++) {
            if (!o->name || has_long(g->longopts, n, o->name))
                continue;
            g->longopts[n++] = (struct option){
                o->name, o->arg ? required_argument : no_argument, NULL, o->id};
            add_short(g, o);
        }
}

int pdl_cli_options(int argc, char **argv, const struct pdl_opt *const *tables,
                    size_t ntables, bool quiet, pdl_opt_fn *fn, void *ctx)
{
    struct pdl_getopt g;
    int c, rc = -1;

    getopt_init(&g, tables, ntables, quiet);
    optind = 1;
    opterr = !quiet;
    while (rc < 0) {
        c = getopt_long(argc, argv, g.shortopts, g.longopts, NULL);
        if (c == -1)
            break;
        rc = fn(ctx, c, optarg);
    }
    free(g.longopts);
    return rc;
}

int pdl_cli_add_number(const char *item, long lo, long hi, unsigned *v,
                       size_t *n, size_t max)
{
    long x;

    if (!pdl_parse_long(item, lo, hi, &x))
        return 1;
    for (size_t i = 0; i < *n; i++)
        if (v[i] == (unsigned)x)
            return 2;
    if (*n == max)
        return 3;
    v[(*n)++] = (unsigned)x;
    return 0;
}

const struct pdl_opt *pdl_opt_find(const struct pdl_opt *table, int id)
{
    for (const struct pdl_opt *o = table; o->name || o->help; o++)
        if (o->name && o->id == id)
            return o;
    return NULL;
}

const struct pdl_opt *pdl_opt_named(const struct pdl_opt *table,
                                    const char *name, size_t n)
{
    for (const struct pdl_opt *o = table; o->name || o->help; o++)
        if (o->name && strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

/* One option's --help lines: "  -x, --name ARG", padded to the column
 * (two spaces if it reaches it), then the help, each further line
 * indented to the column. */
static void usage_entry(FILE *f, const struct pdl_opt *o,
                        const struct pdl_opt_layout *lay)
{
    int len;

    if (o->id > 0 && o->id < 256)
        len = fprintf(f, "  -%c, --%s", o->id, o->name);
    else
        len = fprintf(f, "%s--%s", lay->long_indent ? "      " : "  ", o->name);
    if (o->arg)
        len += fprintf(f, " %s", o->arg);
    fprintf(f, "%*s", len <= lay->column - 2 ? lay->column - len : 2, "");
    for (const char *h = o->help; *h; h++) {
        fputc(*h, f);
        if (*h == '\n' && h[1])
            fprintf(f, "%*s", lay->column, "");
    }
    fputc('\n', f);
}

void pdl_opt_usage(FILE *out, const struct pdl_opt *table,
                   const struct pdl_opt_layout *lay, const char *head,
                   const char *tail, ...)
{
    char *fmt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&fmt, &len);
    va_list ap;

    /* Only memory can fail here; the one policy is to say so and abort. */
    if (!f) {
        fputs("pdl: out of memory\n", stderr);
        abort();
    }
    fputs(head, f);
    for (const struct pdl_opt *o = table; o->name || o->help; o++) {
        if (!o->name)
            fputs(o->help, f);
        else if (o->help)
            usage_entry(f, o, lay);
    }
    fputs(tail, f);
    if (fclose(f) != 0) {
        fputs("pdl: out of memory\n", stderr);
        abort();
    }
    va_start(ap, tail);
    vfprintf(out, fmt, ap);
    va_end(ap);
    free(fmt);
}

int pdl_cli_each_item(const char *arg, int (*add)(void *ctx, const char *item),
                      void *ctx, const char **why)
{
    for (const char *p = arg;; p++) {
        size_t len = strcspn(p, ",");
        char item[64];
        int rc;

        *why = len == 0              ? "empty item in the list"
               : len >= sizeof(item) ? "item too long"
                                     : NULL;
        if (*why)
            return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        rc = add(ctx, item);
        if (rc != 0 || p[len] == '\0')
            return rc;
        p += len;
    }
}

/* Through the core's writer, so that a path that is not UTF-8 still makes
 * valid JSON. */
void pdl_json_string(FILE *out, const char *s)
{
    pdl_json_strn(out, s, strlen(s));
}

void pdl_cli_catch_signals(void (*on_signal)(int), struct sigaction old[2])
{
    static const int sigs[2] = {SIGINT, SIGTERM};
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++) {
        sigaction(sigs[i], NULL, &old[i]);
        if (old[i].sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

void pdl_cli_restore_signals(const struct sigaction old[2])
{
    sigaction(SIGINT, &old[0], NULL);
    sigaction(SIGTERM, &old[1], NULL);
}

/* libcurl 7.88 allocates each transfer's receive buffer (256 KiB: see
 * fetch.c) when the transfer starts and frees it when it ends. Left to
 * glibc's sliding thresholds, that memory went back to the kernel and was
 * faulted in again almost every request: on this project's VMs the page
 * faults tripled the system time of small requests (20,000 x 64 B at W=16:
 * 1.35 s with, 0.74 s without). Buffers below 1 MiB therefore come from
 * the heap and up to 4 MiB of free heap top is kept; the memory held is
 * what W transfers use at once anyway. */
static void keep_transfer_buffers(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
}

void pdl_main_init(void)
{
    keep_transfer_buffers();
    /* A closed pipe is a write error to report, not a reason to die. */
    signal(SIGPIPE, SIG_IGN);
}
