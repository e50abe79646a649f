/* Request options: the value checks the CLI runs before any download, the
 * checksum parsers, a task's option lines, and the reader's header= and
 * checksum= lines under a URL. */
#include "pdl/reader.h"
#include "pdl/request.h"
#include "pdl/sha256.h"
#include "pdl/sink.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct check_case {
    const char *(*check)(const char *);
    const char *value;
    bool ok;
};

static const struct check_case cases[] = {
    {pdl_request_check_header, "X-A: 1", true},
    {pdl_request_check_header, "X-A:", true}, /* drops a header */
    {pdl_request_check_header, "Accept:text/html", true},
    {pdl_request_check_header, "xyz", false},
    {pdl_request_check_header, ": v", false},
    {pdl_request_check_header, "X A: v", false},
    {pdl_request_check_header, "X-A: 1\r\nEvil: 2", false},
    {pdl_request_check_header, "", false},
    {pdl_request_check_userpwd, "u:p", true},
    {pdl_request_check_userpwd, "u:", true},
    {pdl_request_check_userpwd, "u", false},
    {pdl_request_check_userpwd, ":p", false},
    {pdl_request_check_resolve, "example.com:443:127.0.0.1", true},
    {pdl_request_check_resolve, "h:80:127.0.0.1,::1", true},
    {pdl_request_check_resolve, "+h:80:10.0.0.1", true},
    {pdl_request_check_resolve, "-h:80", true},
    {pdl_request_check_resolve, "[::1]:80:::1", true},
    {pdl_request_check_resolve, "h:80", false},
    {pdl_request_check_resolve, "h:0:1.2.3.4", false},
    {pdl_request_check_resolve, "h:x:1.2.3.4", false},
    {pdl_request_check_resolve, ":80:1.2.3.4", false},
    {pdl_request_check_resolve, "h:80:", false},
    {pdl_request_check_connect_to, "a:80:b:8080", true},
    {pdl_request_check_connect_to, "::b:", true},
    {pdl_request_check_connect_to, "a:80:[::1]:81", true},
    {pdl_request_check_connect_to, "a:80:b", false},
    {pdl_request_check_connect_to, "a:80:b:99999", false},
    {pdl_request_check_connect_to, "a:80:b:1:2", false},
    {pdl_request_check_proxy, "http://p:3128", true},
    {pdl_request_check_proxy, "socks5h://p:1080", true},
    {pdl_request_check_proxy, "p:3128", true},
    {pdl_request_check_proxy, "ftp://p", false},
    {pdl_request_check_proxy, "http://", false},
    {pdl_request_check_proxy, "", false},
};

START_TEST(test_checks)
{
    const struct check_case *c = &cases[_i];
    const char *why = c->check(c->value);

    if (c->ok)
        ck_assert_msg(why == NULL, "%s refused: %s", c->value, why);
    else
        ck_assert_msg(why != NULL, "%s accepted", c->value);
}
END_TEST

START_TEST(test_cookie_kind)
{
    ck_assert(pdl_request_cookie_is_data("a=b"));
    ck_assert(pdl_request_cookie_is_data("a=b; c=d"));
    ck_assert(!pdl_request_cookie_is_data("cookies.txt"));
}
END_TEST

static const char abc[] =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

