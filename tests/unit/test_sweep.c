/* Unit tests for sweeping: which names are pdl's temporary files, and, in
 * a temporary folder, that only those of processes that are gone are
 * removed. */
#include "pdl/sweep.h"

#include <check.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct name_case {
    const char *name;
    pid_t want;
};

static const struct name_case name_cases[] = {
    {".a.part-123", 123},
    {".index.html.part-1", 1},
    {".data_page=2.json.part-2147483647", 2147483647},
    {".a.part.meta-77", 77},
    {".a.part-12.part-34", 34},
    {".a.part", 0},
    {".a.part.meta", 0},
    {"a.part-123", 0}, /* not hidden: a name a URL may give */
    {".a.part-0", 0},
    {".a.part-0123", 0}, /* pdl writes no leading zero */
    {".a.part-", 0},
    {".a.part-12x", 0},
    {".a.part--12", 0},
    {".a.part-2147483648", 0}, /* past INT_MAX */
    {".a.part-99999999999", 0},
    {".part-123", 0},         /* no NAME */
    {"..a.part-123", 0},      /* pdl's names never start with a dot */
    {".my file.part-123", 0}, /* a space is never in pdl's names */
    {".a.partx-123", 0},
    {".a.part.metax-123", 0},
    {".a.meta-123", 0},
    {"", 0},
    {".", 0},
    {"..", 0},
};

START_TEST(debris_names)
{
    const struct name_case *c = &name_cases[_i];

    ck_assert_msg(pdl_sweep_debris_pid(c->name) == c->want, "\"%s\"", c->name);
}
END_TEST

START_TEST(outfile_names)
{
    ck_assert_int_eq(pdl_sweep_outfile_pid("run.tsv.part-42", "run.tsv"), 42);
    ck_assert_int_eq(pdl_sweep_outfile_pid("run.tsv.part-042", "run.tsv"), 0);
    ck_assert_int_eq(pdl_sweep_outfile_pid("run.tsv.part", "run.tsv"), 0);
    ck_assert_int_eq(pdl_sweep_outfile_pid("xrun.tsv.part-42", "run.tsv"), 0);
    ck_assert_int_eq(pdl_sweep_outfile_pid("run.tsv.part-42", ""), 0);
}
END_TEST

/* A PID that no process has: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
    return pid;
}

enum kind { FILE_, DIR_, LINK_ };

/* One entry of the test folder: its name (fmt with a PID), what it is,
 * and whether it must survive pdl_sweep (and pdl_sweep_outfile). */
struct entry {
    const char *fmt;
    char pid; /* 'd'ead, 's'elf, 'p'arent, '1' (init), '-' none */
    enum kind kind;
    bool kept;
};

static const struct entry entries[] = {
    {".a.part-%ld", 'd', FILE_, false},
    {".a.part.meta-%ld", 'd', FILE_, false},
    {"run.tsv.part-%ld", 'd', FILE_, false}, /* by pdl_sweep_outfile */
    {".b.part-%ld", 's', FILE_, true},
    {".c.part-%ld", 'p', FILE_, true},
    {".d.part-%ld", '1', FILE_, true},
    {"a.part-%ld", 'd', FILE_, true},
    {".a.part", '-', FILE_, true},
    {".a.part.meta", '-', FILE_, true},
    {".my file.part-%ld", 'd', FILE_, true},
    {"run.tsv.part-%ld", 's', FILE_, true},
    {"other.tsv.part-%ld", 'd', FILE_, true},
    {".e.part-%ld", 'd', DIR_, true},
    {".f.part-%ld", 'd', LINK_, true},
};

#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

static void entry_name(const struct entry *e, long dead, char *out, size_t size)
{
    long pid = e->pid == 'd'   ? dead
               : e->pid == 's' ? (long)getpid()
               : e->pid == 'p' ? (long)getppid()
                               : 1;

    snprintf(out, size, e->fmt, pid);
}

static void make_entry(int dirfd, const struct entry *e, const char *name)
{
    int fd;

    if (e->kind == DIR_) {
        ck_assert_int_eq(mkdirat(dirfd, name, 0755), 0);
    } else if (e->kind == LINK_) {
        ck_assert_int_eq(symlinkat(".a.part", dirfd, name), 0);
    } else {
        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
        ck_assert_msg(fd >= 0, "%s", name);
        ck_assert_int_eq(write(fd, "x", 1), 1);
        close(fd);
    }
}

static void remove_entry(int dirfd, const struct entry *e, const char *name)
{
    if (e->kept)
        ck_assert_int_eq(
            unlinkat(dirfd, name, e->kind == DIR_ ? AT_REMOVEDIR : 0), 0);
}

START_TEST(sweep_folder)
{
    char dir[] = "/tmp/pdl-sweep-XXXXXX";
    char name[256], path[300];
    long dead = dead_pid();
    struct stat st;
    int dirfd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dirfd, 0);
    for (size_t i = 0; i < NENTRIES; i++) {
        entry_name(&entries[i], dead, name, sizeof(name));
        make_entry(dirfd, &entries[i], name);
    }
    ck_assert_int_eq(pdl_sweep(dirfd), 2);
    ck_assert_int_eq(pdl_sweep(dirfd), 0);
    snprintf(path, sizeof(path), "%s/run.tsv", dir);
    ck_assert_int_eq(pdl_sweep_outfile(path), 1);
    for (size_t i = 0; i < NENTRIES; i++) {
        entry_name(&entries[i], dead, name, sizeof(name));
        ck_assert_msg((fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) ==
                          entries[i].kept,
                      "%s", name);
        remove_entry(dirfd, &entries[i], name);
    }
    ck_assert_int_eq(pdl_sweep(-1), -1);
    close(dirfd);
    ck_assert_int_eq(rmdir(dir), 0); /* nothing else was there */
}
END_TEST

static Suite *sweep_suite(void)
{
    Suite *s = suite_create("sweep");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, debris_names, 0,
                        sizeof(name_cases) / sizeof(name_cases[0]));
    tcase_add_test(tc, outfile_names);
    tcase_add_test(tc, sweep_folder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sweep_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
