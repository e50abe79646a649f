/* The mpi mode: the ranks that mpirun starts share one list. Rank 0 reads it
 * and hands out ranges of task ids on demand (a rank that goes faster asks
 * more often), every rank runs its ranges on the async runner with W
 * transfers in flight and sends each result record back, and rank 0 puts
 * them on its own clock for the one timeline. While a run is on, one thread
 * per rank makes every MPI call: rank 0's dispatcher, the courier of each
 * other rank; the async runner only meets them through its board's feed. */
#include "pdl/mpi.h"
#include "pdl/runner.h"

#ifdef PDL_HAVE_MPI

#include "pdl/outdir.h"
#include "pdl/sigwatch.h"

#include <math.h>
#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000LL
#define BEAT_NS (500 * MS)       /* nothing sent for this long: say "alive" */
#define SILENCE_NS (5000 * MS)   /* nothing heard for this long: rank lost */
#define STOP_GRACE_NS (250 * MS) /* after a stop, wait for last results */
#define START_NS (60000 * MS)    /* for every rank to say it is ready */
#define PONG_NS (2000 * MS)
#define SYNC_ROUNDS 8        /* clock probes per rank, the best kept */
#define GRANT_MAX 4096       /* tasks in one grant */
#define RESULTS_MAX 256      /* result records in one message */
#define IDLE_MIN_NS 20000    /* polling backs off from here ... */
#define IDLE_MAX_NS (2 * MS) /* ... to here while nothing happens */
#define TIMED_OUT (-1)       /* besides MPI's codes, which are >= 0 */

enum tag {
    TAG_HELLO = 1, /* r -> 0: ready to run, or why not */
    TAG_PING,      /* 0 -> r: clock probe, answered by TAG_PONG */
    TAG_PONG,      /* r -> 0: r's clock */
    TAG_GO,        /* 0 -> r: start */
    TAG_ABORT,     /* 0 -> r: no run; a uint32 as TAG_BYE's */
    TAG_REQUEST,   /* r -> 0: more tasks */
    TAG_GRANT,     /* 0 -> r: a range of tasks; an empty one: no more */
    TAG_RESULT,    /* r -> 0: result records */
    TAG_DONE,      /* r -> 0: finished, every result sent */
    TAG_STOP,      /* 0 -> r: stop now, the run was interrupted */
    TAG_BEAT,      /* either way: still here */
    TAG_BYE        /* 0 -> r: the run is over; a uint32: skip MPI_Finalize */
};

/* The messages, as bytes: every rank runs the same build (checked at the
 * start), so records travel as they are. */
struct start_msg {
    uint64_t count;
    uint32_t cancel; /* no run: rank 0 stopped before it */
    uint32_t pad;
};

struct hello_msg {
    int32_t ok;
    int32_t pid;
    uint32_t result_size;
    uint32_t pad;
    char version[16];
    char host[64];
    char why[256];
};

struct request_msg {
    uint64_t want;
    int64_t t0; /* the rank's start on its own clock */
};

/* A grant is this, then per task: a flag byte (1: settled before the run),
 * the lengths of its URL and file name (uint32 each) and their bytes. */
struct grant_head {
    uint64_t first;
    uint64_t n;
    uint64_t left; /* tasks rank 0 has not handed out yet */
};

struct result_entry {
    uint64_t id;
    struct pdl_result r;
};

struct done_msg {
    uint64_t sent;     /* messages the rank sent */
    uint64_t dispatch; /* of them, requests and result messages */
};

/* MPI is one per process, and so is this. */
static struct {
    bool on;        /* pdl_mpi_init started MPI */
    bool started;   /* the start message went out (rank 0) or came */
    bool described; /* the fields below hold the last run's */
    /* A rank may be dead: MPI_Finalize could wait for it forever. */
    bool no_finalize;
    int rank, size;
    MPI_Comm comm;
    char (*host)[64];   /* per rank */
    const char **hosts; /* pointers into host, for pdl_run_info */
    double clock_error;
    unsigned long long messages;
    double per_task;
} world;

static void nap(pdl_monotime ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};

    nanosleep(&ts, NULL);
}

static pdl_monotime backoff(pdl_monotime idle)
{
    return idle * 2 > IDLE_MAX_NS ? IDLE_MAX_NS : idle * 2;
}

/* MPI's words for error rc. */
static const char *mpi_why(int rc, char *buf, size_t n)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;

    if (rc == TIMED_OUT)
        snprintf(buf, n, "no answer in time");
    else if (MPI_Error_string(rc, s, &len) == MPI_SUCCESS && len > 0)
        snprintf(buf, n, "%.*s", len, s);
    else
        snprintf(buf, n, "MPI error %d", rc);
    return buf;
}

static void host_name(char *buf, size_t n)
{
    if (gethostname(buf, n - 1) != 0)
        snprintf(buf, n, "unknown");
    buf[n - 1] = '\0';
}

/* ---- messages -------------------------------------------------------- */

struct pending {
    MPI_Request req;
    void *buf;
    int peer;
};

/* The messages one rank has sent and MPI may still be reading, with counts
 * for the timeline. Used by one thread at a time. */
struct link {
    struct pending *out;
    size_t n, cap;
    unsigned long long sent;     /* messages */
    unsigned long long dispatch; /* of them requests, grants and results */
};

/* A message received; buf is the receiver's to free. */
struct msg {
    int src, tag;
    char *buf;
    size_t len;
};

/* A copy of n bytes at p, for a send that takes its buffer over. */
static void *dup_bytes(const void *p, size_t n)
{
    void *buf = pdl_xmalloc(n ? n : 1);

    memcpy(buf, p, n);
    return buf;
}

/* Sends len bytes of buf (malloc'd, taken over) to peer without waiting. */
static int link_send(struct link *l, int peer, int tag, void *buf, size_t len)
{
    MPI_Request req;
    int rc = MPI_Isend(buf, (int)len, MPI_BYTE, peer, tag, world.comm, &req);

    if (rc != MPI_SUCCESS) {
        free(buf);
        return rc;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->out = pdl_xrealloc(l->out, l->cap, sizeof(*l->out));
    }
    l->out[l->n++] = (struct pending){req, buf, peer};
    l->sent++;
    if (tag == TAG_REQUEST || tag == TAG_GRANT || tag == TAG_RESULT)
        l->dispatch++;
    return MPI_SUCCESS;
}

static int link_copy(struct link *l, int peer, int tag, const void *data,
                     size_t len)
{
    return link_send(l, peer, tag, dup_bytes(data, len), len);
}

/* Frees what MPI has sent. On an error, *peer names the rank it was for
 * (its buffer is left to MPI). */
