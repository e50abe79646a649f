/* Integration: the value parsers, table-driven as curl's tests/tunit are:
 * durations, sizes (powers of 1024) and rates straight through
 * pdl/parse.h, with their boundaries; then the same values through the
 * command line (pdl_cli_parse), where a bad one is reported with its exact
 * text. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli.h"
#include "pdl/parse.h"

#define UNTOUCHED -7

struct dur_case {
    const char *s;
    bool ok;
    long ms;
};

static const struct dur_case dur_cases[] = {
    {"250ms", true, 250},
    {"2s", true, 2000},
    {"1m", true, 60000},
    {"1.5m", true, 90000},
    {"1h", true, 3600000},
    {"30", true, 30000},
    {"0", true, 0},
    {"0ms", true, 0},
    {"0.5", true, 500},
    {"0.0004s", true, 0},
    {"0.0006s", true, 1},
    {"24h", true, 86400000},
    {"1440m", true, 86400000},
    {"86400", true, 86400000},
    {"86400000ms", true, 86400000},
    {"86400001ms", false, 0},
    {"86400.001", false, 0},
    {"25h", false, 0},
    {"1d", false, 0},
    {"2S", false, 0},
    {"2 s", false, 0},
    {"-1s", false, 0},
    {"+1s", false, 0},
    {"1e3", false, 0},
    {"0x10", false, 0},
    {".", false, 0},
    {"1..2s", false, 0},
    {"ms", false, 0},
    {"", false, 0},
};

START_TEST(test_durations)
{
    const struct dur_case *c = &dur_cases[_i];
    long out = UNTOUCHED;
    bool ok = pdl_parse_duration_ms(c->s, &out);

    ck_assert_msg(ok == c->ok, "\"%s\": got %d, want %d", c->s, ok, c->ok);
    ck_assert_msg(out == (c->ok ? c->ms : UNTOUCHED), "\"%s\": got %ld", c->s,
                  out);
}
END_TEST

struct size_case {
    const char *s;
    bool ok;
    int64_t bytes;
};

static const struct size_case size_cases[] = {
    {"0", true, 0},
    {"1", true, 1},
    {"500000", true, 500000},
    {"10k", true, 10240},
    {"10K", true, 10240},
    {"1M", true, 1048576},
    {"1m", true, 1048576},
    {"1G", true, 1073741824},
    {"2g", true, INT64_C(2147483648)},
    {"1125899906842624", true, INT64_C(1) << 50},
    {"1048576G", true, INT64_C(1) << 50},
    {"1073741824M", true, INT64_C(1) << 50},
    {"1099511627776k", true, INT64_C(1) << 50},
    {"1125899906842625", false, 0},
    {"1048577G", false, 0},
    {"99999999999999999999", false, 0},
    {"1T", false, 0},
    {"1kb", false, 0},
    {"1.5M", false, 0},
    {"-1", false, 0},
    {"+1", false, 0},
    {" 1", false, 0},
    {"1 ", false, 0},
    {"k", false, 0},
    {"", false, 0},
};

START_TEST(test_sizes)
{
    const struct size_case *c = &size_cases[_i];
    int64_t out = UNTOUCHED;
    bool ok = pdl_parse_size(c->s, &out);

    ck_assert_msg(ok == c->ok, "\"%s\": got %d, want %d", c->s, ok, c->ok);
    ck_assert_msg(out == (c->ok ? c->bytes : UNTOUCHED), "\"%s\": got %lld",
                  c->s, (long long)out);
}
END_TEST

struct rate_case {
    const char *s;
    bool ok;
    double per_s;
};

static const struct rate_case rate_cases[] = {
    {"10/s", true, 10},       {"10", true, 10},
    {"600/m", true, 10},      {"2/h", true, 2.0 / 3600},
    {"1.5/s", true, 1.5},     {"0.5", true, 0.5},
    {"1000000/s", true, 1e6}, {"60000000/m", true, 1e6},
    {"1000001/s", false, 0},  {"0/s", false, 0},
    {"0", false, 0},          {"-1/s", false, 0},
    {"10/d", false, 0},       {"10/S", false, 0},
    {"10/", false, 0},        {"10 /s", false, 0},
    {"/s", false, 0},         {"1e2/s", false, 0},
    {"inf", false, 0},        {"nan/s", false, 0},
    {"", false, 0},
};

START_TEST(test_rates)
{
    const struct rate_case *c = &rate_cases[_i];
    double out = UNTOUCHED;
    bool ok = pdl_parse_rate(c->s, &out);

    ck_assert_msg(ok == c->ok, "\"%s\": got %d, want %d", c->s, ok, c->ok);
    if (c->ok)
        ck_assert_msg(fabs(out - c->per_s) <= 1e-9 * c->per_s,
                      "\"%s\": got %g, want %g", c->s, out, c->per_s);
    else
        ck_assert_msg(out == UNTOUCHED, "\"%s\": got %g", c->s, out);
}
END_TEST

START_TEST(test_null_refused)
{
    long ms = UNTOUCHED;
    int64_t size = UNTOUCHED;
    double rate = UNTOUCHED;

    ck_assert(!pdl_parse_duration_ms(NULL, &ms));
    ck_assert(!pdl_parse_size(NULL, &size));
    ck_assert(!pdl_parse_rate(NULL, &rate));
    ck_assert_int_eq(ms, UNTOUCHED);
    ck_assert_int_eq(size, UNTOUCHED);
    ck_assert(rate == UNTOUCHED);
}
END_TEST

/* One option on the command line: its value as the run gets it, or the
 * exact message a bad one gets. */
