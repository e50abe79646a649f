/* A thread that turns SIGINT and SIGTERM into a stop flag, so that no signal
 * handler and no global variable is needed: workers see the flag on the
 * board, abort their transfers and remove their temporary files. */
#include "pdl/sigwatch.h"
#include "pdl/util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct pdl_sigwatch {
    pthread_t thread;
    sigset_t old;
    atomic_int *stop;
    atomic_int done;   /* set by pdl_sigwatch_stop */
    atomic_int caught; /* first signal, 0 if none */
};

/* SIGINT and SIGTERM, plus SIGUSR2, which pdl_sigwatch_stop sends to wake
 * the thread so that stopping costs no waiting. */
static void watched(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGUSR2);
}

static void *watch(void *arg)
{
    struct pdl_sigwatch *w = arg;
    sigset_t set;

    watched(&set);
    while (!atomic_load(&w->done)) {
        int sig;
        if (sigwait(&set, &sig) != 0 || sig == SIGUSR2)
            continue;
        if (atomic_load(&w->caught) != 0)
            _exit(128 + sig);
        atomic_store(&w->caught, sig);
        atomic_store(w->stop, 1);
    }
    return NULL;
}

struct pdl_sigwatch *pdl_sigwatch_start(atomic_int *stop)
{
    struct pdl_sigwatch *w = pdl_xcalloc(1, sizeof(*w));
    sigset_t set;

    w->stop = stop;
    watched(&set);
    pthread_sigmask(SIG_BLOCK, &set, &w->old);
    if (pthread_create(&w->thread, NULL, watch, w) != 0) {
        pthread_sigmask(SIG_SETMASK, &w->old, NULL);
        free(w);
        return NULL;
    }
    return w;
}

int pdl_sigwatch_stop(struct pdl_sigwatch *w)
{
    int caught;

    if (!w)
        return 0;
    atomic_store(&w->done, 1);
    pthread_kill(w->thread, SIGUSR2);
    pthread_join(w->thread, NULL);
    caught = atomic_load(&w->caught);
    pthread_sigmask(SIG_SETMASK, &w->old, NULL);
    free(w);
    return caught;
}
