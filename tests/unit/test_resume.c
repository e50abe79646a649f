/* Unit tests for resuming: the Content-Range parser, the verdict on a reply
 * to a range request, and the sidecar record of a partial body (its text,
 * and its file through a folder descriptor). */
#include "pdl/resume.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct range_case {
    const char *value;
    bool ok;
    int64_t first, last, total;
};

static const struct range_case range_cases[] = {
    {"bytes 1000-4999/5000", true, 1000, 4999, 5000},
    {"bytes 0-0/1", true, 0, 0, 1},
    {"BYTES 1-2/3", true, 1, 2, 3},
    {"  bytes  7-8/*  ", true, 7, 8, -1},
    {"bytes\t7-8/9", true, 7, 8, 9},
    {"bytes */5000", true, -1, -1, 5000},
    {"bytes */0", true, -1, -1, 0},
    {"bytes 0-999999999999999998/999999999999999999", true, 0,
     999999999999999998, 999999999999999999},
    {"bytes 0-1/9999999999999999999", false, -1, -1, -1}, /* overflow */
    {"bytes */*", false, -1, -1, -1},
    {"bytes 5-4/10", false, -1, -1, -1},  /* last before first */
    {"bytes 5-10/10", false, -1, -1, -1}, /* last past the end */
    {"bytes 1000-/5000", false, -1, -1, -1},
    {"bytes -1/5000", false, -1, -1, -1},
    {"bytes 1-2", false, -1, -1, -1},
    {"bytes 1-2/3x", false, -1, -1, -1},
    {"bytes 1-2/3 4", false, -1, -1, -1},
    {"bytes=1-2/3", false, -1, -1, -1},
    {"bytes1-2/3", false, -1, -1, -1},
    {"items 1-2/3", false, -1, -1, -1},
    {"1000-4999/5000", false, -1, -1, -1},
    {"bytes +1-2/3", false, -1, -1, -1},
    {"", false, -1, -1, -1},
};

START_TEST(content_range_table)
{
    const struct range_case *c = &range_cases[_i];
    int64_t first = 7, last = 7, total = 7;

    ck_assert_msg(pdl_content_range_parse(c->value, &first, &last, &total) ==
                      c->ok,
                  "\"%s\"", c->value);
    ck_assert_int_eq(first, c->first);
    ck_assert_int_eq(last, c->last);
    ck_assert_int_eq(total, c->total);
}
END_TEST

struct judge_case {
    const char *what;
    int64_t have;
    int64_t known_total;
    const char *known_etag;
    long http;
    const char *range;
    const char *etag;
    enum pdl_resume_verdict want;
};

static const struct judge_case judge_cases[] = {
    {"nothing kept", 0, -1, "", 200, NULL, NULL, PDL_RESUME_FRESH},
    {"nothing kept, error", 0, -1, "", 404, NULL, NULL, PDL_RESUME_FRESH},
    {"exact rest", 1000, 5000, "", 206, "bytes 1000-4999/5000", NULL,
     PDL_RESUME_APPEND},
    {"exact rest, length unknown before", 1000, -1, "", 206,
     "bytes 1000-4999/5000", NULL, PDL_RESUME_APPEND},
    {"no first byte", 1000, 5000, "", 206, "bytes */5000", NULL,
     PDL_RESUME_RESTART},
    {"from zero", 1000, 5000, "", 206, "bytes 0-4999/5000", NULL,
     PDL_RESUME_RESTART},
    {"from zero, as long as kept", 1000, 5000, "", 206, "bytes 0-999/5000",
     NULL, PDL_RESUME_RESTART},
    {"later start", 1000, 5000, "", 206, "bytes 2000-4999/5000", NULL,
     PDL_RESUME_RESTART},
    {"other length", 1000, 5000, "", 206, "bytes 1000-5999/6000", NULL,
     PDL_RESUME_RESTART},
    {"stops short", 1000, 5000, "", 206, "bytes 1000-2999/5000", NULL,
     PDL_RESUME_RESTART},
    {"unknown length", 1000, -1, "", 206, "bytes 1000-4999/*", NULL,
     PDL_RESUME_RESTART},
    {"no Content-Range", 1000, 5000, "", 206, NULL, NULL, PDL_RESUME_RESTART},
    {"garbage", 1000, 5000, "", 206, "bytes 1000-", NULL, PDL_RESUME_RESTART},
    {"other ETag", 1000, 5000, "\"a\"", 206, "bytes 1000-4999/5000", "\"b\"",
     PDL_RESUME_RESTART},
    {"same ETag", 1000, 5000, "\"a\"", 206, "bytes 1000-4999/5000", "\"a\"",
     PDL_RESUME_APPEND},
    {"complete", 5000, 5000, "", 416, "bytes */5000", NULL,
     PDL_RESUME_COMPLETE},
    {"complete, length unknown before", 5000, -1, "", 416, "bytes */5000", NULL,
     PDL_RESUME_COMPLETE},
    {"416 by the record", 5000, 5000, "", 416, NULL, NULL, PDL_RESUME_COMPLETE},
    {"416 without anything", 5000, -1, "", 416, NULL, NULL, PDL_RESUME_RESTART},
    {"416, partial longer", 6000, -1, "", 416, "bytes */5000", NULL,
     PDL_RESUME_RESTART},
    {"416, record disagrees", 5000, 6000, "", 416, "bytes */5000", NULL,
     PDL_RESUME_RESTART},
    {"416 with a satisfied range", 5000, -1, "", 416, "bytes 0-4999/5000", NULL,
     PDL_RESUME_RESTART},
    {"416, other ETag", 5000, 5000, "\"a\"", 416, "bytes */5000", "\"b\"",
     PDL_RESUME_RESTART},
    {"200 starts over", 1000, 5000, "", 200, NULL, NULL, PDL_RESUME_FRESH},
    {"server error keeps", 1000, 5000, "", 503, NULL, NULL, PDL_RESUME_KEEP},
    {"no reply keeps", 1000, 5000, "", 0, NULL, NULL, PDL_RESUME_KEEP},
};