START_TEST(test_checksum_parse)
{
    uint8_t d[32];
    char text[80], up[80];

    snprintf(text, sizeof(text), "sha256:%s", abc);
    ck_assert_ptr_null(pdl_checksum_parse(text, d));
    ck_assert_uint_eq(d[0], 0xba);
    ck_assert_uint_eq(d[31], 0xad);
    snprintf(up, sizeof(up), "SHA256:%s", abc);
    for (char *p = up + 7; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    ck_assert_ptr_null(pdl_checksum_parse(up, d));
    ck_assert_uint_eq(d[0], 0xba);
    ck_assert_ptr_nonnull(pdl_checksum_parse("md5:abc", d));
    ck_assert_ptr_nonnull(pdl_checksum_parse("sha256:abc", d));
    text[20] = 'g';
    ck_assert_ptr_nonnull(pdl_checksum_parse(text, d));
    snprintf(text, sizeof(text), "sha256:%s0", abc);
    ck_assert_ptr_nonnull(pdl_checksum_parse(text, d));
}
END_TEST

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/pdl-unit-sums.XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(test_checksums_file)
{
    char text[512], err[128];
    char *path;
    struct pdl_checksums *c;
    const uint8_t *d;

    snprintf(text, sizeof(text),
             "# made by sha256sum\n%s  a.txt\n%s *./b.bin\r\n\n", abc, abc);
    path = write_temp(text);
    c = pdl_checksums_load(path, err, sizeof(err));
    ck_assert_ptr_nonnull(c);
    d = pdl_checksums_find(c, "a.txt");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d[0], 0xba);
    ck_assert_ptr_nonnull(pdl_checksums_find(c, "b.bin"));
    ck_assert_ptr_null(pdl_checksums_find(c, "c"));
    ck_assert_ptr_null(pdl_checksums_find(c, NULL));
    pdl_checksums_destroy(c);
    unlink(path);
    free(path);

    snprintf(text, sizeof(text), "%s  a.txt\nnot a sum\n", abc);
    path = write_temp(text);
    ck_assert_ptr_null(pdl_checksums_load(path, err, sizeof(err)));
    ck_assert_str_eq(err, "line 2: not \"HEX  NAME\" as sha256sum writes");
    unlink(path);
    free(path);
    ck_assert_ptr_null(pdl_checksums_load("/nonexistent/x", err, sizeof(err)));
    pdl_checksums_destroy(NULL);
}
END_TEST

START_TEST(test_task_opt)
{
    const char *opts = "header=A: 1\nchecksum=sha256:00\nheader=B: 2\n";
    char v[64];

    ck_assert(pdl_task_opt(opts, "header", 0, v, sizeof(v)));
    ck_assert_str_eq(v, "A: 1");
    ck_assert(pdl_task_opt(opts, "header", 1, v, sizeof(v)));
    ck_assert_str_eq(v, "B: 2");
    ck_assert(!pdl_task_opt(opts, "header", 2, v, sizeof(v)));
    ck_assert(pdl_task_opt(opts, "checksum", 0, v, sizeof(v)));
    ck_assert_str_eq(v, "sha256:00");
    ck_assert(!pdl_task_opt(NULL, "header", 0, v, sizeof(v)));
    ck_assert(!pdl_task_opt(opts, "head", 0, v, sizeof(v)));
}
END_TEST

/* The reader keeps header= and checksum= lines for their URL, and reports
 * bad ones with their place. */