static int link_flush(struct link *l, int *peer)
{
    int rc = MPI_SUCCESS;
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++) {
        int done = 0, e = MPI_Test(&l->out[i].req, &done, MPI_STATUS_IGNORE);
        if (e != MPI_SUCCESS && rc == MPI_SUCCESS) {
            rc = e;
            *peer = l->out[i].peer;
        }
        if (e == MPI_SUCCESS && done)
            free(l->out[i].buf);
        if (e != MPI_SUCCESS || done)
            continue;
        l->out[k++] = l->out[i];
    }
    l->n = k;
    return rc;
}

/* Gives up the sends to peer (all if peer < 0): MPI may never finish them,
 * so their buffers stay with it. */
static void link_forget(struct link *l, int peer)
{
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (peer >= 0 && l->out[i].peer != peer) {
            l->out[k++] = l->out[i];
            continue;
        }
        MPI_Cancel(&l->out[i].req);
        MPI_Request_free(&l->out[i].req);
    }
    l->n = k;
}

/* Waits up to ns for what was sent to go, then gives up the rest. */
static void link_close(struct link *l, pdl_monotime ns)
{
    pdl_monotime end = pdl_now() + ns;
    int peer;

    while (l->n > 0 && pdl_now() < end) {
        link_flush(l, &peer);
        if (l->n > 0)
            nap(IDLE_MIN_NS);
    }
    link_forget(l, -1);
    free(l->out);
    l->out = NULL;
    l->n = l->cap = 0;
}

/* Receives a message with tag (MPI_ANY_TAG: any) from src (MPI_ANY_SOURCE:
 * any) if one has come; m->tag is 0 if none. */
static int poll_msg(int src, int tag, struct msg *m)
{
    MPI_Message h;
    MPI_Status st;
    int flag = 0, count = 0;
    int rc = MPI_Improbe(src, tag, world.comm, &flag, &h, &st);

    m->tag = 0;
    m->buf = NULL;
    if (rc != MPI_SUCCESS || !flag)
        return rc;
    MPI_Get_count(&st, MPI_BYTE, &count);
    m->buf = pdl_xmalloc(count > 0 ? (size_t)count : 1);
    rc = MPI_Mrecv(m->buf, count, MPI_BYTE, &h, &st);
    if (rc != MPI_SUCCESS) {
        free(m->buf);
        m->buf = NULL;
        return rc;
    }
    m->src = st.MPI_SOURCE;
    m->tag = st.MPI_TAG;
    m->len = (size_t)count;
    return MPI_SUCCESS;
}

/* Waits up to ns for a message with tag from src: spinning (for clock
 * probes) or napping. */
static int wait_msg(int src, int tag, pdl_monotime ns, bool spin, struct msg *m)
{
    pdl_monotime end = pdl_now() + ns, idle = IDLE_MIN_NS;

    for (;;) {
        int rc = poll_msg(src, tag, m);
        if (rc != MPI_SUCCESS || m->tag != 0)
            return rc;
        if (pdl_now() > end)
            return TIMED_OUT;
        if (!spin) {
            nap(idle);
            idle = backoff(idle);
        }
    }
}

/* ---- clocks ---------------------------------------------------------- */

/* Another rank's CLOCK_MONOTONIC against this one's: offset is its clock
 * minus ours, at our time at; the offset lies within error of the truth. */
struct sync {
    int64_t offset;
    int64_t error;
    pdl_monotime at;
    bool ok;
};

/* Ping-pongs with rank r and keeps the round trip that was shortest: its
 * midpoint is when r read its clock, give or take half the round trip. */
static bool sync_peer(struct link *l, int r, struct sync *s)
{
    int64_t best = INT64_MAX;

    s->ok = false;
    for (int k = 0; k < SYNC_ROUNDS; k++) {
        pdl_monotime t1 = pdl_now(), t2, theirs = 0;
        struct msg m;
        if (MPI_Send(&t1, sizeof(t1), MPI_BYTE, r, TAG_PING, world.comm) !=
            MPI_SUCCESS)
            return false;
        l->sent++;
        if (wait_msg(r, TAG_PONG, PONG_NS, true, &m) != MPI_SUCCESS)
            return false;
        t2 = pdl_now();
        if (m.len == sizeof(theirs))
            memcpy(&theirs, m.buf, sizeof(theirs));
        free(m.buf);
        if (t2 - t1 < best) {
            best = t2 - t1;
            s->at = t1 + (t2 - t1) / 2;
            s->offset = theirs - s->at;
        }
    }
    s->error = (best + 1) / 2;
    s->ok = true;
    return true;
}

static int answer_ping(struct link *l)
{
    pdl_monotime now = pdl_now();

    l->sent++;
    return MPI_Send(&now, sizeof(now), MPI_BYTE, 0, TAG_PONG, world.comm);
}

/* ---- rank 0 ---------------------------------------------------------- */

enum peer_state { PEER_RUNNING, PEER_DONE, PEER_LOST, PEER_SILENT };

struct peer {
    enum peer_state state;
    int pid;
    pdl_monotime heard, told; /* last message from it, to it */
    int64_t t0;               /* its run's start, on its clock */
    struct sync start, end;   /* its clock, before and after the run */
    size_t held;              /* tasks handed to it, not reported */
    struct done_msg counts;   /* its own, from TAG_DONE */
};

struct leader {
    const struct pdl_job *job;
    struct pdl_board *board;
    struct link link;
    struct peer *peer;     /* world.size entries; [0] is rank 0 */
    int32_t *owner;        /* per task: the rank holding it, or -1 */
    atomic_int drain;      /* hand out nothing more: a rank was lost */
    atomic_int local_done; /* rank 0's own workers have finished */
    pdl_monotime stop_at;  /* when the stop went out; 0 before */
    bool broken;           /* MPI itself failed on rank 0 */
    struct pdl_board_feed feed;
};

/* Rank 0's own workers take from the same counter the grants come from. */
static bool leader_refill(void *ctx, size_t want, size_t *first, size_t *n)
{
    struct leader *L = ctx;

    if (atomic_load(&L->drain))
        return false;
    *n = pdl_board_grab(L->board, want, first);
    return *n > 0;
}

static void lose(struct leader *L, int r, const char *why)
{
    struct peer *p = &L->peer[r];

    enum peer_state was = p->state;

    if (was == PEER_LOST)
        return;
    p->state = PEER_LOST;
    link_forget(&L->link, r);
    /* A rank that has finished took its results with it: nothing lost. */
    if (was == PEER_DONE)
        return;
    fprintf(stderr,
            "pdl: mpi: rank %d (%s, pid %d) lost: %s. Handing out no more "
            "tasks; the run ends when the other ranks have finished theirs, "
            "and what was not done goes to the failed list\n",
            r, world.host[r], p->pid, why);
    atomic_store(&L->drain, 1);
}

