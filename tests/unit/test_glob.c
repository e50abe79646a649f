/* Unit tests for URL globbing: full expansions of small patterns in curl's
 * order, single URLs of huge ranges, exact error messages, and the
 * snprintf-like output of pdl_glob_nth. */
#include "pdl/glob.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_URLS 12
#define ERRSZ 128

struct expand_case {
    const char *pattern;
    uint64_t count;
    const char *urls[MAX_URLS];
};

static const struct expand_case expand_cases[] = {
    {"[1-3]", 3, {"1", "2", "3"}},
    {"[01-10]",
     10,
     {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}},
    {"[1-10:3]", 4, {"1", "4", "7", "10"}},
    {"[0-100:10]",
     11,
     {"0", "10", "20", "30", "40", "50", "60", "70", "80", "90", "100"}},
    {"[a-c]", 3, {"a", "b", "c"}},
    {"[Z-Z]", 1, {"Z"}},
    {"[a-z:12]", 3, {"a", "m", "y"}},
    {"[X-Z]", 3, {"X", "Y", "Z"}},
    {"{a,b,c}", 3, {"a", "b", "c"}},
    {"http://h/item{,s}", 2, {"http://h/item", "http://h/items"}},
    {"{,}", 2, {"", ""}},
    {"http://h/{x,y}/[1-3].txt",
     6,
     {"http://h/x/1.txt", "http://h/x/2.txt", "http://h/x/3.txt",
      "http://h/y/1.txt", "http://h/y/2.txt", "http://h/y/3.txt"}},
    {"{a,b}[1-2]{x,y}",
     8,
     {"a1x", "a1y", "a2x", "a2y", "b1x", "b1y", "b2x", "b2y"}},
    {"http://h/\\[1-3\\]", 1, {"http://h/[1-3]"}},
    {"\\{a\\}\\\\", 1, {"{a}\\"}},
    {"a\\b\\", 1, {"a\\b\\"}},
    {"{a\\,b,c\\}}", 2, {"a,b", "c}"}},
    {"a]b}c", 1, {"a]b}c"}},
    {"http://[::1]:8080/f[1-2]",
     2,
     {"http://[::1]:8080/f1", "http://[::1]:8080/f2"}},
    {"http://u@[fe80::1]/{a,b}",
     2,
     {"http://u@[fe80::1]/a", "http://u@[fe80::1]/b"}},
    {"http://[::1]/x/[1-2]", 2, {"http://[::1]/x/1", "http://[::1]/x/2"}},
    {"http://example.com/x", 1, {"http://example.com/x"}},
    {"", 1, {""}},
};

START_TEST(test_expand_table)
{
    const struct expand_case *c = &expand_cases[_i];
    char err[ERRSZ];
    char buf[256];
    struct pdl_glob *g = pdl_glob_create(c->pattern, err, sizeof(err));

    ck_assert_msg(g != NULL, "\"%s\": %s", c->pattern, err);
    ck_assert_str_eq(err, "");
    ck_assert_uint_eq(pdl_glob_count(g), c->count);
    for (uint64_t i = 0; i < c->count; i++) {
        size_t n = pdl_glob_nth(g, i, buf, sizeof(buf));
        ck_assert_str_eq(buf, c->urls[i]);
        ck_assert_uint_eq(n, strlen(c->urls[i]));
    }
    pdl_glob_destroy(g);
}
END_TEST

struct nth_case {
    const char *pattern;
    uint64_t count;
    uint64_t index;
    const char *want;
};

static const struct nth_case nth_cases[] = {
    {"[1-1000000]", 1000000, 999999, "1000000"},
    {"[1-1000000]", 1000000, 0, "1"},
    {"[001-100]", 100, 0, "001"},
    {"[001-100]", 100, 41, "042"},
    {"[001-100]", 100, 99, "100"},
    {"[0-4294967295]", UINT64_C(1) << 32, UINT64_C(4294967295), "4294967295"},
    {"[18446744073709551614-18446744073709551615]", 2, 1,
     "18446744073709551615"},
    {"[1-1048576]/[1-1048576]", UINT64_C(1) << 40, (UINT64_C(1) << 40) - 1,
     "1048576/1048576"},
    {"[1-1048576]/[1-1048576]", UINT64_C(1) << 40, 1048576, "2/1"},
    {"x[1-3]y{a,b}z", 6, 3, "x2ybz"},
};

