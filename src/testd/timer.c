/*
 * The timer thread of pdl-testd: the deadlines of suspended connections
 * (/delay, /hang, /drip, a draining reset) in a min-heap, resumed as they
 * pass, so that no thread sleeps per request.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static void pdl_testd_heap_swap(struct pdl_testd_timer_entry *heap, size_t a,
                                size_t b)
{
    struct pdl_testd_timer_entry tmp = heap[a];

    heap[a] = heap[b];
    heap[b] = tmp;
}

/* Caller holds timer->mutex. */
static void pdl_testd_heap_push(struct pdl_testd_timer *timer,
                                struct pdl_testd_timer_entry entry)
{
    size_t i;

    if (timer->count == timer->cap) {
        size_t cap = timer->cap == 0 ? 256 : timer->cap * 2;

        timer->heap =
            pdl_testd_xrealloc(timer->heap, cap * sizeof *timer->heap);
        timer->cap = cap;
    }
    i = timer->count++;
    timer->heap[i] = entry;
    while (i > 0 &&
           timer->heap[(i - 1) / 2].deadline > timer->heap[i].deadline) {
        pdl_testd_heap_swap(timer->heap, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* Removes and returns the earliest entry. Caller holds the mutex, count > 0. */
static struct pdl_testd_timer_entry
pdl_testd_heap_pop(struct pdl_testd_timer *timer)
{
    struct pdl_testd_timer_entry top = timer->heap[0];
    struct pdl_testd_timer_entry *heap = timer->heap;
    size_t n = --timer->count;
    size_t i = 0;

    heap[0] = heap[n];
    for (;;) {
        size_t l = 2 * i + 1;
        size_t r = l + 1;
        size_t m = i;

        if (l < n && heap[l].deadline < heap[m].deadline)
            m = l;
        if (r < n && heap[r].deadline < heap[m].deadline)
            m = r;
        if (m == i)
            break;
        pdl_testd_heap_swap(heap, i, m);
        i = m;
    }
    return top;
}

/*
 * Resumes connections as their deadlines pass. On stop it resumes every
 * remaining one, because MHD_stop_daemon must not find suspended
 * connections. MHD_resume_connection runs unlocked so handlers never wait
 * on it.
 */
static void *pdl_testd_timer_run(void *arg)
{
    struct pdl_testd_timer *timer = arg;

    pthread_mutex_lock(&timer->mutex);
    while (!timer->stopping || timer->count > 0) {
        struct pdl_testd_timer_entry due;
        struct timespec ts;

        if (timer->count == 0) {
            pthread_cond_wait(&timer->cond, &timer->mutex);
            continue;
        }
        if (!timer->stopping && timer->heap[0].deadline > pdl_testd_now()) {
            ts.tv_sec = (time_t)(timer->heap[0].deadline / PDL_TESTD_NS_PER_S);
            ts.tv_nsec = (long)(timer->heap[0].deadline % PDL_TESTD_NS_PER_S);
            pthread_cond_timedwait(&timer->cond, &timer->mutex, &ts);
            continue;
        }
        due = pdl_testd_heap_pop(timer);
        pthread_mutex_unlock(&timer->mutex);
        MHD_resume_connection(due.con);
        pthread_mutex_lock(&timer->mutex);
    }
    pthread_mutex_unlock(&timer->mutex);
    return NULL;
}

/* Starts the timer thread. Returns 0, or an errno value on failure. */
int pdl_testd_timer_start(struct pdl_testd_timer *timer)
{
    pthread_condattr_t attr;
    int rc;

    memset(timer, 0, sizeof *timer);
    rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (rc == 0)
        rc = pthread_cond_init(&timer->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0)
        return rc;
    rc = pthread_mutex_init(&timer->mutex, NULL);
    if (rc != 0)
        goto fail_mutex;
    rc = pthread_create(&timer->thread, NULL, pdl_testd_timer_run, timer);
    if (rc != 0)
        goto fail_thread;
    return 0;

fail_thread:
    pthread_mutex_destroy(&timer->mutex);
fail_mutex:
    pthread_cond_destroy(&timer->cond);
    return rc;
}

/* Resumes every waiting connection, joins the thread and frees the heap. */
void pdl_testd_timer_stop(struct pdl_testd_timer *timer)
{
    pthread_mutex_lock(&timer->mutex);
    timer->stopping = true;
    pthread_cond_signal(&timer->cond);
    pthread_mutex_unlock(&timer->mutex);
    pthread_join(timer->thread, NULL);
    free(timer->heap);
    pthread_mutex_destroy(&timer->mutex);
    pthread_cond_destroy(&timer->cond);
}

/*
 * Suspends con until deadline. Returns false, without suspending, once
 * the timer is stopping. Must be called from the access handler or a
 * content reader of con, the only places MHD allows a suspend.
 */
bool pdl_testd_timer_add(struct pdl_testd_timer *timer,
                         struct MHD_Connection *con,
                         pdl_testd_monotime deadline)
{
    struct pdl_testd_timer_entry entry = {.deadline = deadline, .con = con};

    pthread_mutex_lock(&timer->mutex);
    if (timer->stopping) {
        pthread_mutex_unlock(&timer->mutex);
        return false;
    }
    /* Suspend under the lock, so the entry is never resumed before it is
       suspended; resuming early would be undefined behaviour in MHD. */
    MHD_suspend_connection(con);
    pdl_testd_heap_push(timer, entry);
    if (timer->heap[0].con == con)
        pthread_cond_signal(&timer->cond);
    pthread_mutex_unlock(&timer->mutex);
    return true;
}