static void tell(struct leader *L, int r, int tag, void *buf, size_t len)
{
    char why[MPI_MAX_ERROR_STRING + 64], e[MPI_MAX_ERROR_STRING];
    int rc = link_send(&L->link, r, tag, buf, len);

    L->peer[r].told = pdl_now();
    if (rc != MPI_SUCCESS) {
        snprintf(why, sizeof(why), "a message to it failed: %s",
                 mpi_why(rc, e, sizeof(e)));
        lose(L, r, why);
    }
}

/* Guided: big grants while much is left, smaller towards the end so that
 * no rank sits on a tail of work while others idle. */
static size_t grant_size(const struct leader *L, size_t want)
{
    size_t next = atomic_load(&L->board->next), count = L->board->count;
    size_t left = next < count ? count - next : 0, ranks = world.size;
    size_t g = (left + 2 * ranks - 1) / (2 * ranks);

    if (g < L->board->chunk)
        g = L->board->chunk;
    if (g > want)
        g = want;
    return g < 1 ? 1 : g > GRANT_MAX ? GRANT_MAX : g;
}

static size_t pack_task(char *p, const struct pdl_task *t, bool skipped)
{
    uint32_t ul = (uint32_t)strlen(t->url);
    uint32_t nl = t->name ? (uint32_t)strlen(t->name) : 0;

    if (p) {
        p[0] = skipped ? 1 : 0;
        memcpy(p + 1, &ul, 4);
        memcpy(p + 5, &nl, 4);
        memcpy(p + 9, t->url, ul);
        if (nl)
            memcpy(p + 9 + ul, t->name, nl);
    }
    return 9 + (size_t)ul + nl;
}

/* Answers rank r's request with the next range and its tasks. */
static void grant(struct leader *L, int r, size_t want)
{
    const struct pdl_task *tasks = L->job->list->tasks;
    struct grant_head h = {0, 0, 0};
    size_t first = 0, n = 0, len = sizeof(h), next;
    char *buf;

    if (!atomic_load(&L->drain) && !atomic_load(&L->board->stop))
        n = pdl_board_grab(L->board, grant_size(L, want), &first);
    for (size_t i = first; i < first + n; i++)
        len += pack_task(NULL, &tasks[i], false);
    buf = pdl_xmalloc(len);
    next = atomic_load(&L->board->next);
    h.first = first;
    h.n = n;
    h.left = next < L->board->count ? L->board->count - next : 0;
    memcpy(buf, &h, sizeof(h));
    len = sizeof(h);
    for (size_t i = first; i < first + n; i++) {
        bool skipped = L->board->results[i].status == PDL_ST_SKIPPED;
        len += pack_task(buf + len, &tasks[i], skipped);
        if (skipped) {
            /* Done before the run (--continue): nobody will report it. */
            struct pdl_result done = L->board->results[i];
            pdl_board_record(L->board, i, &done);
            continue;
        }
        L->owner[i] = r;
        L->peer[r].held++;
    }
    tell(L, r, TAG_GRANT, buf, len);
}

static void take_results(struct leader *L, const struct msg *m)
{
    size_t n = m->len / sizeof(struct result_entry);

    for (size_t i = 0; i < n; i++) {
        struct result_entry e;
        memcpy(&e, m->buf + i * sizeof(e), sizeof(e));
        /* Only the rank that holds a task may settle it, and only once. */
        if (e.id >= L->board->count || L->owner[e.id] != m->src)
            continue;
        L->owner[e.id] = -1;
        L->peer[m->src].held--;
        e.r.rank = m->src;
        e.r.error[PDL_ERROR_MAX - 1] = '\0';
        pdl_board_record(L->board, e.id, &e.r);
    }
}

static void handle(struct leader *L, const struct msg *m)
{
    struct peer *p = &L->peer[m->src];
    struct request_msg q;

    if (m->src <= 0 || m->src >= world.size || p->state == PEER_LOST)
        return;
    p->heard = pdl_now();
    switch (m->tag) {
    case TAG_REQUEST:
        if (m->len != sizeof(q) || p->state != PEER_RUNNING)
            break;
        memcpy(&q, m->buf, sizeof(q));
        p->t0 = q.t0;
        grant(L, m->src, q.want);
        break;
    case TAG_RESULT:
        take_results(L, m);
        break;
    case TAG_DONE:
        if (m->len == sizeof(p->counts))
            memcpy(&p->counts, m->buf, sizeof(p->counts));
        if (p->state == PEER_RUNNING || p->state == PEER_SILENT)
            p->state = PEER_DONE;
        break;
    }
}

/* Stops the other ranks once rank 0 is stopped, gives up on those that say
 * nothing after the stop or for too long, and tells the others it lives. */
static void watch(struct leader *L)
{
    pdl_monotime now = pdl_now();

    if (atomic_load(&L->board->stop) && !L->stop_at) {
        L->stop_at = now;
        for (int r = 1; r < world.size; r++)
            if (L->peer[r].state == PEER_RUNNING)
                tell(L, r, TAG_STOP, NULL, 0);
    }
    for (int r = 1; r < world.size; r++) {
        struct peer *p = &L->peer[r];
        if (p->state == PEER_RUNNING && L->stop_at &&
            now - L->stop_at > STOP_GRACE_NS)
            p->state = PEER_SILENT;
        if (p->state == PEER_RUNNING && now - p->heard > SILENCE_NS) {
            char why[96];
            snprintf(why, sizeof(why), "nothing heard from it for %.1f s",
                     (double)(now - p->heard) / 1e9);
            lose(L, r, why);
        }
        if ((p->state == PEER_RUNNING || p->state == PEER_DONE) &&
            now - p->told > BEAT_NS)
            tell(L, r, TAG_BEAT, NULL, 0);
    }
}

static bool leader_busy(struct leader *L)
{
    if (!atomic_load(&L->local_done))
        return true;
    for (int r = 1; r < world.size; r++)
        if (L->peer[r].state == PEER_RUNNING)
            return true;
    return false;
}

/* MPI failed on rank 0 itself: no rank can be reached any more. */
static void break_down(struct leader *L, int rc)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];

    snprintf(why, sizeof(why), "MPI failed: %s", mpi_why(rc, e, sizeof(e)));
    L->broken = true;
    for (int r = 1; r < world.size; r++)
        if (L->peer[r].state == PEER_RUNNING)
            lose(L, r, why);
}

/* The dispatcher: answers requests from the shared counter, files results,
 * watches the ranks, until every rank (rank 0 too) has finished. */
