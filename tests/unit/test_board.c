/* Unit tests for the shared board: tasks handed out in order, each exactly
 * once, between threads and between processes sharing its memory. */
#include "pdl/runner.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAIN_TASKS 100000
#define DRAIN_THREADS 8
#define DRAIN_PROCS 4

static struct pdl_board *board_create(size_t count, unsigned workers)
{
    struct pdl_board *b =
        pdl_board_create(count, workers, PDL_SCHED_DYNAMIC, 1);

    ck_assert_ptr_nonnull(b);
    return b;
}

#define HELD(b, w) atomic_load(&(b)->slot[w].held)

/* Drains a board with one worker at a time in turn, recording who took
 * what: owner[id] = worker + 1. */
static void take_round_robin(struct pdl_board *b, unsigned workers,
                             unsigned *owner)
{
    bool any = true;
    size_t id;

    while (any) {
        any = false;
        for (unsigned w = 0; w < workers; w++) {
            if (!pdl_board_take(b, w, &id))
                continue;
            ck_assert_uint_lt(id, b->count);
            ck_assert_uint_eq(owner[id], 0);
            owner[id] = w + 1;
            any = true;
        }
    }
}

START_TEST(test_static_slices)
{
    /* 10 tasks over 3 workers: [0,3) [3,6) [6,10), whoever asks first. */
    struct pdl_board *b = pdl_board_create(10, 3, PDL_SCHED_STATIC, 1);
    static const unsigned want[10] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3};
    unsigned owner[10] = {0};

    ck_assert_ptr_nonnull(b);
    take_round_robin(b, 3, owner);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(owner[i], want[i]);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_dynamic_chunks)
{
    /* Chunks of 4 claimed in turn: w0 gets 0-3, w1 4-7, w0 8-9. */
    struct pdl_board *b = pdl_board_create(10, 2, PDL_SCHED_DYNAMIC, 4);
    static const unsigned want[10] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 1};
    unsigned owner[10] = {0};

    ck_assert_ptr_nonnull(b);
    take_round_robin(b, 2, owner);
    for (size_t i = 0; i < 10; i++)
        ck_assert_uint_eq(owner[i], want[i]);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_finish_counts)
{
    struct pdl_board *b = board_create(3, 1);
    size_t id;

    ck_assert(pdl_board_take(b, 0, &id));
    b->results[id].status = PDL_ST_OK;
    pdl_board_finish(b, 0, id);
    ck_assert(pdl_board_take(b, 0, &id));
    b->results[id].status = PDL_ST_HTTP;
    pdl_board_finish(b, 0, id);
    ck_assert_uint_eq(atomic_load(&b->done), 2);
    ck_assert_uint_eq(atomic_load(&b->failed), 1);
    ck_assert_int_eq(HELD(b, 0), -1);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_init)
{
    struct pdl_board *b = board_create(7, 3);

    ck_assert_uint_eq(atomic_load(&b->next), 0);
    ck_assert_uint_eq(b->count, 7);
    ck_assert_int_eq(atomic_load(&b->stop), 0);
    ck_assert_uint_eq(b->workers, 3);
    for (unsigned w = 0; w < 3; w++)
        ck_assert_int_eq(HELD(b, w), -1);
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(b->results[i].status, PDL_ST_PENDING);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_take_in_order)
{
    struct pdl_board *b = board_create(5, 2);
    size_t task = 999;

    for (size_t i = 0; i < 5; i++) {
        unsigned w = (unsigned)(i % 2);
        ck_assert(pdl_board_take(b, w, &task));
        ck_assert_uint_eq(task, i);
        ck_assert_int_eq(HELD(b, w), (long long)i);
    }
    ck_assert_int_eq(HELD(b, 0), 4);
    ck_assert_int_eq(HELD(b, 1), 3);
    task = 999;
    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert(!pdl_board_take(b, 1, &task));
    ck_assert_uint_eq(task, 999);
    /* A failed take leaves held as it was. */
    ck_assert_int_eq(HELD(b, 0), 4);
    ck_assert_int_eq(HELD(b, 1), 3);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_take_empty)
{
    struct pdl_board *b = board_create(0, 1);
    size_t task = 999;

    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert_uint_eq(task, 999);
    ck_assert_int_eq(HELD(b, 0), -1);
    pdl_board_destroy(b);
}
END_TEST

START_TEST(test_stop)
{
    struct pdl_board *b = board_create(10, 1);
    size_t task = 999;

    ck_assert(pdl_board_take(b, 0, &task));
    ck_assert_uint_eq(task, 0);
    atomic_store(&b->stop, 1);
    task = 999;
    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert_uint_eq(task, 999);
    ck_assert_int_eq(HELD(b, 0), 0);
    /* A stopped board hands out nothing, so next did not move. */
    ck_assert_uint_eq(atomic_load(&b->next), 1);
    pdl_board_destroy(b);
}
END_TEST

