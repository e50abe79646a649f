/* Processes mode: W forked workers, created once per run, taking tasks from a
 * board and writing results into memory shared with the parent. The parent
 * reaps every child; a worker that dies costs only the task it held, and is
 * replaced while tasks remain. */
#include "pdl/runner.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct pool {
    const struct pdl_job *job;
    struct pdl_board *board; /* shared, results included */
    unsigned n;
    pid_t *pid;   /* per worker, 0 once reaped for good */
    int *pidfd;   /* per worker, -1 if unavailable */
    size_t spare; /* replacements still allowed */
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

/* Starts worker w. The child never returns into the parent's code. */
static int spawn(struct pool *p, unsigned w)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Ctrl-C reaches the whole process group: the parent alone decides,
         * and stops workers through the board, so that they clean up. */
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        /* A worker outlives no parent, however the parent ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(0);
        pdl_worker_run(p->job, p->board, w);
        _exit(0);
    }
    p->pid[w] = pid;
    p->pidfd[w] = open_pidfd(pid);
    return 0;
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

/* True if worker w's replacement would find a task. */
static bool work_left(struct pdl_board *b, unsigned w)
{
    return atomic_load(&b->slot[w].cur) < atomic_load(&b->slot[w].end) ||
           (b->schedule == PDL_SCHED_DYNAMIC &&
            atomic_load(&b->next) < b->count);
}

/* Records worker w's end; if it died holding a task, that task failed. */
static void bury(struct pool *p, unsigned w, int status)
{
    long long held = atomic_load(&p->board->slot[w].held);
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;

    if (!clean && held >= 0) {
        struct pdl_result *r = &p->board->results[held];
        r->worker = (int32_t)w;
        r->end_ns = pdl_now() - p->job->t0;
        r->status = PDL_ST_WORKER_DIED;
        r->attempts = 1;
        describe_death(status, p->pid[w], r->error, sizeof(r->error));
        pdl_board_finish(p->board, w, (size_t)held);
    }
    if (p->pidfd[w] >= 0)
        close(p->pidfd[w]);
    p->pidfd[w] = -1;
    p->pid[w] = 0;
    if (!clean && p->spare > 0 && !atomic_load(&p->board->stop) &&
        work_left(p->board, w)) {
        p->spare--;
        spawn(p, w);
    }
}

static unsigned alive(const struct pool *p)
{
    unsigned a = 0;

    for (unsigned w = 0; w < p->n; w++)
        a += p->pid[w] != 0;
    return a;
}

/* Waits for any worker to end, reaping only our own children: pidfds when
 * the kernel has them, else the first live worker in order. */
static void reap_one(struct pool *p)
{
    struct pollfd *fds = pdl_xcalloc(p->n, sizeof(*fds));
    unsigned k = 0;
    int status;

    for (unsigned w = 0; w < p->n; w++)
        if (p->pid[w] && p->pidfd[w] >= 0)
            fds[k++] = (struct pollfd){.fd = p->pidfd[w], .events = POLLIN};
    if (k > 0 && poll(fds, k, -1) < 0 && errno != EINTR)
        k = 0;
    free(fds);
    for (unsigned w = 0; w < p->n; w++) {
        if (!p->pid[w])
            continue;
        pid_t got = waitpid(p->pid[w], &status, (k > 0) ? WNOHANG : 0);
        if (got == p->pid[w])
            bury(p, w, status);
        else if (got < 0 && errno == ECHILD)
            p->pid[w] = 0;
        if (k == 0 && got != 0)
            return;
    }
}

static int run_processes(const struct pdl_job *job, struct pdl_board *board)
{
    unsigned n = pdl_workers_needed(job);
    struct pool p = {
        .job = job, .board = board, .n = n, .spare = job->list->count + n};
    int rc = PDL_OK;

    p.pid = pdl_xcalloc(n ? n : 1, sizeof(*p.pid));
    p.pidfd = pdl_xcalloc(n ? n : 1, sizeof(*p.pidfd));
    for (unsigned w = 0; w < n; w++) {
        if (spawn(&p, w) != 0) {
            atomic_store(&board->stop, 1);
            rc = PDL_ERR_SYSTEM;
            break;
        }
    }
    while (alive(&p) > 0)
        reap_one(&p);
    free(p.pidfd);
    free(p.pid);
    return rc;
}

const struct pdl_runner pdl_runner_processes = {
    .name = "processes",
    .help = "a pool of W forked worker processes sharing one task queue",
    .run = run_processes,
};