static void *dispatch(void *arg)
{
    struct leader *L = arg;
    pdl_monotime idle = IDLE_MIN_NS;

    while (leader_busy(L) && !L->broken) {
        struct msg m;
        bool active = false;
        int rc, peer = -1;
        while ((rc = poll_msg(MPI_ANY_SOURCE, MPI_ANY_TAG, &m)) ==
                   MPI_SUCCESS &&
               m.tag) {
            handle(L, &m);
            free(m.buf);
            active = true;
        }
        if (rc != MPI_SUCCESS) {
            break_down(L, rc);
            break;
        }
        if (link_flush(&L->link, &peer) != MPI_SUCCESS && peer > 0)
            lose(L, peer, "a message to it failed");
        watch(L);
        idle = active ? IDLE_MIN_NS : backoff(idle);
        if (!active)
            nap(idle);
    }
    return NULL;
}

/* Every other rank's hello: its host, and whether it can run. */
static bool collect_hellos(struct leader *L, struct hello_msg *h)
{
    bool ok = true;

    for (int r = 1; r < world.size; r++) {
        char e[MPI_MAX_ERROR_STRING];
        struct msg m;
        int rc = wait_msg(r, TAG_HELLO, START_NS, false, &m);
        if (rc != MPI_SUCCESS || m.len != sizeof(h[r])) {
            fprintf(stderr, "pdl: mpi: rank %d did not say it was ready: %s\n",
                    r,
                    rc != MPI_SUCCESS ? mpi_why(rc, e, sizeof(e))
                                      : "a message of the wrong size");
            L->peer[r].state = PEER_LOST;
            ok = false;
            free(m.buf);
            continue;
        }
        memcpy(&h[r], m.buf, sizeof(h[r]));
        free(m.buf);
        h[r].host[sizeof(h[r].host) - 1] = '\0';
        h[r].why[sizeof(h[r].why) - 1] = '\0';
        snprintf(world.host[r], sizeof(world.host[r]), "%s", h[r].host);
        L->peer[r].pid = h[r].pid;
        if (h[r].result_size != sizeof(struct pdl_result) ||
            strncmp(h[r].version, PDL_VERSION, sizeof(h[r].version)) != 0)
            snprintf(h[r].why, sizeof(h[r].why),
                     "it runs another build of "
                     "pdl; every rank needs the same one");
        else if (h[r].ok)
            continue;
        fprintf(stderr, "pdl: mpi: rank %d (%s) cannot run: %s\n", r,
                world.host[r], h[r].why);
        ok = false;
    }
    return ok;
}

/* Tells the ranks that are waiting that there will be no run. */
static void abort_start(struct leader *L)
{
    uint32_t gone = 0;

    for (int r = 1; r < world.size; r++)
        if (L->peer[r].state == PEER_LOST)
            gone = 1;
    world.no_finalize = gone;
    for (int r = 1; r < world.size; r++)
        if (L->peer[r].state != PEER_LOST)
            MPI_Send(&gone, sizeof(gone), MPI_BYTE, r, TAG_ABORT, world.comm);
}

/* The start: the task count to every rank, their hellos, their clocks, go. */
static int start(struct leader *L)
{
    struct start_msg st = {.count = L->board->count};
    struct hello_msg *h = pdl_xcalloc((size_t)world.size, sizeof(*h));
    char e[MPI_MAX_ERROR_STRING];
    int rc = MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, world.comm);
    bool ok = rc == MPI_SUCCESS;

    world.started = true;
    if (!ok)
        fprintf(stderr, "pdl: mpi: cannot reach the other ranks: %s\n",
                mpi_why(rc, e, sizeof(e)));
    ok = ok && collect_hellos(L, h);
    for (int r = 1; ok && r < world.size; r++) {
        ok = sync_peer(&L->link, r, &L->peer[r].start);
        if (!ok) {
            fprintf(stderr,
                    "pdl: mpi: rank %d (%s) did not answer the clock "
                    "probe\n",
                    r, world.host[r]);
            L->peer[r].state = PEER_LOST;
        }
    }
    free(h);
    if (!ok) {
        abort_start(L);
        return PDL_ERR_SYSTEM;
    }
    for (int r = 1; r < world.size; r++) {
        MPI_Send(NULL, 0, MPI_BYTE, r, TAG_GO, world.comm);
        L->link.sent++;
        L->peer[r].heard = L->peer[r].told = pdl_now();
    }
    return PDL_OK;
}

/* A time of rank p (since its start) on rank 0's clock (since rank 0's
 * start), the drift between the two probes spread linearly. */
static int64_t on_leader(const struct leader *L, const struct peer *p,
                         int64_t since)
{
    int64_t t = p->t0 + since;
    double off = (double)p->start.offset;

    if (p->end.ok && p->end.at > p->start.at) {
        double f = (double)(t - p->start.offset - p->start.at) /
                   (double)(p->end.at - p->start.at);
        off += f * (double)(p->end.offset - p->start.offset);
    }
    t = t - (int64_t)llround(off) - L->job->t0;
    return t > 0 ? t : 0;
}

static void align_times(struct leader *L)
{
    for (size_t i = 0; i < L->board->count; i++) {
        struct pdl_result *r = &L->board->results[i];
        const struct peer *p;
        int64_t shift;
        if (r->rank <= 0 || r->rank >= world.size ||
            (r->status == PDL_ST_PENDING && r->start_ns == 0))
            continue;
        /* One shift per task: its durations were measured on one clock. */
        p = &L->peer[r->rank];
        shift = on_leader(L, p, r->start_ns) - r->start_ns;
        r->start_ns += shift;
        r->end_ns += shift;
        if (r->attempt_ns)
            r->attempt_ns += shift;
    }
}

/* Tasks still held by a rank were not done: say why in their records. */
static void settle_held(struct leader *L)
{
    for (size_t i = 0; i < L->board->count; i++) {
        int r = L->owner[i];
        struct pdl_result *res = &L->board->results[i];
        char why[PDL_ERROR_MAX];
        if (r <= 0)
            continue;
        res->rank = r;
        if (L->peer[r].state == PEER_LOST) {
            snprintf(why, sizeof(why),
                     "rank %d (%s) was lost while it held "
                     "this task",
                     r, world.host[r]);
            pdl_result_fail(res, PDL_ST_WORKER_DIED, why);
        } else if (L->peer[r].state == PEER_SILENT) {
            snprintf(why, sizeof(why),
                     "rank %d (%s) sent no result for it "
                     "before the run ended",
                     r, world.host[r]);
            pdl_result_fail(res, PDL_ST_INTERRUPTED, why);
        } else {
            snprintf(why, sizeof(why),
                     "rank %d (%s) stopped before starting "
                     "it",
                     r, world.host[r]);
            pdl_result_fail(res, PDL_ST_PENDING, why);
        }
    }
}

