/* Async mode: event loops on curl_multi with at most W transfers in flight
 * in all, each starting the next task the moment one of its transfers ends.
 * A loop for every 16 slots, at most one per CPU, each a thread with its own
 * curl_multi and its share of the W transfer slots, all taking tasks from
 * the run's one scheduler, as wrk spreads its connections over its threads
 * (pdl_async_loops says why not one per CPU at small W): libcurl's
 * per-request work is what bounds one loop on small files, and it then
 * runs on every core. The worker column of the timeline is the transfer
 * slot, numbered 0..W-1 across the loops. Only W handles exist, however
 * long the list. A slot that must wait (its host is at --per-host, its turn
 * under --rate has not come, or a retry's backoff) keeps a due time instead
 * of blocking its loop. With --http2 the transfers to one host are streams
 * of one connection (multiplexed), which only one curl_multi can hold: one
 * loop. An mpi rank runs one loop too (its W slots are fed by its
 * dispatcher or courier thread). */
#include "pdl/fetch.h"
#include "pdl/runner.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* The longest the loop sleeps, so that a stop is seen within it: mpirun
 * leaves a rank one second between SIGTERM and SIGKILL, and rank 0 must
 * write the failed list in that second. */
#define STOP_SEEN_MS 100

struct slot {
    struct pdl_fetcher *fetcher;
    struct pdl_task task;
    struct pdl_result r;
    unsigned host;             /* pdl_url_host_key of the task */
    bool busy;                 /* a transfer of it is in the multi handle */
    bool retry;                /* the next start is a retry of task */
    bool flying;               /* the task has started (counted in flight) */
    bool ran;                  /* the slot has had a task */
    pdl_monotime due;          /* waiting until then to start; 0 if not */
    struct pdl_gate_pass pass; /* what it holds while it waits */
};

struct loop {
    struct pdl_run *run;
    struct pdl_gate *gate;
    CURLM *multi;
    struct slot *slot;
    unsigned first;   /* worker number of slot[0]: slots are first.. */
    unsigned n;       /* ..first + n - 1 */
    unsigned busy;    /* slots with a transfer in flight */
    unsigned waiting; /* slots with a due time */
    int rc;           /* what the loop ended with */
};

static void start_next(struct loop *l, unsigned s);
static void try_start(struct loop *l, unsigned s);

static void wait_until(struct loop *l, unsigned s, pdl_monotime t)
{
    l->slot[s].due = t;
    l->waiting++;
}

/* Settles the attempt that slot s ran and decides what the slot does next:
 * wait to try the same task again, or take the next one. */
/* Hands slot s's task to the results stream and frees the slot. */
static void finish(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];

    if (sl->flying)
        pdl_counters_end(&l->run->shared->counters);
    sl->flying = false;
    pdl_run_settle(l->run, &sl->task, &sl->r);
    pdl_task_clear(&sl->task);
}

static void settle(struct loop *l, unsigned s, CURLcode rc)
{
    struct slot *sl = &l->slot[s];
    long wait = pdl_fetch_end(sl->fetcher, rc, &sl->r);

    pdl_gate_leave(l->gate, sl->host, NULL);
    if (wait >= 0) {
        sl->retry = true;
        wait_until(l, s, pdl_now() + (pdl_monotime)wait * 1000000 + 1);
        return;
    }
    finish(l, s);
    start_next(l, s);
}

static void launch(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];
    CURL *h;

    if (!sl->retry) {
        pdl_counters_begin(&l->run->shared->counters);
        sl->flying = true;
    }
    h = sl->retry ? pdl_fetch_retry(sl->fetcher, &sl->r)
                  : pdl_fetch_begin(sl->fetcher, &sl->task, &sl->r);

    curl_easy_setopt(h, CURLOPT_PRIVATE, (void *)(uintptr_t)s);
    if (curl_multi_add_handle(l->multi, h) != CURLM_OK) {
        settle(l, s, CURLE_OUT_OF_MEMORY);
        return;
    }
    sl->busy = true;
    l->busy++;
}

