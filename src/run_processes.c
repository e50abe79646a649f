/* Processes mode: W forked workers, created once per run. The parent keeps
 * the scheduler and the results stream; each worker has a slot in memory
 * shared with the parent, in which it is given its tasks (its next ones
 * while it runs the current one) and writes its records. Neither side makes
 * a system call for a task unless the other sleeps: a system call and a
 * switch per task cost as much as a small request. The parent reaps every
 * child through a pidfd; a worker that dies costs only the task it was
 * running, what it held at the gate is given back, tasks it was given but
 * had not started go to its replacement. */
#include "pdl/runner.h"

#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* A task as given to a worker, in its box's room: this head, then url,
 * name and options, each with its terminating byte. */
struct task_head {
    uint64_t id;
    int64_t line;
    uint32_t url_len;  /* with the terminator */
    uint32_t name_len; /* 0: no name */
    uint32_t opts_len; /* 0: no per-URL options; else with the terminator */
};

/* A box's room holds the largest task a list can give (with room to spare
 * for a name's suffix); only the pages a task fills are ever touched (one
 * for most), the rest is address space. */
#define ROOM                                                                   \
    ((sizeof(struct task_head) + PDL_LINE_MAX + PDL_NAME_MAX + PDL_OPTS_MAX +  \
      64 + 4095) /                                                             \
     4096 * 4096)

struct result_msg {
    uint64_t id;
    struct pdl_result r;
};

/* A worker is sent its next tasks while it runs the current one (QUEUE
 * tasks at most), so that it never waits for the parent between two: on
 * small requests that wait cost as much as the request (20,000 x 64 B
 * against nginx at W=1: 1.92 s one at a time, 1.37 s queued); and it wakes
 * a sleeping parent only once fewer than LOW wait, so that the parent
 * wakes once for several records. So that no worker idles while a task
 * waits in another's queue, an idle worker takes a queued task back before
 * it is started, once the scheduler has none (dynamic schedules without
 * --chunk). */
#define QUEUE 8
#define LOW (QUEUE / 2)

/* Who has the task in a box: box[b] is its number shifted left by 2, or'ed
 * with one of these; the worker claims it, or the parent takes it back,
 * with a compare-and-swap, so a queued task is run once or taken back. */
enum { BOX_SENT = 0, BOX_CLAIMED = 1, BOX_TAKEN = 2 };

/* What a worker shares with the parent: its state, the boxes of the tasks
 * it was given (their text is in the pool's rooms), the number of the last
 * one given, and its records. Record n (1, 2, ...) is written into
 * rec[n % QUEUE] before records says n; the parent has at most QUEUE tasks
 * out with a worker, so at most QUEUE records wait, and a slot is never
 * written before it has been read. */
struct slot {
    struct pdl_worker_state st;
    atomic_ullong box[QUEUE];
    atomic_ullong sent;
    atomic_int shut;     /* no more tasks will be given */
    atomic_int sleeping; /* the worker waits on bell for a task */
    atomic_uint bell;    /* a futex: rung when a sleeping worker is given one */
    atomic_ullong records;
    struct result_msg rec[QUEUE];
};

struct shm {
    /* Set by the parent before it sleeps; the first worker to write a
     * record after that clears it and wakes the parent. */
    atomic_int asleep;
    struct slot slot[];
};

struct worker {
    pid_t pid;      /* 0 once reaped for good */
    int pidfd;      /* -1 if the kernel has none */
    bool shut;      /* told there are no more tasks */
    bool idle;      /* open, with nothing to run or take */
    uint64_t seq;   /* the number of the last task sent */
    uint64_t seen;  /* records taken */
    unsigned nsent; /* tasks with the worker, oldest first: */
    struct {
        struct pdl_task t;
        uint64_t seq;
        unsigned box;
    } out[QUEUE];
};

/* After a stop, how long a worker may take to end before it is killed (a
 * stopped or hung process must not hold the run). */