static void report_silent(const struct leader *L)
{
    bool any = false;

    for (int r = 1; r < world.size; r++) {
        if (L->peer[r].state != PEER_SILENT)
            continue;
        fprintf(stderr,
                "pdl: mpi: rank %d (%s, pid %d) sent nothing after the "
                "stop; its %zu unfinished task%s go to the failed list\n",
                r, world.host[r], L->peer[r].pid, L->peer[r].held,
                L->peer[r].held == 1 ? "" : "s");
        any = true;
    }
    if (any)
        fputs("pdl: mpi: when one rank dies, mpirun stops all the others; "
              "with mpirun --enable-recovery pdl notices the lost rank "
              "itself and lets the others finish what they hold\n",
              stderr);
}

/* What the timeline's metadata says about the run. */
static void remember(struct leader *L)
{
    unsigned long long dispatch = L->link.dispatch;

    world.described = true;
    world.clock_error = 0;
    world.messages = L->link.sent;
    for (int r = 1; r < world.size; r++) {
        const struct peer *p = &L->peer[r];
        int64_t err = p->start.error;
        if (p->end.ok && p->end.error > err)
            err = p->end.error;
        if (p->start.ok && (double)err / 1e9 > world.clock_error)
            world.clock_error = (double)err / 1e9;
        world.messages += p->counts.sent;
        dispatch += p->counts.dispatch;
    }
    world.per_task =
        L->board->count ? (double)dispatch / (double)L->board->count : 0;
}

/* After the run: the clocks again, goodbye, every record on rank 0's clock,
 * and what the ranks that did not finish held. */
static void finish(struct leader *L)
{
    uint32_t gone = L->broken;

    for (int r = 1; r < world.size; r++)
        if (L->peer[r].state == PEER_LOST || L->peer[r].state == PEER_SILENT)
            gone = 1;
    world.no_finalize = gone;
    for (int r = 1; r < world.size && !L->broken; r++)
        if (L->peer[r].state == PEER_DONE &&
            !sync_peer(&L->link, r, &L->peer[r].end))
            L->peer[r].end.ok = false;
    for (int r = 1; r < world.size && !L->broken; r++)
        if (L->peer[r].state != PEER_LOST)
            tell(L, r, TAG_BYE, dup_bytes(&gone, sizeof(gone)), sizeof(gone));
    /* Not long: a rank that died never takes its goodbye. */
    link_close(&L->link, 50 * MS);
    align_times(L);
    settle_held(L);
    report_silent(L);
    remember(L);
}

static int run_leader(struct leader *L)
{
    const struct pdl_options *opt = L->job->opt;
    pthread_t thread;
    unsigned split = opt->per_host / (unsigned)world.size;
    int rc;

    /* Each rank paces its share of --rate and of --per-host. */
    pdl_board_limits(L->board, opt->rate / world.size,
                     opt->per_host && !split ? 1 : split,
                     opt->per_host_loopback);
    L->feed = (struct pdl_board_feed){leader_refill, NULL, L};
    L->board->feed = &L->feed;
    if (pthread_create(&thread, NULL, dispatch, L) != 0) {
        fputs("pdl: mpi: cannot start the dispatcher thread\n", stderr);
        L->board->feed = NULL;
        atomic_store(&L->board->stop, 1);
        for (int r = 1; r < world.size; r++)
            tell(L, r, TAG_BYE, NULL, 0);
        world.no_finalize = true;
        link_close(&L->link, STOP_GRACE_NS);
        return PDL_ERR_SYSTEM;
    }
    rc = pdl_runner_async.run(L->job, L->board);
    atomic_store(&L->local_done, 1);
    pthread_join(thread, NULL);
    L->board->feed = NULL;
    finish(L);
    return rc;
}

static int run_mpi(const struct pdl_job *job, struct pdl_board *board)
{
    struct leader L = {.job = job, .board = board};
    int rc;

    if (!world.on || world.rank != 0)
        return PDL_ERR_SYSTEM;
    if (board->schedule == PDL_SCHED_STATIC) {
        fputs("pdl: mpi: tasks are handed out on demand; --schedule static "
              "does not apply\n",
              stderr);
        return PDL_ERR_USAGE;
    }
    L.peer = pdl_xcalloc((size_t)world.size, sizeof(*L.peer));
    L.owner = pdl_xmalloc((board->count ? board->count : 1) * sizeof(int32_t));
    for (size_t i = 0; i < board->count; i++)
        L.owner[i] = -1;
    rc = start(&L);
    if (rc == PDL_OK)
        rc = run_leader(&L);
    free(L.owner);
    free(L.peer);
    return rc;
}

/* ---- the other ranks ------------------------------------------------- */

struct range {
    size_t first, n;
};

struct follower {
    struct pdl_board *board;
    struct pdl_tasklist *list;
    struct link link;
    /* lock guards what the workers and the courier share: the ranges
     * granted and not yet taken, the tasks finished and not yet sent, and
     * the flags below. */
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* the courier: something to send */
    pthread_cond_t ready; /* the workers: tasks came, or none will */
    struct range *q;
    size_t qhead, qlen, qcap;
    size_t queued; /* tasks in q */
    size_t *fin;   /* finished tasks to report */
    size_t nfin, capfin;
    size_t want, low; /* ask for want when fewer than low queued */
    size_t slots;     /* transfers in flight at once, all ranks */
    bool tail;        /* fewer tasks left than slots: no prefetch */
    bool hungry;      /* a worker waits for tasks */
    bool asked;       /* a request is out */
    bool no_more;     /* rank 0 has nothing more */
    bool runner_done; /* the workers have finished */
    int64_t t0;
    pdl_monotime heard, told; /* last message from rank 0, to it */
    bool bye;                 /* rank 0 said the run is over */
    bool sent_done;           /* the courier said this rank has finished */
    int verdict;              /* PDL_OK, or PDL_ERR_SYSTEM if rank 0 lost */
    struct pdl_board_feed feed;
};

static bool follower_refill(void *ctx, size_t want, size_t *first, size_t *n)
{
    struct follower *F = ctx;
    bool ok;

    pthread_mutex_lock(&F->lock);
    while (F->queued == 0 && !F->no_more && !atomic_load(&F->board->stop)) {
        F->hungry = true;
        pthread_cond_signal(&F->wake);
        pthread_cond_wait(&F->ready, &F->lock);
    }
    F->hungry = false;
    ok = F->queued > 0 && !atomic_load(&F->board->stop);
    if (ok) {
        struct range *r = &F->q[F->qhead];
        *first = r->first;
        *n = r->n < want ? r->n : want;
        r->first += *n;
        r->n -= *n;
        F->queued -= *n;
        if (r->n == 0)
            F->qhead++;
        if (F->queued < F->low)
            pthread_cond_signal(&F->wake);
    }
    pthread_mutex_unlock(&F->lock);
    return ok;
}