START_TEST(test_reader_opts)
{
    char list[1024], diag[2048] = "";
    snprintf(list, sizeof(list),
             "http://h/a\n"
             "  header=X-A: 1\n"
             "  checksum=sha256:%s\n"
             "  header=X-B: 2\n"
             "  out=a.bin\n"
             "http://h/b\n"
             "  header=nocolon\n"
             "  checksum=md5:00\n"
             "http://h/[1-2]\n"
             "  checksum=sha256:%s\n"
             "  header=X-P: p\n",
             abc, abc);
    FILE *in = fmemopen(list, strlen(list), "r");
    FILE *err = fmemopen(diag, sizeof(diag), "w");
    struct pdl_reader *r = pdl_reader_from_stream(in, "l", true, err);
    struct pdl_task_ref t;
    char want[256];

    ck_assert_int_eq(pdl_reader_next(r, &t), 1);
    snprintf(want, sizeof(want),
             "header=X-A: 1\nchecksum=sha256:%s\nheader=X-B: 2\n", abc);
    ck_assert_str_eq(t.opts, want);
    ck_assert_str_eq(t.name, "a.bin");
    ck_assert_int_eq(pdl_reader_next(r, &t), 1);
    ck_assert_ptr_null(t.opts);
    ck_assert_int_eq(pdl_reader_next(r, &t), 1);
    ck_assert_str_eq(t.opts, "header=X-P: p\n");
    ck_assert_int_eq(pdl_reader_next(r, &t), 1);
    ck_assert_str_eq(t.opts, "header=X-P: p\n");
    ck_assert_int_eq(pdl_reader_next(r, &t), 0);
    ck_assert_uint_eq(pdl_reader_bad(r), 3);
    fclose(err);
    ck_assert_ptr_nonnull(strstr(diag, "pdl: l:7: header= must be"));
    ck_assert_ptr_nonnull(strstr(diag, "\"header=nocolon\""));
    ck_assert_ptr_nonnull(strstr(diag, "pdl: l:8: checksum= must be sha256:"));
    ck_assert_ptr_nonnull(strstr(
        diag, "pdl: l:10: checksum= cannot check the URLs of a pattern"));
    pdl_reader_destroy(r);
    fclose(in);
}
END_TEST

static const struct {
    const char *value, *name;
} dispositions[] = {
    {" attachment; filename=\"report.pdf\"", "report.pdf"},
    {" attachment; filename=plain.txt; size=3", "plain.txt"},
    {" attachment; filename=\"../../etc/passwd\"", "passwd"},
    {" attachment; filename=\"C:\\\\dir\\\\x.exe\"", "x.exe"},
    {" attachment; filename=\"..%2F..%2Fevil.txt\"", "_._.._evil.txt"},
    {" attachment; filename=\".hidden\"", "_hidden"},
    {" attachment; filename=\"..\"", "_."},
    {" attachment; filename=\"a\\\"b;c.txt\"", "a_b_c.txt"},
    {" attachment; filename=\"x.txt\"; filename*=UTF-8''%E2%82%AC.txt",
     "___.txt"},
    {" attachment; filename*=UTF-8'en'star.bin", "star.bin"},
    {" inline", ""},
    {" attachment; filename=\"\"", ""},
};

START_TEST(test_disposition)
{
    char out[PDL_NAME_MAX + 1];

    pdl_request_disposition_name(dispositions[_i].value, out, sizeof(out));
    ck_assert_str_eq(out, dispositions[_i].name);
}
END_TEST

static const struct {
    const char *url, *dirs;
} dirs[] = {
    {"http://Example.COM/a/b/c.txt", "example.com/a/b/"},
    {"http://u:p@h:8080/x/f", "h_8080/x/"},
    {"http://h/", "h/"},
    {"http://h", "h/"},
    {"http://h?q=/x/y", "h/"},
    {"http://h/a/b?q=/x/y", "h/a/"},
    {"http://h/a//b/f", "h/a/b/"},
    {"http://h/../%2e%2e/.git/f", "h/_./_./_git/"},
    {"http://h/a%2Fb/f", "h/a_b/"},
    {"http://[::1]:81/d/f", "___1__81/d/"},
};

START_TEST(test_dirs)
{
    char out[4096];

    pdl_request_dirs(dirs[_i].url, out, sizeof(out));
    ck_assert_str_eq(out, dirs[_i].dirs);
}
END_TEST

/* The sink: a body whose digest differs is refused and leaves nothing; with
 * no_replace a file that appeared meanwhile is kept; -x folders are made
 * and a symbolic link in the way is refused. */