#define STOP_GRACE_NS 2000000000LL
/* While records keep coming the parent does not sleep: it looks for
 * workers' ends this often. */
#define REAP_EVERY_NS 10000000LL
/* The epoll tag of the wake-up eventfd (the others are worker numbers). */
#define WAKE_TAG UINT32_MAX

struct pool {
    struct pdl_run *run;
    pdl_monotime stop_at; /* when the stop was seen; 0 before */
    pdl_monotime reaped;  /* when ends were last looked for */
    unsigned n;
    struct worker *w;
    struct shm *shm; /* shared with the workers */
    size_t shm_size;
    char *rooms; /* shared too: QUEUE rooms a worker, a task's text each */
    size_t rooms_size;
    int wake; /* eventfd: a worker wakes the sleeping parent */
    int epfd; /* the parent's: wake and every worker's pidfd */
    int rc;
};

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    return -1;
#endif
}

/* ---- The worker's side ---- */

/* Sleeps until *bell is rung (no longer seen). The parent rings a sleeper
 * when it gives it tasks, on shut and on the stop; the timeout is only a
 * safety net (a ring lost to a bug): an idle worker wakes once a second. */
static void futex_wait(atomic_uint *bell, unsigned seen)
{
    struct timespec ts = {1, 0};

    syscall(SYS_futex, bell, FUTEX_WAIT, seen, &ts, NULL, 0);
}

static void futex_wake(atomic_uint *bell)
{
    syscall(SYS_futex, bell, FUTEX_WAKE, 1, NULL, NULL, 0);
}

struct child {
    int wake;
    uint64_t received; /* the number of the last task claimed or passed */
    struct shm *shm;
    struct slot *slot;
    const char *rooms; /* this worker's QUEUE rooms */
    const atomic_int *stop;
};

/* Claims the first task given and not taken back, of those numbered up to
 * sent; its box in *b. Tasks are run in the order they were given, so
 * that their records come in that order. */
static bool claim_next(struct child *c, uint64_t sent, unsigned *b)
{
    for (;;) {
        uint64_t best = 0;

        for (unsigned i = 0; i < QUEUE; i++) {
            unsigned long long v = atomic_load(&c->slot->box[i]);
            uint64_t seq = v >> 2;

            /* A box may still hold an older task, or a newer one than
             * sent says; a number in between whose box holds another was
             * taken back. */
            if ((v & 3) == BOX_SENT && seq > c->received && seq <= sent &&
                (!best || seq < best)) {
                best = seq;
                *b = i;
            }
        }
        if (!best) {
            c->received = sent;
            return false;
        }
        unsigned long long before = best << 2 | BOX_SENT;
        c->received = best;
        if (atomic_compare_exchange_strong(&c->slot->box[*b], &before,
                                           best << 2 | BOX_CLAIMED))
            return true;
    }
}

static void copy_task(const char *room, struct pdl_task *t)
{
    struct task_head h;
    const char *url = room + sizeof(h);

    memcpy(&h, room, sizeof(h));
    *t = (struct pdl_task){
        .id = h.id,
        .url = pdl_xstrdup(url),
        .name = h.name_len ? pdl_xstrdup(url + h.url_len) : NULL,
        .opts = h.opts_len ? pdl_xstrdup(url + h.url_len + h.name_len) : NULL,
        .line = (long)h.line};
}

static bool child_take(void *ctx, unsigned worker, struct pdl_task *t)
{
    struct child *c = ctx;
    struct slot *s = c->slot;
    unsigned b;

    (void)worker;
    /* Once stopped, queued tasks stay unclaimed: the parent records them
     * as not run. */
    while (!atomic_load(c->stop)) {
        uint64_t sent = atomic_load(&s->sent);

        if (claim_next(c, sent, &b)) {
            copy_task(c->rooms + (size_t)b * ROOM, t);
            return true;
        }
        if (atomic_load(&s->shut))
            return false;
        /* Sequentially consistent, against the parent's store of sent (or
         * shut, or its load of stop) and load of sleeping: either it sees
         * this sleeping and rings, or this sees the new task or flag. */
        unsigned seen = atomic_load(&s->bell);
        atomic_store(&s->sleeping, 1);
        if (atomic_load(&s->sent) == sent && !atomic_load(&s->shut) &&
            !atomic_load(c->stop))
            futex_wait(&s->bell, seen);
        atomic_store(&s->sleeping, 0);
    }
    return false;
}