static void follower_finished(void *ctx, size_t task)
{
    struct follower *F = ctx;

    pthread_mutex_lock(&F->lock);
    if (F->nfin == F->capfin) {
        F->capfin = F->capfin ? 2 * F->capfin : 64;
        F->fin = pdl_xrealloc(F->fin, F->capfin, sizeof(*F->fin));
    }
    F->fin[F->nfin++] = task;
    pthread_cond_signal(&F->wake);
    pthread_mutex_unlock(&F->lock);
}

/* Whether the courier should ask for tasks now; called with the lock held.
 * While many are left it asks ahead, so that a worker never waits for the
 * answer; near the end it asks only for a worker that waits, so that no
 * rank sits on tasks that another rank with an idle worker could run. */
static bool should_ask(const struct follower *F)
{
    if (F->asked || F->no_more)
        return false;
    return F->tail ? F->hungry && F->queued == 0 : F->queued < F->low;
}

/* Called with the lock held. */
static void push_range(struct follower *F, size_t first, size_t n)
{
    if (F->qhead > 0) {
        memmove(F->q, F->q + F->qhead, (F->qlen - F->qhead) * sizeof(*F->q));
        F->qlen -= F->qhead;
        F->qhead = 0;
    }
    if (F->qlen == F->qcap) {
        F->qcap = F->qcap ? 2 * F->qcap : 4;
        F->q = pdl_xrealloc(F->q, F->qcap, sizeof(*F->q));
    }
    F->q[F->qlen++] = (struct range){first, n};
    F->queued += n;
}

/* Files a grant's tasks where the workers will find them. False if the
 * grant is malformed. */
static bool take_grant(struct follower *F, const struct msg *m)
{
    const char *p = m->buf + sizeof(struct grant_head), *end = m->buf + m->len;
    struct grant_head h;

    if (m->len < sizeof(h))
        return false;
    memcpy(&h, m->buf, sizeof(h));
    if (h.first > F->list->count || h.n > F->list->count - h.first)
        return false;
    for (size_t i = h.first; i < h.first + h.n; i++) {
        struct pdl_task *t = &F->list->tasks[i];
        uint32_t ul, nl;
        if (end - p < 9)
            return false;
        memcpy(&ul, p + 1, 4);
        memcpy(&nl, p + 5, 4);
        if ((size_t)(end - p - 9) < (size_t)ul + nl)
            return false;
        free(t->url);
        free(t->name);
        t->url = pdl_xstrndup(p + 9, ul);
        t->name = pdl_xstrndup(p + 9 + ul, nl);
        if (p[0] & 1)
            F->board->results[i].status = PDL_ST_SKIPPED;
        p += 9 + (size_t)ul + nl;
    }
    pthread_mutex_lock(&F->lock);
    if (h.n > 0)
        push_range(F, h.first, h.n);
    else
        F->no_more = true;
    F->asked = false;
    F->tail = h.left < F->slots;
    pthread_cond_broadcast(&F->ready);
    pthread_mutex_unlock(&F->lock);
    return true;
}

/* The workers stop taking tasks: the run is stopped or over. */
static void halt(struct follower *F)
{
    if (F->board)
        atomic_store(&F->board->stop, 1);
    pthread_mutex_lock(&F->lock);
    F->no_more = true;
    pthread_cond_broadcast(&F->ready);
    pthread_mutex_unlock(&F->lock);
}

static void follower_lost(struct follower *F, const char *why)
{
    fprintf(stderr, "pdl: mpi: rank %d (%s): %s; stopping\n", world.rank,
            world.host[world.rank], why);
    F->verdict = PDL_ERR_SYSTEM;
    world.no_finalize = true;
    halt(F);
}

/* Rank 0's goodbye, which says whether a rank may be dead. */
static void take_bye(struct follower *F, const struct msg *m)
{
    uint32_t gone = 0;

    if (m->len == sizeof(gone))
        memcpy(&gone, m->buf, sizeof(gone));
    F->bye = true;
    world.no_finalize = world.no_finalize || gone;
}

static int send_results(struct follower *F, const size_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i += RESULTS_MAX) {
        size_t k = n - i < RESULTS_MAX ? n - i : RESULTS_MAX;
        struct result_entry *e = pdl_xcalloc(k, sizeof(*e));
        for (size_t j = 0; j < k; j++) {
            e[j].id = ids[i + j];
            e[j].r = F->board->results[ids[i + j]];
            e[j].r.rank = world.rank;
        }
        int rc = link_send(&F->link, 0, TAG_RESULT, e, k * sizeof(*e));
        if (rc != MPI_SUCCESS)
            return rc;
    }
    return MPI_SUCCESS;
}

/* Takes what rank 0 sent. Returns whether anything came, or -1 after an
 * error (reported). */
static int receive(struct follower *F)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];
    struct msg m;
    int got = 0, rc;

    while ((rc = poll_msg(0, MPI_ANY_TAG, &m)) == MPI_SUCCESS && m.tag) {
        bool ok = true;
        got = 1;
        F->heard = pdl_now();
        if (m.tag == TAG_GRANT)
            ok = take_grant(F, &m);
        else if (m.tag == TAG_STOP || m.tag == TAG_BYE)
            halt(F);
        if (m.tag == TAG_BYE)
            take_bye(F, &m);
        free(m.buf);
        if (!ok) {
            follower_lost(F, "rank 0 sent a malformed grant");
            return -1;
        }
    }
    if (rc == MPI_SUCCESS)
        return got;
    snprintf(why, sizeof(why), "MPI failed: %s", mpi_why(rc, e, sizeof(e)));
    follower_lost(F, why);
    return -1;
}

/* One round of the courier: results out, a request if tasks run low, what
 * rank 0 sent in. Returns 1 if anything happened, 0 if not, -1 to end. */
