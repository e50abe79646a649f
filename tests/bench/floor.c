/* libcurl's own floor per request: N GETs of BASE?i=0..N-1 with as little
 * around libcurl as possible (one reused easy handle, or W handles on one
 * curl_multi, or W threads with a handle each, or W forked processes with
 * a handle each taking ids from a counter in shared memory: what process
 * switches cost, with no parent in the loop), and, one by one, the
 * options pdl sets, to price each. Not part of the build: bench scripts
 * compile it with `cc -O2 floor.c -lcurl -lpthread` (see floor.sh).
 *
 * Usage: floor [-m easy|multi|socket|threads|processes] [-w W] [-n N]
 *              [-o OPTS] BASE
 *   socket: as multi, driven by curl_multi_socket_action on epoll instead
 *   of curl_multi_perform and curl_multi_poll (measured no faster with
 *   libcurl 7.88: findings.md).
 *   OPTS, comma-separated (pdl's settings in src/fetch.c): progress
 *   (NOPROGRESS 0 with an XFERINFOFUNCTION), buf256k (BUFFERSIZE 256 KiB),
 *   limits (redirects, timeouts, LOW_SPEED 1 B/s for 30 s, MAXFILESIZE 0,
 *   MAX_RECV_SPEED 0), follow (FOLLOWLOCATION), protocols, useragent, errbuf,
 *   resume (RESUME_FROM_LARGE 0 per transfer), getinfo (response code and
 *   four phase times per transfer, as pdl reads them), noproxy (PROXY ""),
 *   uaheader (the User-Agent as a CURLOPT_HTTPHEADER line instead of
 *   CURLOPT_USERAGENT, which libcurl formats anew for every request), url
 *   (URL set anew before each transfer, as pdl does, instead of only when it
 *   changes: always on, listed for clarity), ownmulti (easy and threads:
 *   each transfer on a multi handle of the worker's own, as pdl's blocking
 *   modes do, instead of curl_easy_perform), keepbuf (glibc's mmap and
 *   trim thresholds raised at start, as pdl does for its 256 KiB buffers:
 *   src/cli.c), pdl (what pdl sets: all of the above but useragent and
 *   resume; ownmulti only changes easy, threads and processes, as in
 *   pdl's blocking modes).
 * Prints one line: mode, W, N, options, wall s, req/s, CPU µs/req. */
#include <curl/curl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    OPT_PROGRESS = 1 << 0,
    OPT_BUF256K = 1 << 1,
    OPT_LIMITS = 1 << 2,
    OPT_FOLLOW = 1 << 3,
    OPT_PROTOCOLS = 1 << 4,
    OPT_USERAGENT = 1 << 5,
    OPT_ERRBUF = 1 << 6,
    OPT_RESUME = 1 << 7,
    OPT_GETINFO = 1 << 8,
    OPT_NOPROXY = 1 << 9,
    OPT_UAHEADER = 1 << 10,
    OPT_OWNMULTI = 1 << 11,
    OPT_KEEPBUF = 1 << 12,
};

static const struct {
    const char *name;
    unsigned bits;
} opt_names[] = {
    {"progress", OPT_PROGRESS},
    {"buf256k", OPT_BUF256K},
    {"limits", OPT_LIMITS},
    {"follow", OPT_FOLLOW},
    {"protocols", OPT_PROTOCOLS},
    {"useragent", OPT_USERAGENT},
    {"errbuf", OPT_ERRBUF},
    {"resume", OPT_RESUME},
    {"getinfo", OPT_GETINFO},
    {"noproxy", OPT_NOPROXY},
    {"uaheader", OPT_UAHEADER},
    {"ownmulti", OPT_OWNMULTI},
    {"keepbuf", OPT_KEEPBUF},
    {"url", 0},
    {"pdl", OPT_PROGRESS | OPT_BUF256K | OPT_LIMITS | OPT_FOLLOW |
                OPT_PROTOCOLS | OPT_UAHEADER | OPT_ERRBUF | OPT_GETINFO |
                OPT_NOPROXY | OPT_OWNMULTI | OPT_KEEPBUF},
};