START_TEST(judge_table)
{
    const struct judge_case *c = &judge_cases[_i];
    struct pdl_partial_meta known = {.url = "http://h/x",
                                     .total = c->known_total};
    struct pdl_reply reply = {
        .http = c->http, .content_range = c->range, .etag = c->etag};

    snprintf(known.etag, sizeof(known.etag), "%s", c->known_etag);
    ck_assert_msg(pdl_resume_judge(&known, c->have, &reply) == c->want, "%s",
                  c->what);
}
END_TEST

START_TEST(judge_without_record)
{
    struct pdl_reply reply = {.http = 206, .content_range = "bytes 10-19/20"};

    ck_assert_int_eq(pdl_resume_judge(NULL, 10, &reply), PDL_RESUME_APPEND);
    reply.http = 416;
    reply.content_range = NULL;
    ck_assert_int_eq(pdl_resume_judge(NULL, 10, &reply), PDL_RESUME_RESTART);
}
END_TEST

START_TEST(meta_round_trip)
{
    struct pdl_partial_meta m = {.url = "http://h/v1/pkg.tar?a=b c",
                                 .etag = "\"abc\"",
                                 .modified = "Sat, 01 Jan 2000 00:00:00 GMT",
                                 .total = 5000};
    struct pdl_partial_meta back;
    char buf[512];
    long len = pdl_partial_meta_format(&m, buf, sizeof(buf));

    ck_assert_int_gt(len, 0);
    ck_assert_str_eq(buf, "pdl-partial 1\nurl http://h/v1/pkg.tar?a=b c\n"
                          "etag \"abc\"\nmodified Sat, 01 Jan 2000 00:00:00 "
                          "GMT\ntotal 5000\n");
    ck_assert(pdl_partial_meta_parse(buf, (size_t)len, &back));
    ck_assert_str_eq(back.url, m.url);
    ck_assert_str_eq(back.etag, m.etag);
    ck_assert_str_eq(back.modified, m.modified);
    ck_assert_int_eq(back.total, 5000);
}
END_TEST

START_TEST(meta_minimal_and_refused)
{
    struct pdl_partial_meta m = {.url = "http://h/x", .total = -1};
    struct pdl_partial_meta back;
    char buf[64];

    ck_assert_int_eq(pdl_partial_meta_format(&m, buf, sizeof(buf)), 29);
    ck_assert(pdl_partial_meta_parse(buf, 29, &back));
    ck_assert_str_eq(back.etag, "");
    ck_assert_int_eq(back.total, -1);
    ck_assert_int_eq(pdl_partial_meta_format(&m, buf, 20), -1);
    m.url = "http://h/x\nurl http://h/y";
    ck_assert_int_eq(pdl_partial_meta_format(&m, buf, sizeof(buf)), -1);
    m.url = "";
    ck_assert_int_eq(pdl_partial_meta_format(&m, buf, sizeof(buf)), -1);
}
END_TEST