static int courier_round(struct follower *F)
{
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 32];
    struct request_msg q = {F->want, F->t0};
    size_t *ids, n;
    bool ask, last;
    int rc, got, peer;

    pthread_mutex_lock(&F->lock);
    ids = F->fin;
    n = F->nfin;
    F->fin = NULL;
    F->nfin = F->capfin = 0;
    ask = should_ask(F);
    F->asked = F->asked || ask;
    q.want = F->tail ? F->board->chunk : F->want;
    last = F->runner_done;
    pthread_mutex_unlock(&F->lock);
    rc = send_results(F, ids, n);
    free(ids);
    if (rc == MPI_SUCCESS && ask)
        rc = link_copy(&F->link, 0, TAG_REQUEST, &q, sizeof(q));
    if (rc == MPI_SUCCESS && last) {
        struct done_msg d = {F->link.sent + 1, F->link.dispatch};
        rc = link_copy(&F->link, 0, TAG_DONE, &d, sizeof(d));
        F->sent_done = rc == MPI_SUCCESS;
    }
    if (n > 0 || ask || last)
        F->told = pdl_now();
    if (rc == MPI_SUCCESS)
        rc = link_flush(&F->link, &peer);
    if (rc != MPI_SUCCESS) {
        snprintf(why, sizeof(why), "cannot reach rank 0: %s",
                 mpi_why(rc, e, sizeof(e)));
        follower_lost(F, why);
        return -1;
    }
    if (last)
        return -1;
    got = receive(F);
    return got < 0 ? -1 : (n > 0 || ask || got);
}

/* Rank 0 lost, or time to say "alive". False when rank 0 is lost. */
static bool courier_watch(struct follower *F)
{
    pdl_monotime now = pdl_now();
    char why[96];

    if (now - F->heard > SILENCE_NS) {
        snprintf(why, sizeof(why), "nothing heard from rank 0 for %.1f s",
                 (double)(now - F->heard) / 1e9);
        follower_lost(F, why);
        return false;
    }
    if (now - F->told > BEAT_NS) {
        F->told = now;
        return link_send(&F->link, 0, TAG_BEAT, NULL, 0) == MPI_SUCCESS;
    }
    return true;
}

/* Naps until a worker has something for the courier, at most ns. */
static void courier_nap(struct follower *F, pdl_monotime ns)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += ns;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    pthread_mutex_lock(&F->lock);
    if (F->nfin == 0 && !F->runner_done && !should_ask(F))
        pthread_cond_timedwait(&F->wake, &F->lock, &ts);
    pthread_mutex_unlock(&F->lock);
}

/* After the run: answers rank 0's clock probes until it says goodbye. */
static void courier_close(struct follower *F)
{
    pdl_monotime idle = IDLE_MIN_NS;
    bool probed = false;
    struct msg m;
    int peer;

    while (!F->bye) {
        if (poll_msg(0, MPI_ANY_TAG, &m) != MPI_SUCCESS)
            break;
        link_flush(&F->link, &peer);
        if (m.tag) {
            F->heard = pdl_now();
            if (m.tag == TAG_BYE)
                take_bye(F, &m);
            if (m.tag == TAG_PING && answer_ping(&F->link) == MPI_SUCCESS)
                probed = true;
            free(m.buf);
            continue;
        }
        if (pdl_now() - F->heard > SILENCE_NS) {
            follower_lost(F, "rank 0 did not end the run");
            break;
        }
        /* Between probes rank 0 answers at once: do not nap then. */
        if (!probed) {
            nap(idle);
            idle = backoff(idle);
        }
    }
}

static void *courier(void *arg)
{
    struct follower *F = arg;
    pdl_monotime idle = IDLE_MIN_NS;
    int r;

    while ((r = courier_round(F)) >= 0) {
        if (!courier_watch(F))
            break;
        idle = r ? IDLE_MIN_NS : backoff(idle);
        if (!r)
            courier_nap(F, idle);
    }
    if (F->verdict == PDL_OK && F->sent_done)
        courier_close(F);
    link_close(&F->link, STOP_GRACE_NS);
    return NULL;
}

/* Waits for rank 0's word to go, answering its clock probes meanwhile.
 * Returns TAG_GO, TAG_ABORT, or -1 (reported). */
static int wait_go(struct follower *F)
{
    pdl_monotime end = pdl_now() + 2 * START_NS, idle = IDLE_MIN_NS;
    char e[MPI_MAX_ERROR_STRING], why[MPI_MAX_ERROR_STRING + 48];
    bool probed = false;
    struct msg m;
    int rc;

    while ((rc = poll_msg(0, MPI_ANY_TAG, &m)) == MPI_SUCCESS) {
        int tag = m.tag;
        if (tag == TAG_ABORT)
            take_bye(F, &m);
        free(m.buf);
        if (tag == TAG_GO || tag == TAG_ABORT)
            return tag;
        if (tag == TAG_PING && (rc = answer_ping(&F->link)) != MPI_SUCCESS)
            break;
        probed = probed || tag == TAG_PING;
        if (tag == 0 && pdl_now() > end) {
            rc = TIMED_OUT;
            break;
        }
        if (tag == 0 && !probed) {
            nap(idle);
            idle = backoff(idle);
        }
    }
    snprintf(why, sizeof(why), "rank 0 did not start the run: %s",
             mpi_why(rc, e, sizeof(e)));
    follower_lost(F, why);
    return -1;
}

/* The run on this rank: the async runner, fed by the courier. */
static void follow_run(struct follower *F, struct pdl_job *job)
{
    struct pdl_sigwatch *watch;
    pthread_t thread;

    F->t0 = job->t0 = pdl_now();
    F->heard = F->told = job->t0;
    F->feed = (struct pdl_board_feed){follower_refill, follower_finished, F};
    F->board->feed = &F->feed;
    /* Before the courier starts, so that it too leaves signals to it. */
    watch = pdl_sigwatch_start(&F->board->stop);
    if (pthread_create(&thread, NULL, courier, F) != 0) {
        follower_lost(F, "cannot start the courier thread");
        pdl_sigwatch_stop(watch);
        return;
    }
    pdl_runner_async.run(job, F->board);
    pdl_sigwatch_stop(watch);
    pthread_mutex_lock(&F->lock);
    F->runner_done = true;
    pthread_cond_signal(&F->wake);
    pthread_mutex_unlock(&F->lock);
    pthread_join(thread, NULL);
    F->board->feed = NULL;
}

/* A condition variable whose timed waits run on CLOCK_MONOTONIC. */
static void cond_init_monotonic(pthread_cond_t *c)
{
    pthread_condattr_t ca;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(c, &ca);
    pthread_condattr_destroy(&ca);
}

/* Everything this rank needs before it can say it is ready. */
static void follow_prepare(const struct pdl_options *opt, size_t count,
                           struct follower *F, struct pdl_job *job,
                           struct hello_msg *h)
{
    unsigned workers = opt->workers < count ? opt->workers : (unsigned)count;
    unsigned split = opt->per_host / (unsigned)world.size;
    char err[200];