static void child_settle(void *ctx, unsigned worker, const struct pdl_task *t,
                         const struct pdl_result *r)
{
    struct child *c = ctx;
    unsigned long long n =
        atomic_load_explicit(&c->slot->records, memory_order_relaxed) + 1;

    (void)worker;
    c->slot->rec[n % QUEUE] = (struct result_msg){.id = t->id, .r = *r};
    /* Both sequentially consistent, against the parent's store of asleep
     * and load of records: either it sees the record or this sees it
     * asleep. */
    atomic_store(&c->slot->records, n);
    if (atomic_load(&c->slot->sent) - c->received < LOW &&
        atomic_exchange(&c->shm->asleep, 0))
        eventfd_write(c->wake, 1);
}

/* Closes every descriptor of the pool but the wake-up: a worker holds
 * nothing of its siblings (their pidfds), nor the parent's epoll. */
static void close_others(struct pool *p)
{
    close(p->epfd);
    for (unsigned i = 0; i < p->n; i++)
        if (p->w[i].pidfd >= 0)
            close(p->w[i].pidfd);
}

static void child_main(struct pool *p, unsigned w)
{
    struct child c = {.wake = p->wake,
                      .shm = p->shm,
                      .slot = &p->shm->slot[w],
                      .rooms = p->rooms + (size_t)w * QUEUE * ROOM,
                      .stop = &p->run->shared->stop};
    struct pdl_work work = {child_take, child_settle, &c};
    struct pdl_fetch_config fc = pdl_run_fetch_config(p->run);

    pdl_worker_run(&fc, &p->run->shared->gate, &p->run->shared->counters, &work,
                   w, &c.slot->st);
}

/* ---- The parent's side ---- */

/* Starts worker w. The child never returns into the parent's code. */
static int spawn(struct pool *p, unsigned w)
{
    struct slot *s = &p->shm->slot[w];
    pid_t pid;

    pdl_worker_state_init(&s->st);
    /* A dead worker's boxes may still hold tasks by number: cleared, so
     * that its replacement, numbering from 1 again, never sees them. */
    for (unsigned b = 0; b < QUEUE; b++)
        atomic_store(&s->box[b], 0);
    atomic_store(&s->sent, 0);
    atomic_store(&s->shut, 0);
    atomic_store(&s->sleeping, 0);
    atomic_store(&s->records, 0);
    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Ctrl-C reaches the whole process group: the parent alone decides,
         * and stops workers through the shared stop flag. */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        /* A worker outlives no parent, however the parent ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(0);
        close_others(p);
        child_main(p, w);
        _exit(0);
    }
    p->w[w].pid = pid;
    p->w[w].pidfd = open_pidfd(pid);
    p->w[w].nsent = 0;
    p->w[w].seq = p->w[w].seen = 0;
    p->w[w].shut = p->w[w].idle = false;
    if (p->w[w].pidfd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = w};
        /* Not watched, its end is found as a pidfd-less one's is. */
        if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->w[w].pidfd, &ev) != 0) {
            close(p->w[w].pidfd);
            p->w[w].pidfd = -1;
        }
    }
    return 0;
}

/* Wakes worker w if it sleeps for want of a task (after it was given one,
 * or told there are none). */
static void ring(struct pool *p, unsigned w)
{
    struct slot *s = &p->shm->slot[w];

    if (atomic_load(&s->sleeping)) {
        atomic_fetch_add(&s->bell, 1);
        futex_wake(&s->bell);
    }
}

