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
    struct pdl_board *b = malloc(pdl_board_size(workers));

    ck_assert_ptr_nonnull(b);
    pdl_board_init(b, count, workers);
    return b;
}

START_TEST(test_size)
{
    ck_assert_uint_eq(pdl_board_size(0), sizeof(struct pdl_board));
    ck_assert_uint_eq(pdl_board_size(3),
                      sizeof(struct pdl_board) + 3 * sizeof(atomic_llong));
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
        ck_assert_int_eq(atomic_load(&b->held[w]), -1);
    free(b);
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
        ck_assert_int_eq(atomic_load(&b->held[w]), (long long)i);
    }
    ck_assert_int_eq(atomic_load(&b->held[0]), 4);
    ck_assert_int_eq(atomic_load(&b->held[1]), 3);
    task = 999;
    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert(!pdl_board_take(b, 1, &task));
    ck_assert_uint_eq(task, 999);
    /* A failed take leaves held as it was. */
    ck_assert_int_eq(atomic_load(&b->held[0]), 4);
    ck_assert_int_eq(atomic_load(&b->held[1]), 3);
    free(b);
}
END_TEST

START_TEST(test_take_empty)
{
    struct pdl_board *b = board_create(0, 1);
    size_t task = 999;

    ck_assert(!pdl_board_take(b, 0, &task));
    ck_assert_uint_eq(task, 999);
    ck_assert_int_eq(atomic_load(&b->held[0]), -1);
    free(b);
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
    ck_assert_int_eq(atomic_load(&b->held[0]), 0);
    /* A stopped board hands out nothing, so next did not move. */
    ck_assert_uint_eq(atomic_load(&b->next), 1);
    free(b);
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
        d[w] = (struct drainer){.board = b, .worker = w,
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
            ck_assert_int_eq(atomic_load(&b->held[w]),
                             (long long)d[w].ids[d[w].n - 1]);
        total += d[w].n;
        free(d[w].ids);
    }
    ck_assert_uint_eq(total, DRAIN_TASKS);
    ck_assert_uint_ge(atomic_load(&b->next), DRAIN_TASKS);
    free(seen);
    free(b);
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
    size_t bsize = pdl_board_size(DRAIN_PROCS);
    size_t size = bsize + sizeof(struct shared);
    void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid[DRAIN_PROCS];

    ck_assert_ptr_ne(mem, MAP_FAILED);
    struct pdl_board *b = mem;
    /* bsize is a multiple of 8, so the counters are aligned. */
    struct shared *sh = (struct shared *)((char *)mem + bsize);
    pdl_board_init(b, DRAIN_TASKS, DRAIN_PROCS);
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
}
END_TEST

static Suite *board_suite(void)
{
    Suite *s = suite_create("board");
    TCase *tc = tcase_create("single");

    tcase_add_test(tc, test_size);
    tcase_add_test(tc, test_init);
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
