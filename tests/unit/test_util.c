/* The error table (every code has its own message) and pdl_path_fmt, the
 * formatter that refuses to cut a path. */
#include "pdl/fdlimit.h"
#include "pdl/util.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

START_TEST(test_error_messages)
{
    for (int e = 0; e < PDL_ERR_COUNT; e++) {
        const char *m = pdl_strerror((enum pdl_err)e);
        ck_assert_ptr_nonnull(m);
        ck_assert_msg(m[0] != '\0', "code %d has an empty message", e);
        ck_assert_msg(strcmp(m, "unknown error") != 0,
                      "code %d has no message of its own", e);
        for (int f = 0; f < e; f++)
            ck_assert_msg(strcmp(m, pdl_strerror((enum pdl_err)f)) != 0,
                          "codes %d and %d share \"%s\"", f, e, m);
    }
}
END_TEST

START_TEST(test_error_values)
{
    /* Callers test rc != PDL_OK and print pdl_strerror(rc). */
    ck_assert_int_eq(PDL_OK, 0);
    ck_assert_str_eq(pdl_strerror(PDL_OK), "success");
    ck_assert_str_eq(pdl_strerror(PDL_ERR_IO), "input/output error");
    ck_assert_str_eq(pdl_strerror(PDL_ERR_TOOLONG), "path too long");
    ck_assert_str_eq(pdl_strerror(PDL_ERR_COUNT), "unknown error");
    ck_assert_str_eq(pdl_strerror((enum pdl_err) - 1), "unknown error");
}
END_TEST

START_TEST(test_path_fmt)
{
    char buf[8];

    ck_assert_int_eq(pdl_path_fmt(buf, sizeof(buf), "%s/%d", "abc", 123),
                     PDL_OK);
    ck_assert_str_eq(buf, "abc/123"); /* exactly full */
    ck_assert_int_eq(pdl_path_fmt(buf, sizeof(buf), "%s/%d", "abc", 1234),
                     PDL_ERR_TOOLONG);
    ck_assert_str_eq(buf, ""); /* never a cut path */
    ck_assert_int_eq(pdl_path_fmt(buf, 0, "x"), PDL_ERR_TOOLONG);
}
END_TEST

START_TEST(test_split_tabs)
{
    char line[] = "a\t\tc", more[] = "1\t2\t3";
    char *f[3];

    ck_assert_int_eq(pdl_split_tabs(line, f, 3), 3);
    ck_assert_str_eq(f[0], "a");
    ck_assert_str_eq(f[1], "");
    ck_assert_str_eq(f[2], "c");
    ck_assert_int_eq(pdl_split_tabs(more, f, 2), 3); /* more than 2 */
}
END_TEST

/* The kernel's table size for this process, from /proc/self/status. */
static long fd_table_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long n = -1;

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "FDSize: %ld", &n) == 1)
            break;
    fclose(f);
    return n;
}

START_TEST(test_fdlimit_raises_soft)
{
    struct rlimit old, rl;
    rlim_t want = 300 * PDL_FDS_HEADROOM;

    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 300)
        return; /* this machine cannot give the 300 asked for */
    rl = (struct rlimit){64, old.rlim_max};
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    pdl_fdlimit_raise(300);
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (old.rlim_max != RLIM_INFINITY && old.rlim_max < want)
        want = old.rlim_max;
    ck_assert_uint_eq(rl.rlim_cur, want);
    ck_assert_int_ge(fd_table_size(), 300);
    /* A soft limit already above what is wanted is left alone. */
    rl = (struct rlimit){old.rlim_max, old.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &rl) == 0) {
        pdl_fdlimit_raise(300);
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
        ck_assert(rl.rlim_cur == old.rlim_max);
    }
    setrlimit(RLIMIT_NOFILE, &old);
}
END_TEST

/* A hard limit is lowered for good, so in a child of this test: the soft
 * limit rises to it and no further, and it is what the process may have. */
START_TEST(test_fdlimit_hard)
{
    pid_t pid = fork();
    int status;

    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit rl = {32, 64};
        int ok = setrlimit(RLIMIT_NOFILE, &rl) == 0;
        pdl_fdlimit_raise(100);
        ok = ok && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64 &&
             pdl_fdlimit_max() == 64;
        _exit(ok ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* The running binary's own path, and no cut one when it does not fit. */
START_TEST(test_self_exe)
{
    char buf[4096], tiny[4] = "xyz";
    const char *base;

    ck_assert_int_eq(pdl_self_exe(buf, sizeof(buf)), PDL_OK);
    base = strrchr(buf, '/');
    ck_assert_ptr_nonnull(base);
    ck_assert_str_eq(base, "/unit_util");
    ck_assert_int_eq(pdl_self_exe(tiny, sizeof(tiny)), PDL_ERR_TOOLONG);
    ck_assert_str_eq(tiny, "");
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("errors");

    tcase_add_test(tc, test_error_messages);
    tcase_add_test(tc, test_error_values);
    tcase_add_test(tc, test_path_fmt);
    tcase_add_test(tc, test_split_tabs);
    tcase_add_test(tc, test_fdlimit_raises_soft);
    tcase_add_test(tc, test_fdlimit_hard);
    tcase_add_test(tc, test_self_exe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(util_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
