/* The integration suites' fixture: an in-process pdl-testd on port 0 and a
 * temporary folder, both made per test and gone after it. */
#include "harness.h"

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testd.h"

/* The fixture of the running test: check runs each test in its own forked
 * process, so one of each per process. */
static struct pdl_testd *server;
static char dir[64];

void it_setup(void)
{
    struct pdl_testd_options opt = {0};
    char err[256] = "";

    server = pdl_testd_start(&opt, err, sizeof err);
    ck_assert_msg(server != NULL, "pdl_testd_start: %s", err);
    ck_assert_uint_gt(pdl_testd_port(server), 0);
    snprintf(dir, sizeof dir, "%s", "/tmp/pdl-it.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void it_teardown(void)
{
    pdl_testd_stop(server);
    server = NULL;
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *it_dir(void)
{
    return dir;
}

void it_url(char *out, size_t outsz, const char *path)
{
    snprintf(out, outsz, "http://127.0.0.1:%u%s", pdl_testd_port(server), path);
}

void it_write_list(const char *name, const char *const *paths, size_t n,
                   char *out, size_t outsz)
{
    FILE *f;

    snprintf(out, outsz, "%s/%s", dir, name);
    f = fopen(out, "w");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++) {
        char url[512];

        it_url(url, sizeof url, paths[i]);
        fprintf(f, "%s\n", url);
    }
    ck_assert_int_eq(fclose(f), 0);
}