/* A box no task with worker k is in (it has fewer than QUEUE). */
static unsigned free_box(const struct worker *k)
{
    unsigned used = 0;

    for (unsigned i = 0; i < k->nsent; i++)
        used |= 1u << k->out[i].box;
    for (unsigned b = 0; b < QUEUE; b++)
        if (!(used & 1u << b))
            return b;
    return QUEUE;
}

static size_t task_size(const struct pdl_task *t)
{
    return sizeof(struct task_head) + strlen(t->url) + 1 +
           (t->name ? strlen(t->name) + 1 : 0) +
           (t->opts ? strlen(t->opts) + 1 : 0);
}

/* Records task t, which no room holds, as failed. No list gives such a
 * task today (the reader cuts a URL at PDL_LINE_MAX, out= at PDL_NAME_MAX,
 * option lines at PDL_OPTS_MAX, and ROOM holds all three): this is for a
 * source of tasks added later, so that it fails one task, not a worker. */
static void refuse(struct pool *p, unsigned w, struct pdl_task *t)
{
    pdl_monotime now = pdl_now() - p->run->t0;
    struct pdl_result r = {.worker = (int32_t)w,
                           .start_ns = now,
                           .end_ns = now,
                           .status = PDL_ST_ERROR};

    snprintf(r.error, sizeof(r.error),
             "URL, name and options take %zu bytes: a worker process takes "
             "%zu at most",
             task_size(t), (size_t)ROOM);
    pdl_run_settle(p->run, t, &r);
    pdl_task_clear(t);
}

/* Gives worker w task t, which joins its queue (t is left empty). A
 * worker that died meanwhile has it given back when it is buried. */
static void send_task(struct pool *p, unsigned w, struct pdl_task *t)
{
    struct worker *k = &p->w[w];
    struct slot *s = &p->shm->slot[w];
    unsigned box = free_box(k);
    char *room = p->rooms + ((size_t)w * QUEUE + box) * ROOM;
    struct task_head h = {
        .id = t->id,
        .line = t->line,
        .url_len = (uint32_t)strlen(t->url) + 1,
        .name_len = t->name ? (uint32_t)strlen(t->name) + 1 : 0,
        .opts_len = t->opts ? (uint32_t)strlen(t->opts) + 1 : 0};
    char *at = room + sizeof(h);

    memcpy(room, &h, sizeof(h));
    memcpy(at, t->url, h.url_len);
    if (h.name_len)
        memcpy(at + h.url_len, t->name, h.name_len);
    if (h.opts_len)
        memcpy(at + h.url_len + h.name_len, t->opts, h.opts_len);
    /* Sequentially consistent: the text before the box, the box before
     * sent, sent before the worker's sleeping is looked at. */
    k->seq++;
    atomic_store(&s->box[box], k->seq << 2 | BOX_SENT);
    atomic_store(&s->sent, k->seq);
    k->out[k->nsent].t = *t;
    k->out[k->nsent].seq = k->seq;
    k->out[k->nsent++].box = box;
    memset(t, 0, sizeof(*t));
}

/* Takes back the last task queued behind worker v's running one into t,
 * if v has not started it. */
static bool take_back(struct pool *p, unsigned v, struct pdl_task *t)
{
    struct worker *k = &p->w[v];

    if (!k->pid || k->nsent < 2)
        return false;
    uint64_t seq = k->out[k->nsent - 1].seq;
    unsigned long long before = seq << 2 | BOX_SENT;
    if (!atomic_compare_exchange_strong(
            &p->shm->slot[v].box[k->out[k->nsent - 1].box], &before,
            seq << 2 | BOX_TAKEN))
        return false;
    k->nsent--;
    *t = k->out[k->nsent].t;
    memset(&k->out[k->nsent], 0, sizeof(k->out[0]));
    return true;
}

