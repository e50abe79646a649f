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
#include <getopt.h>
#include <libgen.h>
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

static const struct option longopts[] = {
    {"mode", required_argument, NULL, 'm'},
    {"workers", required_argument, NULL, 'w'},
    {"schedule", required_argument, NULL, OPT_SCHEDULE},
    {"chunk", required_argument, NULL, OPT_CHUNK},
    {"rate", required_argument, NULL, OPT_RATE},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"output", required_argument, NULL, 'o'},
    {"discard", no_argument, NULL, OPT_DISCARD},
    {"continue", no_argument, NULL, OPT_CONTINUE},
    {"timeline", required_argument, NULL, 't'},
    {"no-timeline", no_argument, NULL, OPT_NO_TIMELINE},
    {"failed", required_argument, NULL, OPT_FAILED},
    {"export", required_argument, NULL, OPT_EXPORT},
    {"json", required_argument, NULL, OPT_JSON},
    {"chart", required_argument, NULL, OPT_CHART},
    {"chart-by", required_argument, NULL, OPT_CHART_BY},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
    {"retry-max-wait", required_argument, NULL, OPT_RETRY_MAX},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"speed-limit", required_argument, NULL, OPT_SPEED_LIMIT},
    {"speed-time", required_argument, NULL, OPT_SPEED_TIME},
    {"max-filesize", required_argument, NULL, OPT_MAX_FILESIZE},
    {"limit-rate", required_argument, NULL, OPT_LIMIT_RATE},
    {"max-redirs", required_argument, NULL, OPT_MAX_REDIRS},
    {"insecure", no_argument, NULL, 'k'},
    /* Connections and protocols. */
    {"http1.1", no_argument, NULL, OPT_HTTP1_1},
    {"http2", no_argument, NULL, OPT_HTTP2},
    {"http2-prior-knowledge", no_argument, NULL, OPT_HTTP2_PRIOR},
    {"cacert", required_argument, NULL, OPT_CACERT},
    {"no-glob", no_argument, NULL, OPT_NO_GLOB},
    {"user-agent", required_argument, NULL, OPT_USER_AGENT},
    {"header", required_argument, NULL, 'H'},
    {"user", required_argument, NULL, OPT_USER},
    {"netrc", no_argument, NULL, OPT_NETRC},
    {"cookie", required_argument, NULL, OPT_COOKIE},
    {"cookie-jar", required_argument, NULL, OPT_COOKIE_JAR},
    {"compressed", no_argument, NULL, OPT_COMPRESSED},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"resolve", required_argument, NULL, OPT_RESOLVE},
    {"connect-to", required_argument, NULL, OPT_CONNECT_TO},
    {"checksums", required_argument, NULL, OPT_CHECKSUMS},
    {"no-clobber", no_argument, NULL, OPT_NO_CLOBBER},
    {"content-disposition", no_argument, NULL, OPT_CONTENT_DISPOSITION},
    {"force-directories", no_argument, NULL, 'x'},
    {"config", required_argument, NULL, 'K'},
    {"progress", required_argument, NULL, OPT_PROGRESS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "Usage: pdl [OPTIONS] LIST...\n"
    "       pdl compare [OPTIONS] LIST...   (see pdl compare --help)\n"
    "       pdl export TIMELINE FILE...     (timeline as .jsonl, .json or "
    ".har)\n"
    "       pdl chart TIMELINE OUT...       (redraw a timeline; see pdl chart "
    "--help)\n"
    "Download every URL in the LIST files (one per line; '-' is stdin) and "
    "record\n"
    "when each task ran, in a timeline every mode writes alike.\n"
    "\n"
    "How to run:\n"
    "  -m, --mode MODE          how tasks are spread over workers (default "
    "threads):\n"
    "%s"
    "  -w, --workers N          workers, 1..%d (default %d)\n"
    "      --schedule HOW       dynamic: workers take the next task from one "
    "queue\n"
    "                           (default); static: the list is cut into W\n"
    "                           contiguous slices up front\n"
    "      --chunk N            dynamic: take N tasks at a time (default 1)\n"
    "      --rate R             start at most R tasks per second over all "
    "workers\n"
    "                           (10/s, 600/m, 2/h; default no limit)\n"
    "      --per-host N         at most N transfers to one host at once, 0 = "
    "no\n"
    "                           cap (default %d, loopback hosts not capped)\n"
    "\n"
    "URL ranges, as curl's: http://h/page/[1-100], [001-100], [0-100:10], "
    "[a-z],\n"
    "{one,two}; several multiply. \\[ \\] \\{ \\} are literal.\n"
    "      --no-glob            take [ ] { } in URLs literally\n"
    "\n"
    "Where bodies go:\n"
    "  -o, --output DIR         save into DIR, created if missing (default .)\n"
    "      --discard            do not save bodies (for measurements)\n"
    "      --no-clobber         skip a URL whose file is there (status "
    "skipped)\n"
    "      --content-disposition  name a body as the server's "
    "Content-Disposition\n"
    "                           says (cleaned like URL names; a name taken "
    "is\n"
    "                           numbered, never replaced)\n"
    "  -x, --force-directories  save under HOST/PATH/ folders inside the "
    "output\n"
    "                           folder, as wget -x\n"
    "      --continue           skip what the last run's timeline records as "
    "done\n"
    "                           and whose file is there (a killed run's "
    "partial\n"
    "                           timeline TIMELINE.part-PID too); keep partial "
    "bodies\n"
    "                           of failed tasks and resume them with a range "
    "request\n"
    "                           only where the server continues the same "
    "resource\n"
    "\n"
    "What is recorded:\n"
    "  -t, --timeline FILE      timeline TSV ('-' = stdout; default "
    "pdl-timeline.tsv)\n"
    "      --no-timeline        write no timeline\n"
    "      --failed FILE        write the URLs that failed, as a list to run "
    "again\n"
    "      --json FILE          the summary and every task as one JSON "
    "document\n"
    "                           ('-' = stdout, which then carries nothing "
    "else)\n"
    "      --export FILE        also write the timeline as FILE.jsonl (JSON "
    "lines),\n"
    "                           FILE.json (Chrome trace, for Perfetto) or "
    "FILE.har\n"
    "                           (HAR 1.2, for browser devtools); repeatable\n"
    "      --chart FILE         draw the run with gnuplot (.png, .svg or "
    ".pdf);\n"
    "                           repeatable\n"
    "      --chart-by VIEW      task: one bar per task (default); worker: one "
    "lane\n"
    "                           per worker, showing idle gaps; connection: "
    "one lane\n"
    "                           per connection, showing reuse, set-up and "
    "idle time;\n"
    "                           overview: in flight,\n"
    "                           throughput, lanes and durations over time "
    "(what\n"
    "                           the others become above %d or %d tasks)\n"
    "      --progress STYLE     bar: one line redrawn on stderr (the default "
    "when it\n"
    "                           is a terminal); plain: a line at each tenth of "
    "the\n"
    "                           tasks and every 10 s, for logs; none\n"
    "  -q, --quiet              no summary and no progress on stderr (errors "
    "are\n"
    "                           still printed)\n"
    "\n"
    "When things go wrong:\n"
    "      --retries N          try a transient failure (refused, reset, "
    "timeout,\n"
    "                           408, 429, 5xx) up to N more times (default 0)\n"
    "      --retry-delay T      first wait before a retry, doubled each time, "
    "with\n"
    "                           jitter (default 1s)\n"
    "      --retry-max-wait T   longest wait, Retry-After included (default "
    "60s)\n"
    "      --connect-timeout T  give up connecting after T (default 30s)\n"
    "      --timeout T          give up a whole transfer after T (default "
    "none)\n"
    "      --speed-limit N      a transfer slower than N bytes/s ... (default "
    "1)\n"
    "      --speed-time T       ... for T is aborted (default 30s; 0 = never)\n"
    "      --max-filesize SIZE  fail bodies larger than SIZE, with or without "
    "a\n"
    "                           Content-Length\n"
    "      --limit-rate SIZE    at most SIZE bytes/s per transfer\n"
    "      --max-redirs N       follow at most N redirects (default 10)\n"
    "  -k, --insecure           do not verify TLS certificates (never the "
    "default)\n"
    "      --cacert FILE        verify TLS certificates against the CAs in "
    "FILE\n"
    "      --http1.1            speak HTTP/1.1 only\n"
    "      --http2              ask for HTTP/2 over TLS (ALPN); in async mode "
    "the\n"
    "                           transfers to one host then share one "
    "connection\n"
    "                           as streams (threads and processes: one per "
    "worker)\n"
    "      --http2-prior-knowledge  HTTP/2 at once, http:// too (no "
    "upgrade;\n"
    "                           one connection per transfer with libcurl < "
    "8.0)\n"
    "      --user-agent STR     User-Agent header (default pdl/%s)\n"
    "  T is seconds, or a number with ms, s, m or h. SIZE is bytes, or a "
    "number\n"
    "  with k, M or G (powers of 1024).\n"
    "\n"
    "What requests carry:\n"
    "  -H, --header \"N: v\"      add a header to every request; repeatable; "
    "@FILE\n"
    "                           reads one header a line (\"N:\" drops one "
    "libcurl\n"
    "                           adds). A URL's own: an indented header=N: v "
    "line\n"
    "      --user USER:PASS     credentials for every request (Basic auth)\n"
    "      --netrc              credentials from ~/.netrc where it has the "
    "host\n"
    "      --cookie DATA|FILE   send cookies \"n=v; n2=v2\", or read a cookie "
    "file\n"
    "                           (Netscape format, or Set-Cookie lines)\n"
    "      --cookie-jar FILE    write every cookie at the end (one store for "
    "all\n"
    "                           workers; per process with --mode processes)\n"
    "      --compressed         ask for a compressed body, save it "
    "decompressed\n"
    "      --proxy URL          use this proxy (default: http_proxy, "
    "https_proxy,\n"
    "                           no_proxy from the environment)\n"
    "      --resolve H:P:ADDR   connect to ADDR for host H, port P; "
    "repeatable\n"
    "      --connect-to H1:P1:H2:P2  connect to H2:P2 for H1:P1; repeatable\n"
    "      --checksums FILE     sha256sum-style \"HEX  NAME\" lines: a body "
    "whose\n"
    "                           SHA-256 differs fails (status checksum), no "
    "file\n"
    "                           is left. A URL's own: checksum=sha256:HEX "
    "under it\n"
    "\n"
    "  -K, --config FILE        read options from FILE first (default\n"
    "                           $XDG_CONFIG_HOME/pdl/pdlrc, else\n"
    "                           ~/.config/pdl/pdlrc): one long option a line,\n"
    "                           \"workers = 8\" or \"--workers 8\"; the "
    "command "
    "line\n"
    "                           wins; -q as the first argument skips it\n"
    "  -h, --help               this text\n"
    "  -V, --version            version and libcurl in use\n"
    "\n"
    "Examples:\n"
    "  pdl --mode threads -w 2 urls.txt\n"
    "  pdl --mode processes -w 4 -o downloads/ --timeline run.tsv urls.txt\n"
    "  cat urls.txt | pdl -w 8 -\n"
    "  pdl -w 4 --discard --chart run.png urls.txt\n"
    "  pdl -w 8 --retries 3 --failed failed.txt urls.txt && pdl failed.txt\n"
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
    fprintf(out, usage_text, modes, PDL_WORKERS_MAX, PDL_WORKERS_DEFAULT,
            PDL_PER_HOST_DEFAULT, PDL_CHART_TASKS_MAX, PDL_CHART_LANES_MAX,
            PDL_VERSION);
}