/* A start that will not happen: the run was stopped while slot s waited. */
static void give_up(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];

    pdl_gate_leave(l->gate, sl->host, &sl->pass);
    sl->pass = (struct pdl_gate_pass){0};
    if (sl->retry)
        pdl_result_fail(&sl->r, PDL_ST_INTERRUPTED,
                        "interrupted while waiting to retry");
    else
        sl->r = (struct pdl_result){.status = PDL_ST_PENDING,
                                    .worker = (int)(l->first + s)};
    finish(l, s);
}

/* Starts slot s's task now if its host and --rate allow, else sets when to
 * look again. */
static void try_start(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];
    pdl_monotime at;

    if (atomic_load(&l->run->shared->stop)) {
        give_up(l, s);
        return;
    }
    at = pdl_gate_admit(l->gate, sl->host, pdl_now(), &sl->pass);
    if (at != 0) {
        wait_until(l, s, at);
        return;
    }
    launch(l, s);
}

/* Gives slot s its next task, if the board has one. */
static void start_next(struct loop *l, unsigned s)
{
    struct slot *sl = &l->slot[s];

    if (!pdl_run_take(l->run, l->first + s, &sl->task))
        return;
    if (!sl->ran)
        pdl_counters_worker_ran(&l->run->shared->counters);
    sl->ran = true;
    sl->host = pdl_gate_key(l->gate, sl->task.url);
    sl->retry = false;
    try_start(l, s);
}

/* Starts the waiting slots that are due; returns the ms until the next one
 * is, at most STOP_SEEN_MS. */
static int run_due(struct loop *l)
{
    pdl_monotime now = pdl_now(), next = 0;

    for (unsigned s = 0; s < l->n && l->waiting > 0; s++) {
        struct slot *sl = &l->slot[s];
        if (!sl->due)
            continue;
        if (sl->due <= now || atomic_load(&l->run->shared->stop)) {
            sl->due = 0;
            l->waiting--;
            try_start(l, s);
        } else if (!next || sl->due < next) {
            next = sl->due;
        }
    }
    if (!next)
        return STOP_SEEN_MS;
    int64_t ms = (next - now) / 1000000 + 1;
    return ms < STOP_SEEN_MS ? (int)ms : STOP_SEEN_MS;
}

/* Settles every transfer that ended and refills its slot; returns how many
 * ended. */
static unsigned reap(struct loop *l)
{
    CURLMsg *m;
    unsigned ended = 0;
    int left;

    while ((m = curl_multi_info_read(l->multi, &left))) {
        uintptr_t s = 0;
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *h = m->easy_handle;
        CURLcode rc = m->data.result;
        curl_easy_getinfo(h, CURLINFO_PRIVATE, (char **)&s);
        curl_multi_remove_handle(l->multi, h);
        l->slot[s].busy = false;
        l->busy--;
        settle(l, (unsigned)s, rc);
        ended++;
    }
    return ended;
}

static int drive(struct loop *l)
{
    int running = 0;

    for (unsigned s = 0; s < l->n; s++)
        start_next(l, s);
    while (l->busy > 0 || l->waiting > 0) {
        /* The transfers reap starts are sent by the next perform at once:
         * a poll first would only return at once (their timers are due),
         * one more system call and wake-up per request. */
        do {
            if (curl_multi_perform(l->multi, &running) != CURLM_OK)
                return PDL_ERR_CURL;
        } while (reap(l) > 0);
        int timeout = run_due(l);
        if (l->busy == 0 && l->waiting == 0)
            break;
        /* The progress callback aborts a silent transfer once stopped. */
        if (curl_multi_poll(l->multi, NULL, 0, timeout, NULL) != CURLM_OK)
            return PDL_ERR_CURL;
    }
    return PDL_OK;
}