/* How many tasks a worker is given ahead: with --chunk, one more task than
 * it runs, so that a worker takes its next chunk only as it nears the end
 * of its current one, as --chunk says (no task is taken back there). */
static unsigned depth(const struct pool *p)
{
    return p->run->opt->chunk > 1 ? 2 : QUEUE;
}

/* Static slices and --chunk runs are what the user asked each worker to
 * run: never broken up. */
static bool may_take_back(const struct pool *p)
{
    return p->run->opt->schedule != PDL_SCHED_STATIC &&
           p->run->opt->chunk <= 1 && !atomic_load(&p->run->shared->stop);
}

/* Worker w's next task: the scheduler's, or, for an idle worker once the
 * scheduler has none, one queued at another worker. */
static bool next_for(struct pool *p, unsigned w, struct pdl_task *t)
{
    if (pdl_run_take(p->run, w, t))
        return true;
    if (p->w[w].nsent > 0 || !may_take_back(p))
        return false;
    for (unsigned v = 0; v < p->n; v++)
        if (v != w && take_back(p, v, t))
            return true;
    return false;
}

/* Fills worker w's queue up to upto tasks; marks it idle if it has none
 * and none could be found. */
static void feed(struct pool *p, unsigned w, unsigned upto)
{
    struct worker *k = &p->w[w];
    struct pdl_task t;

    unsigned had = k->nsent;

    while (k->pid && !k->shut && k->nsent < upto) {
        k->idle = false;
        if (!next_for(p, w, &t)) {
            k->idle = k->nsent == 0;
            break;
        }
        if (task_size(&t) <= ROOM)
            send_task(p, w, &t);
        else
            refuse(p, w, &t);
    }
    if (k->nsent > had)
        ring(p, w);
}

/* Idle workers get what appeared meanwhile (tasks given back, a queued
 * task to take back); once no worker has a task queued that could be
 * taken back, they are told there is nothing more, and end. */
static void settle_idle(struct pool *p)
{
    bool idle = false, queued = false;

    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].idle) {
            feed(p, w, depth(p));
            idle |= p->w[w].idle;
        }
    if (!idle)
        return;
    for (unsigned w = 0; w < p->n && !queued; w++)
        queued = p->w[w].pid && p->w[w].nsent >= 2;
    if (queued && may_take_back(p))
        return;
    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].idle && p->w[w].pid) {
            atomic_store(&p->shm->slot[w].shut, 1);
            ring(p, w);
            p->w[w].shut = true;
            p->w[w].idle = false;
        }
}

/* Takes worker w's records of the tasks it was sent, oldest first; false
 * if it had none. */
static bool take_records(struct pool *p, unsigned w)
{
    struct worker *k = &p->w[w];
    struct slot *s = &p->shm->slot[w];
    unsigned long long have = atomic_load(&s->records);

    if (k->seen >= have)
        return false;
    for (; k->seen < have; k->seen++) {
        const struct result_msg *m = &s->rec[(k->seen + 1) % QUEUE];
        /* Records come in the order the tasks were sent: one for no task
         * sent would be a defect, and is dropped. */
        if (k->nsent == 0 || m->id != k->out[0].t.id)
            continue;
        pdl_run_settle(p->run, &k->out[0].t, &m->r);
        pdl_task_clear(&k->out[0].t);
        memmove(&k->out[0], &k->out[1], (k->nsent - 1) * sizeof(k->out[0]));
        memset(&k->out[--k->nsent], 0, sizeof(k->out[0]));
    }
    return true;
}

/* Gives worker w's unstarted tasks back, from index from on, so that they
 * keep their order. */
static void give_back_from(struct pool *p, unsigned w, unsigned from)
{
    struct worker *k = &p->w[w];

    while (k->nsent > from)
        pdl_sched_give_back(p->run->sched, w, &k->out[--k->nsent].t);
}

