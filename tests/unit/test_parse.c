/* Unit tests for the command-line value parsers: whole decimal numbers in a
 * range, and durations with an optional unit. */
#include "pdl/parse.h"

#include <check.h>
#include <limits.h>
#include <stdlib.h>

#define UNTOUCHED -12345L

struct long_case {
    const char *s;
    long lo, hi;
    bool ok;
    long want;
};

static const struct long_case long_cases[] = {
    {"1", 1, 1024, true, 1},
    {"1024", 1, 1024, true, 1024},
    {"1025", 1, 1024, false, 0},
    {"0", 1, 1024, false, 0},
    {"0", 0, 10, true, 0},
    {"1", 2, 10, false, 0},
    {"-1", 0, 10, false, 0},
    {"-1", -5, 5, true, -1},
    {"-5", -5, 5, true, -5},
    {"-6", -5, 5, false, 0},
    {"007", 0, 10, true, 7},
    {"abc", 0, 10, false, 0},
    {"1x", 0, 10, false, 0},
    {"5 ", 0, 10, false, 0},
    {"1.5", 0, 10, false, 0},
    {"", 0, 10, false, 0},
    {"-", -10, 10, false, 0},
    {"99999999999999999999", LONG_MIN, LONG_MAX, false, 0},
    {"-99999999999999999999", LONG_MIN, LONG_MAX, false, 0},
    {"9223372036854775807", LONG_MIN, LONG_MAX, true, LONG_MAX},
};

START_TEST(test_long_table)
{
    const struct long_case *c = &long_cases[_i];
    long out = UNTOUCHED;

    bool ok = pdl_parse_long(c->s, c->lo, c->hi, &out);
    ck_assert_msg(ok == c->ok, "\"%s\" in [%ld, %ld]: got %d, want %d", c->s,
                  c->lo, c->hi, ok, c->ok);
    ck_assert_int_eq(out, c->ok ? c->want : UNTOUCHED);
}
END_TEST

START_TEST(test_long_null)
{
    long out = UNTOUCHED;

    ck_assert(!pdl_parse_long(NULL, 0, 10, &out));
    ck_assert_int_eq(out, UNTOUCHED);
}
END_TEST

/* strtol skips leading white space; pdl_parse_long must not. */
START_TEST(test_long_leading_space)
{
    static const char *const inputs[] = {" 5", "\t5", "\n5"};

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        long out = UNTOUCHED;
        ck_assert_msg(!pdl_parse_long(inputs[i], 0, 10, &out),
                      "input %zu accepted as %ld", i, out);
        ck_assert_int_eq(out, UNTOUCHED);
    }
}
END_TEST

struct dur_case {
    const char *s;
    bool ok;
    long want;
};

static const struct dur_case dur_cases[] = {
    {"30", true, 30000},      {"2.5s", true, 2500},
    {"500ms", true, 500},     {"1m", true, 60000},
    {"1.5m", true, 90000},    {"1h", true, 3600000},
    {"1.5", true, 1500},      {"0", true, 0},
    {"0ms", true, 0},         {"2s", true, 2000},
    {"250ms", true, 250},     {"86400", true, 86400000},
    {"24h", true, 86400000},  {"1440m", true, 86400000},
    {"86401", false, 0},      {"25h", false, 0},
    {"86400001ms", false, 0}, {"-1", false, 0},
    {"+1", false, 0},         {"1d", false, 0},
    {"1S", false, 0},         {"1 ms", false, 0},
    {"2 s", false, 0},        {"1s ", false, 0},
    {" 1", false, 0},         {"\t1", false, 0},
    {"s", false, 0},          {"ms", false, 0},
    {"", false, 0},           {"nan", false, 0},
    {"inf", false, 0},        {"infinity", false, 0},
    {"1e400", false, 0},      {"abc", false, 0},
};

START_TEST(test_duration_table)
{
    const struct dur_case *c = &dur_cases[_i];
    long out = UNTOUCHED;

    bool ok = pdl_parse_duration_ms(c->s, &out);
    ck_assert_msg(ok == c->ok, "\"%s\": got %d, want %d", c->s, ok, c->ok);
    ck_assert_int_eq(out, c->ok ? c->want : UNTOUCHED);
}
END_TEST

START_TEST(test_duration_null)
{
    long out = UNTOUCHED;

    ck_assert(!pdl_parse_duration_ms(NULL, &out));
    ck_assert_int_eq(out, UNTOUCHED);
}
END_TEST

static Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("long");

    tcase_add_loop_test(tc, test_long_table, 0,
                        sizeof(long_cases) / sizeof(long_cases[0]));
    tcase_add_test(tc, test_long_null);
    tcase_add_test(tc, test_long_leading_space);
    suite_add_tcase(s, tc);

    tc = tcase_create("duration");
    tcase_add_loop_test(tc, test_duration_table, 0,
                        sizeof(dur_cases) / sizeof(dur_cases[0]));
    tcase_add_test(tc, test_duration_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(parse_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