static int temp_dir(char *path, size_t size)
{
    snprintf(path, size, "/tmp/pdl-unit-sink.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
    return open(path, O_RDONLY | O_DIRECTORY);
}

static void read_file(int dirfd, const char *name, char *out, size_t size)
{
    int fd = openat(dirfd, name, O_RDONLY);
    ssize_t n;

    ck_assert_int_ge(fd, 0);
    n = read(fd, out, size - 1);
    ck_assert_int_ge(n, 0);
    out[n] = '\0';
    close(fd);
}

START_TEST(test_sink_checks)
{
    char dir[64], cmd[128], text[32];
    uint8_t want[32];
    struct pdl_sink s = {0};
    struct pdl_sha256 h;
    int dirfd = temp_dir(dir, sizeof(dir));

    pdl_sha256_init(&h);
    pdl_sha256_update(&h, "abc", 3);
    pdl_sha256_final(&h, want);
    /* The right digest, in two writes. */
    pdl_sink_init(&s, dirfd, "good", false);
    pdl_sink_expect(&s, want);
    ck_assert_int_eq(pdl_sink_write(&s, "a", 1, false), 0);
    ck_assert_int_eq(pdl_sink_write(&s, "bc", 2, false), 0);
    ck_assert_int_eq(pdl_sink_commit(&s), 0);
    read_file(dirfd, "good", text, sizeof(text));
    ck_assert_str_eq(text, "abc");
    /* A wrong one: refused, nothing left. */
    pdl_sink_init(&s, dirfd, "bad", false);
    pdl_sink_expect(&s, want);
    ck_assert_int_eq(pdl_sink_write(&s, "abd", 3, false), 0);
    ck_assert_int_ne(pdl_sink_commit(&s), 0);
    ck_assert(s.mismatch);
    ck_assert_ptr_nonnull(strstr(s.why, "checksum mismatch: got sha256:"));
    ck_assert_int_ne(faccessat(dirfd, "bad", F_OK, 0), 0);
    ck_assert_int_ne(faccessat(dirfd, s.tmp, F_OK, 0), 0);
    /* no_replace: a file that appeared during the download stays. */
    pdl_sink_init(&s, dirfd, "good", false);
    s.no_replace = true;
    ck_assert_int_eq(pdl_sink_write(&s, "new", 3, false), 0);
    ck_assert_int_ne(pdl_sink_commit(&s), 0);
    read_file(dirfd, "good", text, sizeof(text));
    ck_assert_str_eq(text, "abc");
    ck_assert_int_ne(faccessat(dirfd, s.tmp, F_OK, 0), 0);
    /* Folders, and a symbolic link in the way. */
    pdl_sink_init(&s, dirfd, "f", false);
    pdl_sink_subdir(&s, "h/a/b/");
    ck_assert_int_eq(pdl_sink_write(&s, "x", 1, false), 0);
    ck_assert_int_eq(pdl_sink_commit(&s), 0);
    ck_assert_int_eq(faccessat(dirfd, "h/a/b/f", F_OK, 0), 0);
    ck_assert_int_eq(symlinkat("/tmp", dirfd, "link"), 0);
    pdl_sink_init(&s, dirfd, "f", false);
    pdl_sink_subdir(&s, "link/x/");
    ck_assert_int_ne(s.err, 0);
    ck_assert_int_ne(pdl_sink_write(&s, "x", 1, false), 0);
    ck_assert_int_ne(pdl_sink_commit(&s), 0);
    pdl_sink_init(&s, -1, NULL, false); /* closes the folder of the last */
    close(dirfd);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *request_suite(void)
{
    Suite *s = suite_create("request");
    TCase *tc = tcase_create("values");

    tcase_add_loop_test(tc, test_checks, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, test_cookie_kind);
    tcase_add_test(tc, test_checksum_parse);
    tcase_add_test(tc, test_checksums_file);
    tcase_add_test(tc, test_task_opt);
    tcase_add_test(tc, test_reader_opts);
    tcase_add_loop_test(tc, test_disposition, 0,
                        sizeof(dispositions) / sizeof(dispositions[0]));
    tcase_add_loop_test(tc, test_dirs, 0, sizeof(dirs) / sizeof(dirs[0]));
    tcase_add_test(tc, test_sink_checks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(request_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
