/* Unit tests for the option tables of src/cli.c: getopt_long's view of
 * merged tables (the first table wins a name or a letter), the --help
 * layout, the run's table that compare forwards from, and the list
 * helpers. */
#include "../../src/cli.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

enum { T_ALPHA = 0x2000, T_LONGNAME, T_BETA };

static const struct pdl_opt first[] = {
    {"alpha", required_argument, T_ALPHA, "N", "first line\nsecond line", NULL},
    {"workers", required_argument, 'w', "LIST", "the first table's", NULL},
    PDL_OPT_TEXT("\nSection:\n"),
    {"a-very-long-option-name", no_argument, T_LONGNAME, NULL, "x", NULL},
    {"hidden", no_argument, 'z', NULL, NULL, NULL},
    PDL_OPT_END,
};

static const struct pdl_opt second[] = {
    {"workers", required_argument, 'w', "N", "the second table's", NULL},
    {"beta", no_argument, T_BETA, NULL, "b", "why not"},
    PDL_OPT_END,
};

/* What the callback saw, in order: "c=arg" per option. */
struct seen {
    char log[256];
};

static int record(void *ctx, int c, const char *arg)
{
    struct seen *s = ctx;
    char one[64];

    snprintf(one, sizeof(one), "%s%d=%s", s->log[0] ? " " : "", c,
             arg ? arg : "-");
    strncat(s->log, one, sizeof(s->log) - strlen(s->log) - 1);
    return c == '?' || c == ':' ? 2 : -1;
}

static int parse(struct seen *s, int argc, char **argv)
{
    const struct pdl_opt *tables[] = {first, second};

    memset(s, 0, sizeof(*s));
    return pdl_cli_options(argc, argv, tables, 2, true, record, s);
}

START_TEST(test_merge_first_wins)
{
    char *argv[] = {"x", "-w", "3", "--beta", "--alpha=7", "list", NULL};
    struct seen s;
    char want[64];

    ck_assert_int_eq(parse(&s, 6, argv), -1);
    snprintf(want, sizeof(want), "%d=3 %d=- %d=7", 'w', T_BETA, T_ALPHA);
    ck_assert_str_eq(s.log, want);
    ck_assert_int_eq(optind, 5);
    ck_assert_str_eq(argv[optind], "list");
}
END_TEST

START_TEST(test_unknown_and_missing)
{
    char *unknown[] = {"x", "--nope", NULL};
    char *missing[] = {"x", "--alpha", NULL};
    struct seen s;

    ck_assert_int_eq(parse(&s, 2, unknown), 2);
    ck_assert_str_eq(s.log, "63=-"); /* '?' */
    ck_assert_int_eq(parse(&s, 2, missing), 2);
    ck_assert_str_eq(s.log, "58=-"); /* ':' */
    ck_assert_int_eq(optopt, T_ALPHA);
}
END_TEST

START_TEST(test_find)
{
    ck_assert_ptr_eq(pdl_opt_find(first, 'w'), &first[1]);
    ck_assert_ptr_eq(pdl_opt_find(second, T_BETA), &second[1]);
    ck_assert_ptr_null(pdl_opt_find(first, T_BETA));
    ck_assert_ptr_eq(pdl_opt_named(first, "alphabet", 5), &first[0]);
    ck_assert_ptr_null(pdl_opt_named(first, "alp", 3));
}
END_TEST

/* The --help lines: column, continuation indent, two spaces after a long
 * left part, text entries as they are, hidden entries left out, and the
 * whole taken as one printf format. */
START_TEST(test_usage_layout)
{
    static const struct pdl_opt_layout lay = {20, true};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    pdl_opt_usage(f, first, &lay, "Head %d\n", "Tail %s\n", 42, "end");
    fclose(f);
    ck_assert_str_eq(buf, "Head 42\n"
                          "      --alpha N     first line\n"
                          "                    second line\n"
                          "  -w, --workers LIST  the first table's\n"
                          "\n"
                          "Section:\n"
                          "      --a-very-long-option-name  x\n"
                          "Tail end\n");
    free(buf);
}
END_TEST

/* Every option of the run is in its --help, and compare passes on the
 * options that change how a task runs but refuses the ones it sets. */
START_TEST(test_run_table)
{
    static const char *const forwarded[] = {"discard", "timeout", "chunk",
                                            "header",  "output",  "retries"};
    static const char *const refused[] = {
        "mode", "schedule", "timeline", "no-timeline", "chart-by", "continue"};
    size_t n = 0;

    for (const struct pdl_opt *o = pdl_run_opts; o->name || o->help; o++)
        if (o->name) {
            ck_assert_msg(o->help != NULL, "--%s has no help", o->name);
            n++;
        }
    ck_assert_uint_gt(n, 40);
    for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
        ck_assert_ptr_null(
            pdl_opt_named(pdl_run_opts, forwarded[i], strlen(forwarded[i]))
                ->not_forwarded);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        ck_assert_ptr_nonnull(
            pdl_opt_named(pdl_run_opts, refused[i], strlen(refused[i]))
                ->not_forwarded);
}
END_TEST

START_TEST(test_add_number)
{
    unsigned v[2];
    size_t n = 0;

    ck_assert_int_eq(pdl_cli_add_number("4", 1, 8, v, &n, 2), 0);
    ck_assert_int_eq(pdl_cli_add_number("9", 1, 8, v, &n, 2), 1);
    ck_assert_int_eq(pdl_cli_add_number("x", 1, 8, v, &n, 2), 1);
    ck_assert_int_eq(pdl_cli_add_number("4", 1, 8, v, &n, 2), 2);
    ck_assert_int_eq(pdl_cli_add_number("2", 1, 8, v, &n, 2), 0);
    ck_assert_int_eq(pdl_cli_add_number("3", 1, 8, v, &n, 2), 3);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(v[0], 4);
    ck_assert_uint_eq(v[1], 2);
}
END_TEST

static int collect(void *ctx, const char *item)
{
    char *log = ctx;

    strcat(log, item);
    strcat(log, "|");
    return strcmp(item, "stop") == 0 ? 7 : 0;
}

START_TEST(test_each_item)
{
    char log[128] = "";
    const char *why = NULL;

    ck_assert_int_eq(pdl_cli_each_item("a,bb,c", collect, log, &why), 0);
    ck_assert_str_eq(log, "a|bb|c|");
    log[0] = '\0';
    ck_assert_int_eq(pdl_cli_each_item("a,stop,c", collect, log, &why), 7);
    ck_assert_str_eq(log, "a|stop|");
    ck_assert_int_eq(pdl_cli_each_item("a,,c", collect, log, &why), -1);
    ck_assert_str_eq(why, "empty item in the list");
    ck_assert_int_eq(pdl_cli_each_item("", collect, log, &why), -1);
    ck_assert_int_eq(pdl_cli_each_item("a,", collect, log, &why), -1);
}
END_TEST

START_TEST(test_json_string)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    pdl_json_string(f, "a\"b\\c\n\x01");
    fclose(f);
    ck_assert_str_eq(buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
    free(buf);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("tables");

    tcase_add_test(tc, test_merge_first_wins);
    tcase_add_test(tc, test_unknown_and_missing);
    tcase_add_test(tc, test_find);
    tcase_add_test(tc, test_usage_layout);
    tcase_add_test(tc, test_run_table);
    suite_add_tcase(s, tc);
    tc = tcase_create("helpers");
    tcase_add_test(tc, test_add_number);
    tcase_add_test(tc, test_each_item);
    tcase_add_test(tc, test_json_string);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cli_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