static void describe_death(int status, pid_t pid, char *out, size_t outsz)
{
    if (WIFSIGNALED(status))
        snprintf(out, outsz, "worker process %ld killed by signal %d (%s)",
                 (long)pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, outsz, "worker process %ld exited with status %d",
                 (long)pid, WEXITSTATUS(status));
}

/* Records worker w's end: the task it was running failed, what it held at
 * the gate is given back, a task it had not started goes to its
 * replacement, if tasks remain. */
static void bury(struct pool *p, unsigned w, int status)
{
    struct worker *k = &p->w[w];
    struct pdl_worker_state *st = &p->shm->slot[w].st;
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    int host = atomic_load(&st->host);

    /* Records it wrote before it died are taken first. */
    take_records(p, w);
    if (host >= 0)
        pdl_gate_leave(&p->run->shared->gate, (unsigned)host, NULL);
    give_back_from(p, w, 1);
    if (k->nsent && atomic_load(&st->task) == (long long)k->out[0].t.id) {
        struct pdl_result r = {.worker = (int32_t)w,
                               .start_ns = pdl_now() - p->run->t0,
                               .end_ns = pdl_now() - p->run->t0,
                               .status = PDL_ST_WORKER_DIED,
                               .attempts = 1};
        describe_death(status, k->pid, r.error, sizeof(r.error));
        if (p->stop_at) {
            r.status = PDL_ST_INTERRUPTED;
            snprintf(r.error, sizeof(r.error),
                     "interrupted: worker process %ld did not stop in time",
                     (long)k->pid);
        }
        pdl_counters_end(&p->run->shared->counters);
        pdl_run_settle(p->run, &k->out[0].t, &r);
        pdl_task_clear(&k->out[0].t);
        k->nsent = 0;
    }
    give_back_from(p, w, 0);
    if (k->pidfd >= 0) {
        epoll_ctl(p->epfd, EPOLL_CTL_DEL, k->pidfd, NULL);
        close(k->pidfd);
    }
    k->pidfd = -1;
    k->pid = 0;
    k->idle = false;
    /* Each death costs a task, so replacing never loops for ever. */
    if (!clean && !atomic_load(&p->run->shared->stop) && spawn(p, w) == 0)
        feed(p, w, depth(p));
}

static unsigned alive(const struct pool *p)
{
    unsigned a = 0;

    for (unsigned w = 0; w < p->n; w++)
        a += p->w[w].pid != 0;
    return a;
}

static bool any_records(const struct pool *p)
{
    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].pid && atomic_load(&p->shm->slot[w].records) > p->w[w].seen)
            return true;
    return false;
}

/* Reaps the workers that ended: those epoll says so of (n events in ev),
 * and any without a pidfd. */
static void reap(struct pool *p, const struct epoll_event *ev, int n)
{
    int status;

    for (int i = 0; i < n; i++) {
        unsigned w = ev[i].data.u32;
        eventfd_t v;

        if (w == WAKE_TAG)
            eventfd_read(p->wake, &v);
        else if (w < p->n && p->w[w].pid &&
                 waitpid(p->w[w].pid, &status, WNOHANG) == p->w[w].pid)
            bury(p, w, status);
    }
    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].pid && p->w[w].pidfd < 0 &&
            waitpid(p->w[w].pid, &status, WNOHANG) == p->w[w].pid)
            bury(p, w, status);
}

/* Takes every record written and feeds those workers; looks for workers'
 * ends, and sleeps until a worker runs low or ends if there was nothing to
 * take: 50 ms at most, so that a stop is seen and records reach the
 * timeline and outputs within that. */
static void step(struct pool *p)
{
    struct epoll_event ev[16];
    bool took = false;
    int timeout = 0, n;

    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].pid && take_records(p, w)) {
            feed(p, w, depth(p));
            took = true;
        }
    if (took && pdl_now() - p->reaped < REAP_EVERY_NS)
        return;
    if (!took) {
        atomic_store(&p->shm->asleep, 1);
        timeout = any_records(p) ? 0 : 50;
    }
    n = epoll_wait(p->epfd, ev, 16, timeout);
    atomic_store(&p->shm->asleep, 0);
    p->reaped = pdl_now();
    reap(p, ev, n > 0 ? n : 0);
}