START_TEST(test_nth_table)
{
    const struct nth_case *c = &nth_cases[_i];
    char err[ERRSZ];
    char buf[64];
    struct pdl_glob *g = pdl_glob_create(c->pattern, err, sizeof(err));

    ck_assert_msg(g != NULL, "\"%s\": %s", c->pattern, err);
    ck_assert_uint_eq(pdl_glob_count(g), c->count);
    ck_assert_uint_eq(pdl_glob_nth(g, c->index, buf, sizeof(buf)),
                      strlen(c->want));
    ck_assert_str_eq(buf, c->want);
    pdl_glob_destroy(g);
}
END_TEST

struct error_case {
    const char *pattern;
    const char *err;
};

#define P2 "[1-2]"
#define P10 P2 P2 P2 P2 P2 P2 P2 P2 P2 P2

static const struct error_case error_cases[] = {
    {"[5-1]", "bad range [5-1] at column 1: end before start"},
    {"http://h/[1-]", "bad range [1-] at column 10: missing end"},
    {"[a-5]", "bad range [a-5] at column 1: mixed letters and digits"},
    {"[1-a]", "bad range [1-a] at column 1: mixed letters and digits"},
    {"[a-Z]", "bad range [a-Z] at column 1: mixed case"},
    {"[z-a]", "bad range [z-a] at column 1: end before start"},
    {"[1-3:0]", "bad range [1-3:0] at column 1: zero step"},
    {"[1-3:]", "bad range [1-3:] at column 1: missing step"},
    {"[1-3x]", "bad range [1-3x] at column 1: unexpected characters"},
    {"[a-bc]", "bad range [a-bc] at column 1: unexpected characters"},
    {"[1-3:1x]", "bad range [1-3:1x] at column 1: unexpected characters"},
    {"[x]", "bad range [x] at column 1: expected '-'"},
    {"[-3]", "bad range [-3] at column 1: expected a number or a letter"},
    {"[1-99999999999999999999]",
     "bad range [1-99999999999999999999] at column 1: number too large"},
    {"[000000000000000000001-2]",
     "bad range [000000000000000000001-2] at column 1: too many digits"},
    {"[1-3", "unmatched '[' at column 1"},
    {"http://[::1/x", "unmatched '[' at column 8"},
    {"http://h/{a,b", "unmatched '{' at column 10"},
    {"{a,b\\}", "unmatched '{' at column 1"},
    {"{a,{b}}", "nested '{' at column 4"},
    {"x{a,[1-2]}", "nested '[' at column 5"},
    {"[]", "empty range at column 1"},
    {"a{}", "empty set at column 2"},
    {"[0-4294967296]", "range too large at column 1: more than 2^32 values"},
    {P10 "[1-2]", "too many patterns at column 51: at most 10"},
    {P10 "{a}", "too many patterns at column 51: at most 10"},
    {"[1-1048576][1-1048577]", "too many URLs: more than 2^40"},
    {"[0-4294967295][0-4294967295][0-4294967295]",
     "too many URLs: more than 2^40"},
};

START_TEST(test_error_table)
{
    const struct error_case *c = &error_cases[_i];
    char err[ERRSZ] = "untouched";

    ck_assert_ptr_null(pdl_glob_create(c->pattern, err, sizeof(err)));
    ck_assert_str_eq(err, c->err);
}
END_TEST

/* Ten patterns are allowed; the eleventh is refused (above). */
START_TEST(test_max_patterns)
{
    struct pdl_glob *g = pdl_glob_create(P10, NULL, 0);

    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(pdl_glob_count(g), 1024);
    pdl_glob_destroy(g);
}
END_TEST

/* Builds "{0,1,...,n-1}". */
static char *make_set(int n)
{
    size_t size = 2 + (size_t)n * 5;
    char *s = malloc(size);
    size_t len = 1;

    ck_assert_ptr_nonnull(s);
    s[0] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, size - len, "%d,", i);
    s[len - 1] = '}';
    s[len] = '\0';
    return s;
}

START_TEST(test_set_limit)
{
    char *ok = make_set(PDL_GLOB_MAX_SET);
    char *big = make_set(PDL_GLOB_MAX_SET + 1);
    char err[ERRSZ];
    char buf[8];
    struct pdl_glob *g = pdl_glob_create(ok, err, sizeof(err));

    ck_assert_msg(g != NULL, "%s", err);
    ck_assert_uint_eq(pdl_glob_count(g), 1000);
    pdl_glob_nth(g, 999, buf, sizeof(buf));
    ck_assert_str_eq(buf, "999");
    pdl_glob_destroy(g);
    ck_assert_ptr_null(pdl_glob_create(big, err, sizeof(err)));
    ck_assert_str_eq(err, "set too large at column 1: more than 1000 elements");
    free(ok);
    free(big);
}
END_TEST