struct worker {
    CURL *h;
    char url[512];
    char errbuf[CURL_ERROR_SIZE];
    long long bytes;
    unsigned long failed;
};

static const char *base;
static unsigned opts;
static unsigned long total;
/* The next id to fetch: a static for threads, shared memory for processes. */
static atomic_ulong id_counter;
static atomic_ulong *next_id = &id_counter;
static struct curl_slist *ua_header;

static size_t on_body(char *data, size_t size, size_t nmemb, void *p)
{
    struct worker *w = p;

    (void)data;
    w->bytes += (long long)(size * nmemb);
    return size * nmemb;
}

static int on_progress(void *p, curl_off_t a, curl_off_t b, curl_off_t c,
                       curl_off_t d)
{
    (void)p, (void)a, (void)b, (void)c, (void)d;
    return 0;
}

static void setup(struct worker *w)
{
    CURL *h = curl_easy_init();

    if (!h) {
        fputs("floor: curl_easy_init failed\n", stderr);
        exit(1);
    }
    w->h = h;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, w);
    if (opts & OPT_FOLLOW)
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    if (opts & OPT_PROTOCOLS) {
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    if (opts & OPT_LIMITS) {
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 0L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)0);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (opts & OPT_USERAGENT)
        curl_easy_setopt(h, CURLOPT_USERAGENT, "pdl/0.1.0");
    if (opts & OPT_ERRBUF)
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, w->errbuf);
    if (opts & OPT_BUF256K)
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    if (opts & OPT_PROGRESS) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, w);
    }
    if (opts & OPT_UAHEADER)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, ua_header);
    if (opts & OPT_NOPROXY)
        curl_easy_setopt(h, CURLOPT_PROXY, "");
}

/* Points w's handle at request id. */
static void prepare(struct worker *w, unsigned long id)
{
    snprintf(w->url, sizeof w->url, "%s?i=%lu", base, id);
    curl_easy_setopt(w->h, CURLOPT_URL, w->url);
    if (opts & OPT_ERRBUF)
        w->errbuf[0] = '\0';
    if (opts & OPT_RESUME)
        curl_easy_setopt(w->h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)0);
}

static void finish(struct worker *w, CURLcode rc)
{
    long code = 0;

    curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code);
    if (opts & OPT_GETINFO) {
        curl_off_t t;
        curl_easy_getinfo(w->h, CURLINFO_NAMELOOKUP_TIME_T, &t);
        curl_easy_getinfo(w->h, CURLINFO_CONNECT_TIME_T, &t);
        curl_easy_getinfo(w->h, CURLINFO_APPCONNECT_TIME_T, &t);
        curl_easy_getinfo(w->h, CURLINFO_STARTTRANSFER_TIME_T, &t);
    }
    if (rc != CURLE_OK || code != 200)
        w->failed++;
}

/* -o ownmulti: the transfer driven on a multi handle of the worker's own,
 * perform first and wait only while it runs (pdl's pdl_fetch_perform),
 * instead of curl_easy_perform, which polls before it first performs. */
static CURLcode own_perform(CURLM *m, CURL *h)
{
    CURLcode rc = CURLE_OK;
    CURLMsg *msg;
    int running = 1, left;

    curl_multi_add_handle(m, h);
    while (running && curl_multi_perform(m, &running) == CURLM_OK && running)
        curl_multi_wait(m, NULL, 0, 1000, NULL);
    while ((msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE)
            rc = msg->data.result;
    curl_multi_remove_handle(m, h);
    return rc;
}

static void *easy_loop(void *p)
{
    struct worker *w = p;
    unsigned long id;
    CURLM *m = (opts & OPT_OWNMULTI) ? curl_multi_init() : NULL;

    if (m)
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, 5L);
    while ((id = atomic_fetch_add(next_id, 1)) < total) {
        prepare(w, id);
        finish(w, m ? own_perform(m, w->h) : curl_easy_perform(w->h));
    }
    if (m)
        curl_multi_cleanup(m);
    return NULL;
}