struct drainer {
    struct pdl_board *board;
    unsigned worker;
    size_t *ids; /* DRAIN_TASKS slots */
    size_t n;
};

static void *drain(void *arg)
{
    struct drainer *d = arg;
    size_t id;

    while (pdl_board_take(d->board, d->worker, &id))
        d->ids[d->n++] = id;
    return NULL;
}

START_TEST(test_threads_drain)
{
    struct pdl_board *b = board_create(DRAIN_TASKS, DRAIN_THREADS);
    struct drainer d[DRAIN_THREADS];
    pthread_t tid[DRAIN_THREADS];
    unsigned char *seen = calloc(DRAIN_TASKS, 1);
    size_t total = 0;

    ck_assert_ptr_nonnull(seen);
    for (unsigned w = 0; w < DRAIN_THREADS; w++) {
        d[w] = (struct drainer){.board = b,
                                .worker = w,
                                .ids = malloc(DRAIN_TASKS * sizeof(size_t))};
        ck_assert_ptr_nonnull(d[w].ids);
        ck_assert_int_eq(pthread_create(&tid[w], NULL, drain, &d[w]), 0);
    }
    for (unsigned w = 0; w < DRAIN_THREADS; w++)
        ck_assert_int_eq(pthread_join(tid[w], NULL), 0);
    for (unsigned w = 0; w < DRAIN_THREADS; w++) {
        for (size_t i = 0; i < d[w].n; i++) {
            size_t id = d[w].ids[i];
            ck_assert_uint_lt(id, DRAIN_TASKS);
            ck_assert_msg(seen[id] == 0, "task %zu taken twice", id);
            seen[id] = 1;
            /* Each worker sees its ids in increasing order. */
            if (i > 0)
                ck_assert_uint_lt(d[w].ids[i - 1], id);
        }
        if (d[w].n > 0)
            ck_assert_int_eq(HELD(b, w), (long long)d[w].ids[d[w].n - 1]);
        total += d[w].n;
        free(d[w].ids);
    }
    ck_assert_uint_eq(total, DRAIN_TASKS);
    ck_assert_uint_ge(atomic_load(&b->next), DRAIN_TASKS);
    free(seen);
    pdl_board_destroy(b);
}
END_TEST

/* What the processes share: the board and one counter per task. */
struct shared {
    atomic_uint taken[DRAIN_TASKS];
    atomic_uint past_count; /* ids handed out at or beyond count */
};

static void child_drain(struct pdl_board *b, struct shared *sh, unsigned w)
{
    size_t id;

    while (pdl_board_take(b, w, &id)) {
        if (id >= DRAIN_TASKS)
            atomic_fetch_add(&sh->past_count, 1);
        else
            atomic_fetch_add(&sh->taken[id], 1);
    }
    _exit(0);
}

START_TEST(test_processes_drain)
{
    size_t size = sizeof(struct shared);
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid[DRAIN_PROCS];

    ck_assert_ptr_ne(mem, MAP_FAILED);
    /* pdl_board_create maps the board shared with children forked later. */
    struct pdl_board *b = board_create(DRAIN_TASKS, DRAIN_PROCS);
    struct shared *sh = mem;
    fflush(NULL);
    for (unsigned w = 0; w < DRAIN_PROCS; w++) {
        pid[w] = fork();
        ck_assert_int_ne(pid[w], -1);
        if (pid[w] == 0)
            child_drain(b, sh, w);
    }
    for (unsigned w = 0; w < DRAIN_PROCS; w++) {
        int status;
        ck_assert_int_eq(waitpid(pid[w], &status, 0), pid[w]);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
    }
    for (size_t id = 0; id < DRAIN_TASKS; id++)
        ck_assert_msg(atomic_load(&sh->taken[id]) == 1,
                      "task %zu taken %u times", id,
                      atomic_load(&sh->taken[id]));
    ck_assert_uint_eq(atomic_load(&sh->past_count), 0);
    ck_assert_uint_ge(atomic_load(&b->next), DRAIN_TASKS);
    ck_assert_int_eq(munmap(mem, size), 0);
    pdl_board_destroy(b);
}
END_TEST

static Suite *board_suite(void)
{
    Suite *s = suite_create("board");
    TCase *tc = tcase_create("single");

    tcase_add_test(tc, test_init);
    tcase_add_test(tc, test_static_slices);
    tcase_add_test(tc, test_dynamic_chunks);
    tcase_add_test(tc, test_finish_counts);
    tcase_add_test(tc, test_take_in_order);
    tcase_add_test(tc, test_take_empty);
    tcase_add_test(tc, test_stop);
    suite_add_tcase(s, tc);

    tc = tcase_create("concurrent");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_threads_drain);
    tcase_add_test(tc, test_processes_drain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(board_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