    h->ok = 1;
    h->pid = (int32_t)getpid();
    h->result_size = sizeof(struct pdl_result);
    snprintf(h->version, sizeof(h->version), "%s", PDL_VERSION);
    snprintf(h->host, sizeof(h->host), "%s", world.host[world.rank]);
    F->list->tasks = pdl_xcalloc(count ? count : 1, sizeof(struct pdl_task));
    F->list->count = F->list->cap = count;
    F->board = pdl_board_create(count, workers, PDL_SCHED_DYNAMIC, opt->chunk);
    if (!F->board) {
        h->ok = 0;
        snprintf(h->why, sizeof(h->why), "cannot map memory for the board");
        return;
    }
    pdl_board_limits(F->board, opt->rate / world.size,
                     opt->per_host && !split ? 1 : split,
                     opt->per_host_loopback);
    F->want = (size_t)workers * F->board->chunk;
    F->low = ((size_t)workers + 1) / 2 * F->board->chunk;
    F->slots = (size_t)workers * (size_t)world.size;
    if (!opt->discard) {
        job->out_dirfd = pdl_outdir_open(opt->outdir, err, sizeof(err));
        if (job->out_dirfd < 0) {
            h->ok = 0;
            snprintf(h->why, sizeof(h->why), "%s: %s", opt->outdir, err);
        }
    }
}

int pdl_mpi_follow(const struct pdl_options *opt)
{
    struct start_msg st;
    struct hello_msg hello = {0};
    struct pdl_tasklist list;
    struct follower F = {.list = &list, .verdict = PDL_OK};
    struct pdl_job job = {.opt = opt, .list = &list, .out_dirfd = -1};
    char e[MPI_MAX_ERROR_STRING];
    int rc;

    if (!world.on || world.rank == 0)
        return PDL_ERR_SYSTEM;
    rc = MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, world.comm);
    world.started = true;
    if (rc != MPI_SUCCESS) {
        fprintf(stderr, "pdl: mpi: rank %d: cannot hear rank 0: %s\n",
                world.rank, mpi_why(rc, e, sizeof(e)));
        return PDL_ERR_SYSTEM;
    }
    if (st.cancel)
        return PDL_OK;
    pdl_tasklist_init(&list);
    pthread_mutex_init(&F.lock, NULL);
    pthread_cond_init(&F.ready, NULL);
    cond_init_monotonic(&F.wake);
    follow_prepare(opt, (size_t)st.count, &F, &job, &hello);
    rc = MPI_Send(&hello, sizeof(hello), MPI_BYTE, 0, TAG_HELLO, world.comm);
    F.link.sent++;
    if (rc == MPI_SUCCESS && wait_go(&F) == TAG_GO && hello.ok)
        follow_run(&F, &job);
    if (job.out_dirfd >= 0)
        close(job.out_dirfd);
    pdl_board_destroy(F.board);
    pdl_tasklist_cleanup(&list);
    free(F.q);
    free(F.fin);
    pthread_cond_destroy(&F.wake);
    pthread_cond_destroy(&F.ready);
    pthread_mutex_destroy(&F.lock);
    return rc == MPI_SUCCESS ? F.verdict : PDL_ERR_SYSTEM;
}

/* ---- the process ----------------------------------------------------- */

int pdl_mpi_init(int *argc, char ***argv, const char *mode)
{
    sigset_t quiet, old;
    int provided = 0, rc;

    if (strcmp(mode, pdl_runner_mpi.name) != 0)
        return PDL_OK;
    /* MPI starts threads of its own: they must leave SIGINT and SIGTERM to
     * pdl's watcher, or one of them would take the signal and die of it. */
    sigemptyset(&quiet);
    sigaddset(&quiet, SIGINT);
    sigaddset(&quiet, SIGTERM);
    sigaddset(&quiet, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &quiet, &old);
    rc = MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != MPI_SUCCESS) {
        fputs("pdl: mpi: MPI could not be started\n", stderr);
        return PDL_ERR_SYSTEM;
    }
    if (provided < MPI_THREAD_SERIALIZED) {
        fputs("pdl: mpi: this MPI library cannot be called from more than "
              "one thread (MPI_THREAD_SERIALIZED), which pdl needs\n",
              stderr);
        MPI_Finalize();
        return PDL_ERR_SYSTEM;
    }
    world.on = true;
    MPI_Comm_dup(MPI_COMM_WORLD, &world.comm);
    /* Errors come back as codes: a lost rank is reported, not fatal. */
    MPI_Comm_set_errhandler(world.comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(world.comm, &world.rank);
    MPI_Comm_size(world.comm, &world.size);
    world.host = pdl_xcalloc((size_t)world.size, sizeof(*world.host));
    world.hosts = pdl_xcalloc((size_t)world.size, sizeof(*world.hosts));
    for (int r = 0; r < world.size; r++) {
        snprintf(world.host[r], sizeof(world.host[r]), "unknown");
        world.hosts[r] = world.host[r];
    }
    host_name(world.host[world.rank], sizeof(world.host[world.rank]));
    return PDL_OK;
}

int pdl_mpi_rank(void)
{
    return world.on ? world.rank : 0;
}

void pdl_mpi_describe(struct pdl_run_info *info)
{
    if (!world.described)
        return;
    info->ranks = (unsigned)world.size;
    info->rank_hosts = world.hosts;
    info->clock_error = world.clock_error;
    info->messages = world.messages;
    info->messages_per_task = world.per_task;
}

unsigned pdl_mpi_workers(unsigned per_rank)
{
    return world.described ? per_rank * (unsigned)world.size : per_rank;
}

void pdl_mpi_finalize(void)
{
    if (!world.on)
        return;
    if (world.rank == 0 && !world.started) {
        struct start_msg st = {.cancel = 1};
        MPI_Bcast(&st, sizeof(st), MPI_BYTE, 0, world.comm);
    }
    /* MPI_Finalize waits for every rank, a dead one too: after a loss the
     * others leave without it (mpirun --enable-recovery lets them). */
    if (!world.no_finalize)
        MPI_Finalize();
    free(world.hosts);
    free(world.host);
    memset(&world, 0, sizeof(world));
}

const struct pdl_runner pdl_runner_mpi = {
    .name = "mpi",
    .help = "under mpirun: rank 0 hands out tasks, each rank runs W at once",
    .run = run_mpi,
};

#else /* no MPI in this build */

const struct pdl_runner pdl_runner_mpi = {
    .name = "mpi",
    .help = "not in this build (pdl was built without MPI)",
    .unavailable = "not in this build: pdl was built without MPI (install "
                   "one, e.g. libopenmpi-dev and openmpi-bin, and build pdl "
                   "again)",
};

#endif