static void run_threads(struct worker *ws, unsigned n)
{
    pthread_t *t = calloc(n, sizeof *t);

    for (unsigned i = 0; i < n; i++)
        if (pthread_create(&t[i], NULL, easy_loop, &ws[i]) != 0) {
            fputs("floor: pthread_create failed\n", stderr);
            exit(1);
        }
    for (unsigned i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    free(t);
}

/* W forked workers; each reports its failures in its exit status. */
static unsigned long run_processes(struct worker *ws, unsigned n)
{
    unsigned long failed = 0;
    int status;

    next_id = mmap(NULL, sizeof(*next_id), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (next_id == MAP_FAILED) {
        perror("floor: mmap");
        exit(1);
    }
    atomic_init(next_id, 0);
    for (unsigned i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("floor: fork");
            exit(1);
        }
        if (pid == 0) {
            easy_loop(&ws[i]);
            _exit(ws[i].failed ? 1 : 0);
        }
    }
    while (wait(&status) > 0)
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    return failed;
}

/* W handles on one multi handle; a finished one is re-added at once. */
/* Finishes the transfers of multi handle m that ended and gives each
 * handle the next id; true if any was given one. */
static bool refill(CURLM *m, unsigned long *id)
{
    CURLMsg *msg;
    bool added = false;
    int left;

    while ((msg = curl_multi_info_read(m, &left))) {
        struct worker *w;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&w);
        finish(w, msg->data.result);
        curl_multi_remove_handle(m, w->h);
        if (*id < total) {
            prepare(w, (*id)++);
            curl_multi_add_handle(m, w->h);
            added = true;
        }
    }
    return added;
}

/* -m socket: W handles on one curl_multi driven by
 * curl_multi_socket_action on epoll, which touches only the transfers
 * whose sockets are ready, where curl_multi_perform walks them all. With
 * libcurl 7.88 it is no faster: the poll calls per request are inside
 * libcurl either way (findings.md). */
struct sock_loop {
    int ep;
    long timeout_ms; /* libcurl's timer: -1 none */
};

static int on_socket(CURL *h, curl_socket_t fd, int what, void *p, void *sp)
{
    struct sock_loop *l = p;
    struct epoll_event ev = {.data.fd = fd};

    (void)h, (void)sp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) |
                (what & CURL_POLL_OUT ? EPOLLOUT : 0);
    if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) != 0)
        epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
    return 0;
}

static int on_timer(CURLM *m, long ms, void *p)
{
    (void)m;
    ((struct sock_loop *)p)->timeout_ms = ms;
    return 0;
}