/* The CPUs this process may run on (as nproc counts them), at least 1. */
static unsigned usable_cpus(void)
{
    cpu_set_t set;
    long n;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* A loop for every PDL_ASYNC_SLOTS_PER_LOOP slots, at most one a CPU. One
 * loop with a few transfers keeps its core and drives them in one pass;
 * two such loops beside the server each sleep and wake for a few of them,
 * a switch each time. 20,000 x 64 B against nginx on 2 CPUs, 7 interleaved
 * rounds, one loop against two: W=4 0.68 s against 0.88, W=8 0.59 against
 * 0.68; W=12 0.60 against 0.63 s and 29.5 against 35.5 CPU us a request,
 * W=16 0.56 against 0.62 and 28.0 against 36.5 (wget2 0.55, 28.5). From
 * W=20 on, two loops end sooner (W=20 0.58 against 0.61, W=32 0.52
 * against 0.58), if for 10-15 % more CPU. */
#define PDL_ASYNC_SLOTS_PER_LOOP 16

unsigned pdl_async_loops(const struct pdl_options *opt, unsigned workers)
{
    unsigned cpus = usable_cpus();
    unsigned want =
        (workers + PDL_ASYNC_SLOTS_PER_LOOP - 1) / PDL_ASYNC_SLOTS_PER_LOOP;

    if (opt->http == PDL_HTTP_2 || opt->http == PDL_HTTP_2_PRIOR)
        return 1;
    if (want <= 1)
        return 1;
    return want < cpus ? want : cpus;
}

/* One loop from start to end: its multi handle, its slots' fetchers, the
 * drive, and their cleanup; the outcome in l->rc. */
static void run_loop(struct loop *l)
{
    struct pdl_fetch_config fc = pdl_run_fetch_config(l->run);

    l->rc = PDL_OK;
    l->multi = curl_multi_init();
    if (!l->multi) {
        l->rc = PDL_ERR_CURL;
        return;
    }
    curl_multi_setopt(l->multi, CURLMOPT_MAXCONNECTS, (long)l->n);
    /* HTTP/2 transfers to one host share a connection as streams (with
     * PIPEWAIT, asked for by --http2, they wait for it to be set up). */
    curl_multi_setopt(l->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    l->slot = pdl_xcalloc(l->n, sizeof(*l->slot));
    for (unsigned s = 0; s < l->n && l->rc == PDL_OK; s++) {
        l->slot[s].fetcher = pdl_fetcher_create(&fc, l->first + s);
        if (!l->slot[s].fetcher)
            l->rc = PDL_ERR_CURL;
    }
    if (l->rc == PDL_OK)
        l->rc = drive(l);
    for (unsigned s = 0; s < l->n; s++)
        pdl_fetcher_destroy(l->slot[s].fetcher);
    free(l->slot);
    curl_multi_cleanup(l->multi);
}

static void *loop_thread(void *p)
{
    run_loop(p);
    return NULL;
}

/* Splits the W slots between nloops loops: the first W % nloops get one
 * more. */
static void split_slots(struct loop *loops, unsigned nloops,
                        struct pdl_run *run)
{
    unsigned first = 0;

    for (unsigned i = 0; i < nloops; i++) {
        unsigned n = run->workers / nloops + (i < run->workers % nloops);
        loops[i] = (struct loop){
            .run = run, .gate = &run->shared->gate, .first = first, .n = n};
        first += n;
    }
}

static int run_async(struct pdl_run *run, void *ctx)
{
    unsigned nloops = run->feed ? 1 : pdl_async_loops(run->opt, run->workers);
    struct loop *loops;
    pthread_t *tids;
    unsigned started = 1;
    int rc = PDL_OK;

    (void)ctx;
    run->shared->counters.workers = run->workers;
    if (run->workers == 0)
        return PDL_OK;
    loops = pdl_xcalloc(nloops, sizeof(*loops));
    tids = pdl_xcalloc(nloops, sizeof(*tids));
    split_slots(loops, nloops, run);
    /* Loop 0 runs in this thread, the others in threads of their own. */
    for (; started < nloops; started++)
        if (pthread_create(&tids[started], NULL, loop_thread,
                           &loops[started]) != 0)
            break;
    /* Without all its loops the run is not what was asked for: stop the
     * ones that did start after their current transfers and report. */
    if (started < nloops) {
        atomic_store(&run->shared->stop, 1);
        rc = PDL_ERR_SYSTEM;
    }
    run_loop(&loops[0]);
    for (unsigned i = 1; i < started; i++)
        pthread_join(tids[i], NULL);
    for (unsigned i = 0; i < started && rc == PDL_OK; i++)
        rc = loops[i].rc;
    free(tids);
    free(loops);
    return rc;
}

const struct pdl_runner pdl_runner_async = {
    .name = "async",
    .help = "W transfers on curl_multi, an event loop per 16 (at most 1/CPU)",
    .run = run_async,
    /* A socket a slot; a loop's wake-up pair is shared by its slots. */
    .fds_per_worker = 1,
};