static const char *const bad_records[] = {
    "",
    "pdl-partial 1\n",                 /* no url */
    "pdl-partial 2\nurl http://h/x\n", /* other version */
    "pdl-partial 1\nurl http://h/x",   /* cut short */
    "pdl-partial 1\nurl http://h/x\nurl http://h/y\n",
    "pdl-partial 1\nurl \n",
    "pdl-partial 1\nurl http://h/x\ntotal -1\n",
    "pdl-partial 1\nurl http://h/x\ntotal 12x\n",
    "pdl-partial 1\nurl http://h/x\ntotal 9999999999999999999\n",
    "pdl-partial 1\nurl http://h/x\netag a\netag b\n",
    "pdl-partial 1\nurl http://h/x\nnovalue\n",
    "url http://h/x\n",
    "pdl-partial 1\r\nurl http://h/x\r\n",
    "pdl-partial 1\nurl http://h/x\netag a\rb\n",
};

START_TEST(meta_bad_records)
{
    char buf[128];
    struct pdl_partial_meta m;
    size_t len = strlen(bad_records[_i]);

    memcpy(buf, bad_records[_i], len + 1);
    ck_assert_msg(!pdl_partial_meta_parse(buf, len, &m), "%s", bad_records[_i]);
    ck_assert_ptr_null(m.url);
}
END_TEST

START_TEST(meta_unknown_key_and_nul)
{
    char ok[] = "pdl-partial 1\nurl http://h/x\nlater thing\n";
    char nul[] = "pdl-partial 1\nurl http://h/x\0y\n";
    struct pdl_partial_meta m;

    ck_assert(pdl_partial_meta_parse(ok, sizeof(ok) - 1, &m));
    ck_assert(!pdl_partial_meta_parse(nul, sizeof(nul) - 1, &m));
}
END_TEST

START_TEST(meta_files)
{
    char dir[] = "/tmp/pdl-resume-XXXXXX";
    struct pdl_partial_meta m = {
        .url = "http://h/a", .etag = "\"e\"", .total = 3};
    struct pdl_partial_meta back;
    char *text;
    int dirfd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    ck_assert_int_ge(dirfd, 0);
    ck_assert_ptr_null(pdl_partial_meta_load(dirfd, "a", &back));
    ck_assert(pdl_partial_meta_save(dirfd, "a", &m));
    ck_assert_int_eq(faccessat(dirfd, ".a.part.meta", F_OK, 0), 0);
    text = pdl_partial_meta_load(dirfd, "a", &back);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(back.url, "http://h/a");
    ck_assert_str_eq(back.etag, "\"e\"");
    ck_assert_int_eq(back.total, 3);
    free(text);
    pdl_partial_meta_remove(dirfd, "a");
    ck_assert_int_ne(faccessat(dirfd, ".a.part.meta", F_OK, 0), 0);

    /* A symbolic link under the name is neither followed nor read. */
    ck_assert_int_eq(symlinkat("/etc/passwd", dirfd, ".b.part.meta"), 0);
    ck_assert_ptr_null(pdl_partial_meta_load(dirfd, "b", &back));
    ck_assert(!pdl_partial_meta_save(dirfd, "b",
                                     &(struct pdl_partial_meta){.url = NULL}));
    ck_assert(pdl_partial_meta_save(dirfd, "b", &m)); /* replaces the link */
    pdl_partial_meta_remove(dirfd, "b");
    ck_assert_int_eq(mkfifoat(dirfd, ".c.part.meta", 0600), 0);
    ck_assert_ptr_null(pdl_partial_meta_load(dirfd, "c", &back));
    pdl_partial_meta_remove(dirfd, "c");

    close(dirfd);
    ck_assert_int_eq(rmdir(dir), 0); /* nothing else was left */
}
END_TEST

static Suite *resume_suite(void)
{
    Suite *s = suite_create("resume");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, content_range_table, 0,
                        sizeof(range_cases) / sizeof(range_cases[0]));
    tcase_add_loop_test(tc, judge_table, 0,
                        sizeof(judge_cases) / sizeof(judge_cases[0]));
    tcase_add_test(tc, judge_without_record);
    tcase_add_test(tc, meta_round_trip);
    tcase_add_test(tc, meta_minimal_and_refused);
    tcase_add_loop_test(tc, meta_bad_records, 0,
                        sizeof(bad_records) / sizeof(bad_records[0]));
    tcase_add_test(tc, meta_unknown_key_and_nul);
    tcase_add_test(tc, meta_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(resume_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