static void run_socket(struct worker *ws, unsigned n)
{
    CURLM *m = curl_multi_init();
    struct sock_loop l = {.ep = epoll_create1(0), .timeout_ms = -1};
    struct epoll_event ev[64];
    unsigned long id = 0;
    int running = 1;

    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);
    curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, &l);
    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(m, CURLMOPT_TIMERDATA, &l);
    for (unsigned i = 0; i < n && id < total; i++) {
        curl_easy_setopt(ws[i].h, CURLOPT_PRIVATE, &ws[i]);
        prepare(&ws[i], id++);
        curl_multi_add_handle(m, ws[i].h);
    }
    while (running) {
        if (l.timeout_ms == 0) {
            l.timeout_ms = -1;
            curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
        } else {
            int k = epoll_wait(l.ep, ev, 64,
                               l.timeout_ms < 0 ? 1000 : (int)l.timeout_ms);
            if (k == 0) {
                l.timeout_ms = -1;
                curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
            }
            for (int i = 0; i < k; i++)
                curl_multi_socket_action(
                    m, ev[i].data.fd,
                    (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                        (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                        (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR
                                                              : 0),
                    &running);
        }
        if (refill(m, &id))
            running = 1;
    }
    curl_multi_cleanup(m);
    close(l.ep);
}

static void run_multi(struct worker *ws, unsigned n)
{
    CURLM *m = curl_multi_init();
    unsigned long id = 0;
    int running = 1;

    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);
    for (unsigned i = 0; i < n && id < total; i++) {
        curl_easy_setopt(ws[i].h, CURLOPT_PRIVATE, &ws[i]);
        prepare(&ws[i], id++);
        curl_multi_add_handle(m, ws[i].h);
    }
    while (running) {
        curl_multi_perform(m, &running);
        if (refill(m, &id))
            running = 1;
        if (running)
            curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    curl_multi_cleanup(m);
}

static unsigned parse_opts(char *s)
{
    unsigned bits = 0;

    for (char *tok = s, *end; tok; tok = end) {
        size_t i;
        end = strchr(tok, ',');
        if (end)
            *end++ = '\0';
        for (i = 0; i < sizeof opt_names / sizeof opt_names[0]; i++)
            if (strcmp(tok, opt_names[i].name) == 0)
                break;
        if (i == sizeof opt_names / sizeof opt_names[0]) {
            fprintf(stderr, "floor: unknown option %s\n", tok);
            exit(2);
        }
        bits |= opt_names[i].bits;
    }
    return bits;
}

static double seconds(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *mode = "easy";
    char *optlist = NULL;
    unsigned w = 1;
    struct timespec t0, t1;
    struct rusage ru;
    int c;

    total = 20000;
    while ((c = getopt(argc, argv, "m:w:n:o:")) != -1) {
        switch (c) {
        case 'm':
            mode = optarg;
            break;
        case 'w':
            w = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case 'n':
            total = strtoul(optarg, NULL, 10);
            break;
        case 'o':
            optlist = strdup(optarg);
            break;
        default:
            return 2;
        }
    }
    if (optind != argc - 1 || w == 0 ||
        (strcmp(mode, "easy") && strcmp(mode, "multi") &&
         strcmp(mode, "socket") && strcmp(mode, "threads") &&
         strcmp(mode, "processes"))) {
        fputs("usage: floor [-m easy|multi|threads|processes] [-w W] [-n N] "
              "[-o OPT,...] BASE\n",
              stderr);
        return 2;
    }
    base = argv[optind];
    if (optlist) {
        char *copy = strdup(optlist);
        opts = parse_opts(copy);
        free(copy);
    }
    if (strcmp(mode, "easy") == 0)
        w = 1;
    if (opts & OPT_KEEPBUF) {
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
        mallopt(M_TRIM_THRESHOLD, 4 << 20);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ua_header = curl_slist_append(NULL, "User-Agent: pdl/0.1.0");
    struct worker *ws = calloc(w, sizeof *ws);
    for (unsigned i = 0; i < w; i++)
        setup(&ws[i]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long failed = 0;
    if (strcmp(mode, "multi") == 0)
        run_multi(ws, w);
    else if (strcmp(mode, "socket") == 0)
        run_socket(ws, w);
    else if (strcmp(mode, "processes") == 0)
        failed = run_processes(ws, w);
    else
        run_threads(ws, w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    getrusage(RUSAGE_SELF, &ru);
    struct rusage rc;
    getrusage(RUSAGE_CHILDREN, &rc);
    timeradd(&ru.ru_utime, &rc.ru_utime, &ru.ru_utime);
    timeradd(&ru.ru_stime, &rc.ru_stime, &ru.ru_stime);
    for (unsigned i = 0; i < w; i++) {
        failed += ws[i].failed;
        curl_easy_cleanup(ws[i].h);
    }
    double wall = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double cpu = seconds(&ru.ru_utime) + seconds(&ru.ru_stime);
    printf("%s\t%u\t%lu\t%s\t%.3f\t%.0f\t%.1f\t%lu\n", mode, w, total,
           optlist ? optlist : "-", wall, (double)total / wall,
           cpu / (double)total * 1e6, failed);
    free(ws);
    free(optlist);
    curl_slist_free_all(ua_header);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
