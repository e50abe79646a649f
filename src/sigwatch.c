/* A thread that turns SIGINT and SIGTERM into a stop flag, so that no signal
 * handler and no global variable is needed: workers see the flag on the
 * board, abort their transfers and remove their temporary files. */
#include "pdl/sigwatch.h"
#include "pdl/util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct pdl_sigwatch {
    pthread_t thread;
    sigset_t old;
    atomic_int *stop;
    atomic_int done;   /* set by pdl_sigwatch_stop */
    atomic_int caught; /* first signal, 0 if none */
};

static void *watch(void *arg)
{
    struct pdl_sigwatch *w = arg;
    const struct timespec tick = {0, 100 * 1000 * 1000};
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    while (!atomic_load(&w->done)) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig <= 0)
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
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
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
    pthread_join(w->thread, NULL);
    caught = atomic_load(&w->caught);
    pthread_sigmask(SIG_SETMASK, &w->old, NULL);
    free(w);
    return caught;
}