struct cli_case {
    const char *opt;
    const char *arg;
    const char *err; /* NULL: accepted */
};

static const struct cli_case cli_cases[] = {
    {"--timeout", "250ms", NULL},
    {"--timeout", "1m", NULL},
    {"--max-filesize", "10k", NULL},
    {"--rate", "600/m", NULL},
    {"--timeout", "2 s",
     "pdl: --timeout: not a duration up to 1 day (e.g. 30, 2.5s, 500ms): "
     "\"2 s\"\n"},
    {"--connect-timeout", "25h",
     "pdl: --connect-timeout: not a duration up to 1 day (e.g. 30, 2.5s, "
     "500ms): \"25h\"\n"},
    {"--retry-delay", "-1",
     "pdl: --retry-delay: not a duration up to 1 day (e.g. 30, 2.5s, 500ms): "
     "\"-1\"\n"},
    {"--max-filesize", "1.5M",
     "pdl: --max-filesize: not a size (e.g. 500000, 64k, 10M, 2G): "
     "\"1.5M\"\n"},
    {"--limit-rate", "1T",
     "pdl: --limit-rate: not a size (e.g. 500000, 64k, 10M, 2G): \"1T\"\n"},
    {"--rate", "0/s",
     "pdl: --rate: not a rate (e.g. 10/s, 600/m, 2/h): "
     "\"0/s\"\n"},
    {"--rate", "10/d",
     "pdl: --rate: not a rate (e.g. 10/s, 600/m, 2/h): "
     "\"10/d\"\n"},
};

/* Runs pdl_cli_parse on "pdl OPT ARG list.txt" with stderr caught in
 * err. Returns what it returned. */
static int parse_cli(const struct cli_case *c, struct pdl_cli *cli, char *err,
                     size_t errsz)
{
    char *argv[] = {"pdl", (char *)c->opt, (char *)c->arg, "list.txt", NULL};
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t n;
    int rc;

    ck_assert_ptr_nonnull(tmp);
    ck_assert_int_ge(saved, 0);
    fflush(stderr);
    dup2(fileno(tmp), STDERR_FILENO);
    optind = 0;
    memset(cli, 0, sizeof *cli);
    rc = pdl_cli_parse(4, argv, cli);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    n = fread(err, 1, errsz - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    return rc;
}

START_TEST(test_cli_values)
{
    const struct cli_case *c = &cli_cases[_i];
    struct pdl_cli cli;
    char err[512];
    int rc = parse_cli(c, &cli, err, sizeof err);

    if (c->err != NULL) {
        ck_assert_int_eq(rc, PDL_EXIT_USAGE);
        ck_assert_str_eq(err, c->err);
        return;
    }
    ck_assert_msg(rc == -1, "%s %s: rc %d, %s", c->opt, c->arg, rc, err);
    ck_assert_str_eq(err, "");
    if (strcmp(c->opt, "--timeout") == 0) {
        long want = UNTOUCHED;

        ck_assert(pdl_parse_duration_ms(c->arg, &want));
        ck_assert_int_eq(cli.opt.timeout_ms, want);
    } else if (strcmp(c->opt, "--max-filesize") == 0) {
        ck_assert_int_eq(cli.opt.max_filesize, 10240);
    } else {
        ck_assert(fabs(cli.opt.rate - 10) < 1e-9);
    }
}
END_TEST

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
    Suite *s = suite_create("values");
    TCase *tc = tcase_create("parsers");
    TCase *tcc = tcase_create("cli");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_durations, 0, COUNT(dur_cases));
    tcase_add_loop_test(tc, test_sizes, 0, COUNT(size_cases));
    tcase_add_loop_test(tc, test_rates, 0, COUNT(rate_cases));
    tcase_add_test(tc, test_null_refused);
    suite_add_tcase(s, tc);
    tcase_add_loop_test(tcc, test_cli_values, 0, COUNT(cli_cases));
    suite_add_tcase(s, tcc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
