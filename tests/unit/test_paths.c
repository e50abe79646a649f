/* Paths that do not fit their buffers are errors, never cut silently: the
 * -x folders of a long URL, a partial body's record of a long name, a chart
 * whose name is too long. */
#include "pdl/chart.h"
#include "pdl/job.h"
#include "pdl/outdir.h"
#include "pdl/request.h"
#include "pdl/resume.h"
#include "pdl/sink.h"
#include "pdl/util.h"

#include <check.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* http://h/ then n folders of len 'a's each, then a file. */
static char *deep_url(int n, size_t len)
{
    size_t size = 16 + (size_t)n * (len + 1) + 8;
    char *url = malloc(size), *p;

    ck_assert_ptr_nonnull(url);
    p = url + snprintf(url, size, "http://h");
    for (int i = 0; i < n; i++) {
        *p++ = '/';
        memset(p, 'a' + i % 26, len);
        p += len;
    }
    snprintf(p, 8, "/f");
    return url;
}

START_TEST(test_dirs_fit_or_fail)
{
    char out[PDL_PATH_MAX];
    char *url = deep_url(25, 190); /* about 4,800 bytes of folders */

    ck_assert_int_eq(pdl_request_dirs(url, out, sizeof(out)), PDL_ERR_TOOLONG);
    ck_assert_str_eq(out, "");
    free(url);
    url = deep_url(3, 10);
    ck_assert_int_eq(pdl_request_dirs(url, out, sizeof(out)), PDL_OK);
    ck_assert_str_eq(out, "h/aaaaaaaaaa/bbbbbbbbbb/cccccccccc/");
    /* One byte short of the folders and their nul. */
    ck_assert_int_eq(pdl_request_dirs(url, out, strlen(out)), PDL_ERR_TOOLONG);
    ck_assert_str_eq(out, "");
    free(url);
}
END_TEST

static int temp_dir(char *path, size_t size)
{
    snprintf(path, size, "/tmp/pdl-unit-paths.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
    return open(path, O_RDONLY | O_DIRECTORY);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;

    ck_assert_ptr_nonnull(d);
    for (struct dirent *e = readdir(d); e; e = readdir(d))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* A task whose -x folders do not fit fails as a write does, and nothing is
 * made in the output folder (no shallower folder instead). */
START_TEST(test_task_too_deep)
{
    char dir[64], cmd[128];
    int dirfd = temp_dir(dir, sizeof(dir));
    struct pdl_options opt = {.force_dirs = true, .no_clobber = true};
    struct pdl_task t = {.url = deep_url(25, 190), .name = "f"};
    struct pdl_result r = {0};
    struct pdl_sink s = {0};
    CURL *c = curl_easy_init();
    struct pdl_request *q;

    ck_assert_ptr_nonnull(c);
    q = pdl_request_create(c, &opt);
    ck_assert_ptr_nonnull(q);
    ck_assert(!pdl_request_exists(&opt, dirfd, &t, &r));
    pdl_sink_init(&s, dirfd, t.name, false);
    pdl_request_task(q, &t, NULL, &s);
    ck_assert_int_eq(s.err, ENAMETOOLONG);
    ck_assert_int_eq(entries(dir), 0);
    pdl_sink_init(&s, -1, NULL, false);
    pdl_request_destroy(q);
    curl_easy_cleanup(c);
    free(t.url);
    close(dirfd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_partial_record_too_long)
{
    char dir[64], name[400], cmd[128];
    int dirfd = temp_dir(dir, sizeof(dir));
    struct pdl_partial_meta m = {.url = "http://h/f", .total = -1};
    struct pdl_partial_meta back;

    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    errno = 0;
    ck_assert(!pdl_partial_meta_save(dirfd, name, &m));
    ck_assert_int_eq(errno, ENAMETOOLONG);
    ck_assert_ptr_null(pdl_partial_meta_load(dirfd, name, &back));
    ck_assert_int_eq(entries(dir), 0);
    /* A short name still round-trips. */
    ck_assert(pdl_partial_meta_save(dirfd, "f", &m));
    char *text = pdl_partial_meta_load(dirfd, "f", &back);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(back.url, "http://h/f");
    free(text);
    close(dirfd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_chart_out_too_long)
{
    char out[4300], err[256];

    memset(out, 'c', sizeof(out));
    snprintf(out + sizeof(out) - 16, 16, "/x/chart.png");
    ck_assert_int_eq(pdl_chart_out_ok(out, err, sizeof(err)), PDL_ERR_TOOLONG);
    ck_assert_str_eq(err, "path too long");
}
END_TEST

/* The output folder: what pdl_outdir_create made (only that: the shallowest
 * missing folder) is what pdl_outdir_unmake removes, deepest first, and
 * only while empty; a folder that was there is never touched. */
START_TEST(test_outdir_made_and_unmade)
{
    char base[] = "/tmp/pdl-outdir-XXXXXX", path[128], err[256], *made;
    struct stat st;
    int fd;

    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(path, sizeof(path), "%s/a//b/c/", base);
    fd = pdl_outdir_create(path, &made, err, sizeof(err));
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ptr_nonnull(made);
    snprintf(path, sizeof(path), "%s/a", base);
    ck_assert_str_eq(made, path);
    snprintf(path, sizeof(path), "%s/a//b/c/", base);
    pdl_outdir_unmake(path, made);
    free(made);
    snprintf(path, sizeof(path), "%s/a", base);
    ck_assert_int_ne(stat(path, &st), 0);
    ck_assert_int_eq(stat(base, &st), 0);

    /* Existing: nothing made, nothing removed. */
    fd = pdl_outdir_create(base, &made, err, sizeof(err));
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ptr_null(made);
    pdl_outdir_unmake(base, made);
    ck_assert_int_eq(stat(base, &st), 0);

    /* A made folder with a file in it stays, and so do its parents. */
    snprintf(path, sizeof(path), "%s/d/e", base);
    fd = pdl_outdir_create(path, &made, err, sizeof(err));
    ck_assert_int_ge(fd, 0);
    close(openat(fd, "kept", O_WRONLY | O_CREAT, 0600));
    close(fd);
    pdl_outdir_unmake(path, made);
    free(made);
    snprintf(path, sizeof(path), "%s/d/e/kept", base);
    ck_assert_int_eq(stat(path, &st), 0);
    unlink(path);
    snprintf(path, sizeof(path), "%s/d/e", base);
    ck_assert_int_eq(rmdir(path), 0);
    snprintf(path, sizeof(path), "%s/d", base);
    ck_assert_int_eq(rmdir(path), 0);

    /* A folder that cannot be made under a file: an error, nothing left. */
    snprintf(path, sizeof(path), "%s/f", base);
    close(open(path, O_WRONLY | O_CREAT, 0600));
    snprintf(path, sizeof(path), "%s/f/sub", base);
    ck_assert_int_lt(pdl_outdir_create(path, &made, err, sizeof(err)), 0);
    ck_assert_ptr_null(made);
    ck_assert_str_eq(err, "cannot create: Not a directory");
    snprintf(path, sizeof(path), "%s/f", base);
    unlink(path);
    ck_assert_int_eq(rmdir(base), 0);
}
END_TEST

static Suite *paths_suite(void)
{
    Suite *s = suite_create("paths");
    TCase *tc = tcase_create("checked");

    tcase_add_test(tc, test_dirs_fit_or_fail);
    tcase_add_test(tc, test_task_too_deep);
    tcase_add_test(tc, test_partial_record_too_long);
    tcase_add_test(tc, test_chart_out_too_long);
    tcase_add_test(tc, test_outdir_made_and_unmade);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(paths_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