START_TEST(test_err_truncated)
{
    char err[8] = "xxxxxxx";

    ck_assert_ptr_null(pdl_glob_create("[5-1]", err, sizeof(err)));
    ck_assert_str_eq(err, "bad ran");
    ck_assert_ptr_null(pdl_glob_create("[5-1]", NULL, 0));
    ck_assert_ptr_null(pdl_glob_create(NULL, err, sizeof(err)));
    ck_assert_str_eq(err, "no patt");
}
END_TEST

/* "http://h/[1-3]" gives URLs of 10 bytes. */
struct small_case {
    size_t bufsz;
    const char *want;
};

static const struct small_case small_cases[] = {
    {1, ""},
    {5, "http"},
    {10, "http://h/"},
    {11, "http://h/1"},
    {64, "http://h/1"},
};

START_TEST(test_nth_small_buffer)
{
    const struct small_case *c = &small_cases[_i];
    struct pdl_glob *g = pdl_glob_create("http://h/[1-3]", NULL, 0);
    char buf[64];

    ck_assert_ptr_nonnull(g);
    memset(buf, 'X', sizeof(buf));
    ck_assert_uint_eq(pdl_glob_nth(g, 0, buf, c->bufsz), 10);
    ck_assert_str_eq(buf, c->want);
    /* Nothing written past bufsz. */
    if (c->bufsz < sizeof(buf))
        ck_assert_int_eq(buf[c->bufsz], 'X');
    pdl_glob_destroy(g);
}
END_TEST

START_TEST(test_nth_no_buffer)
{
    struct pdl_glob *g = pdl_glob_create("http://h/[1-3]", NULL, 0);
    char buf[4] = "abc";

    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(pdl_glob_nth(g, 2, NULL, 0), 10);
    ck_assert_uint_eq(pdl_glob_nth(g, 2, buf, 0), 10);
    ck_assert_str_eq(buf, "abc");
    pdl_glob_destroy(g);
}
END_TEST

START_TEST(test_nth_out_of_range)
{
    struct pdl_glob *g = pdl_glob_create("{a,b}", NULL, 0);
    char buf[8] = "abc";

    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(pdl_glob_nth(g, 2, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    pdl_glob_destroy(g);
    pdl_glob_destroy(NULL);
}
END_TEST

struct has_case {
    const char *s;
    bool want;
};

static const struct has_case has_cases[] = {
    {"http://h/[1-3]", true},
    {"http://h/{a,b}", true},
    {"http://[::1]:8080/", false},
    {"http://[::1]:8080/[1-2]", true},
    {"http://u@[::1]/", false},
    {"http://h/\\[1-3\\]", false},
    {"http://h/\\{a\\}", false},
    {"http://h/a]b}c", false},
    {"http://h/x[", true},
    {"http://[::1/", true},
    {"[::1]", true},
    {"http://h/", false},
    {"", false},
};

START_TEST(test_has_pattern_table)
{
    const struct has_case *c = &has_cases[_i];

    ck_assert_msg(pdl_glob_has_pattern(c->s) == c->want, "\"%s\": want %d",
                  c->s, c->want);
}
END_TEST

START_TEST(test_has_pattern_null)
{
    ck_assert(!pdl_glob_has_pattern(NULL));
}
END_TEST

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static Suite *glob_suite(void)
{
    Suite *s = suite_create("glob");
    TCase *tc = tcase_create("expand");

    tcase_add_loop_test(tc, test_expand_table, 0, LEN(expand_cases));
    tcase_add_loop_test(tc, test_nth_table, 0, LEN(nth_cases));
    tcase_add_loop_test(tc, test_nth_small_buffer, 0, LEN(small_cases));
    tcase_add_test(tc, test_nth_no_buffer);
    tcase_add_test(tc, test_nth_out_of_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_error_table, 0, LEN(error_cases));
    tcase_add_test(tc, test_max_patterns);
    tcase_add_test(tc, test_set_limit);
    tcase_add_test(tc, test_err_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("has_pattern");
    tcase_add_loop_test(tc, test_has_pattern_table, 0, LEN(has_cases));
    tcase_add_test(tc, test_has_pattern_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(glob_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