/* Reports a bad option value in the one error form; returns the exit code. */
static int bad_value(const char *opt, const char *why, const char *val)
{
    fprintf(stderr, "pdl: %s: %s: \"%s\"\n", opt, why, val);
    return PDL_EXIT_USAGE;
}

static const char *name_of(int c)
{
    for (size_t i = 0; longopts[i].name; i++)
        if (longopts[i].val == c)
            return longopts[i].name;
    return "?";
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
            return bad_value("--progress", "must be bar, plain or none", arg);
        return 0;
    case OPT_EXPORT:
        if (!pdl_export_format_for(arg, &fmt))
            return bad_value("--export",
                             "no export format by that name "
                             "(*.jsonl, *.json or *.har)",
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
    /* --continue finds a body by its planned name in the output folder. */
    if (cli->opt.resume &&
        (cli->opt.force_dirs || cli->opt.content_disposition)) {
        fprintf(stderr, "pdl: --continue: cannot find bodies saved with %s\n",
                cli->opt.force_dirs ? "--force-directories"
                                    : "--content-disposition");
        return PDL_EXIT_USAGE;
    }
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
 * ~/.config/pdl/pdlrc; "" if neither variable is set. */
static void config_default(char *out, size_t outsz)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

    if (xdg && *xdg)
        snprintf(out, outsz, "%s/pdl/pdlrc", xdg);
    else if (home && *home)
        snprintf(out, outsz, "%s/.config/pdl/pdlrc", home);
    else
        out[0] = '\0';
}

static const struct option *long_named(const char *name, size_t n)
{
    for (size_t i = 0; longopts[i].name; i++)
        if (strlen(longopts[i].name) == n &&
            strncmp(longopts[i].name, name, n) == 0)
            return &longopts[i];
    return NULL;
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
    const struct option *o;

    if (*s == '\0' || *s == '#')
        return NULL;
    if (strncmp(s, "--", 2) == 0)
        s += 2;
    len = strcspn(s, " \t=");
    o = long_named(s, len);
    if (!o)
        return "unknown option";
    if (o->val == 'K')
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
    if (!named)
        config_default(path, sizeof(path));
    else
        snprintf(path, sizeof(path), "%s", named);
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

int pdl_cli_parse(int argc, char **argv, struct pdl_cli *cli)
{
    int c;

    memset(cli, 0, sizeof(*cli));
    pdl_options_init(&cli->opt);
    cli->timeline = "pdl-timeline.tsv";
    cli->chart_by = "gantt";
    c = config_args(cli, &argc, &argv);
    if (c != 0)
        return c;
    while ((c = getopt_long(argc, argv, "m:w:o:t:kqhVH:xK:", longopts, NULL)) !=
           -1) {
        int rc = value_option(cli, c, optarg);
        if (rc < 0)
            rc = word_option(cli, c, optarg);
        if (rc < 0)
            rc = flag_option(cli, c, optarg);
        if (rc < 0)
            rc = request_option(cli, c, optarg);
        if (rc > 0)
            return rc;
        if (rc == 0)
            continue;
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