/* Once stopped, a worker that has not ended within the grace time is
 * killed: a process stopped with SIGSTOP or stuck must not hold the run. */
static void enforce_stop(struct pool *p)
{
    pdl_monotime now = pdl_now();

    if (!atomic_load(&p->run->shared->stop))
        return;
    if (!p->stop_at) {
        p->stop_at = now;
        for (unsigned w = 0; w < p->n; w++) /* a sleeper sees it at once */
            if (p->w[w].pid)
                ring(p, w);
    }
    if (now - p->stop_at < STOP_GRACE_NS)
        return;
    for (unsigned w = 0; w < p->n; w++)
        if (p->w[w].pid)
            kill(p->w[w].pid, SIGKILL);
}

/* The pool's shared memory, wake-up and epoll; false if the system has
 * none to give (what was made is undone by close_pool). */
static bool open_pool(struct pool *p)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = WAKE_TAG};

    p->shm_size = sizeof(*p->shm) + p->n * sizeof(p->shm->slot[0]);
    p->shm = mmap(NULL, p->shm_size, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->shm == MAP_FAILED) {
        p->shm = NULL;
        return false;
    }
    atomic_init(&p->shm->asleep, 0);
    /* Not reserved: rooms are mostly never touched (see ROOM). */
    p->rooms_size = (size_t)p->n * QUEUE * ROOM;
    p->rooms = mmap(NULL, p->rooms_size, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p->rooms == MAP_FAILED) {
        p->rooms = NULL;
        return false;
    }
    p->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    return p->wake >= 0 && p->epfd >= 0 &&
           epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wake, &ev) == 0;
}

static void close_pool(struct pool *p)
{
    if (p->shm)
        munmap(p->shm, p->shm_size);
    if (p->rooms)
        munmap(p->rooms, p->rooms_size);
    if (p->wake >= 0)
        close(p->wake);
    if (p->epfd >= 0)
        close(p->epfd);
    free(p->w);
}

static int run_processes(struct pdl_run *run, void *ctx)
{
    unsigned n = run->workers;
    struct pool p = {.run = run, .n = n, .wake = -1, .epfd = -1};

    (void)ctx;
    p.w = pdl_xcalloc(n ? n : 1, sizeof(*p.w));
    for (unsigned w = 0; w < n; w++)
        p.w[w].pidfd = -1;
    run->shared->counters.workers = n;
    if (!open_pool(&p)) {
        p.rc = PDL_ERR_SYSTEM;
        n = 0;
    }
    /* Each worker starts on its first task while the next is forked (64
     * forks take some 20 ms here); then round by round, one more each
     * before any gets another, so that a short list is spread over every
     * worker. */
    for (unsigned w = 0; w < n; w++) {
        if (spawn(&p, w) != 0) {
            atomic_store(&run->shared->stop, 1);
            p.rc = PDL_ERR_SYSTEM;
            break;
        }
        feed(&p, w, 1);
    }
    for (unsigned d = 2; d <= depth(&p); d++)
        for (unsigned w = 0; w < n; w++)
            feed(&p, w, d);
    while (alive(&p) > 0) {
        settle_idle(&p);
        step(&p);
        enforce_stop(&p);
    }
    for (unsigned w = 0; w < p.n; w++) /* stopped: its worker never said */
        give_back_from(&p, w, 0);
    close_pool(&p);
    return p.rc;
}

const struct pdl_runner pdl_runner_processes = {
    .name = "processes",
    .help = "a pool of W forked worker processes sharing one task queue",
    .run = run_processes,
    /* The parent holds a pidfd a worker; each worker has its own table. */
    .fds_per_worker = 1,
};
