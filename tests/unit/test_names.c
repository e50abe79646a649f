/* Unit tests for output names: what pdl_name_from_url derives from a URL,
 * that no URL can name a file outside the output folder, and that planning
 * gives every task a distinct, reproducible name. */
#include "pdl/tasklist.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NCASES(a) (sizeof(a) / sizeof(a[0]))

struct name_case {
    const char *url;
    const char *want;
};

static const struct name_case name_cases[] = {
    {"http://h/a/b/file.txt", "file.txt"},
    {"http://h/file", "file"},
    {"http://h/", "index.html"},
    {"http://h", "index.html"},
    {"http://h/dir/", "index.html"},
    {"http://h:8080/a.tar.gz", "a.tar.gz"},
    {"http://h/data.json?page=2", "data_page=2.json"},
    {"http://h/data?page=2", "data_page=2"},
    {"http://h/?q=1", "index_q=1.html"},
    {"http://h?q=1", "index_q=1.html"},
    {"http://h/a.txt#frag", "a.txt"},
    {"http://h/a.txt?x=1#frag", "a_x=1.txt"},
    {"http://h/a.txt#f?x=1", "a.txt"},
    {"http://h/a%20b.txt", "a_b.txt"},
    {"http://h/%41%62c.txt", "Abc.txt"},
    {"http://h/caf%C3%A9.txt", "caf__.txt"},
    {"http://h/a,b+c=d@e-f_g.txt", "a,b+c=d@e-f_g.txt"},
    {"http://h/a;b:c*d.txt", "a_b_c_d.txt"},
    {"http://h/../../etc/passwd", "passwd"},
    {"http://h/%2e%2e/%2e%2e/x", "x"},
    {"http://h/%2e%2e", "_."},
    {"http://h/%2E%2E", "_."},
    {"http://h/..", "_."},
    {"http://h/.", "_"},
    {"http://h/%2e", "_"},
    {"http://h/...", "_.."},
    {"http://h/.hidden", "_hidden"},
    {"http://h/%2F..%2Fetc", "_.._etc"},
    {"http://h/..%2F..%2Fetc%2Fpasswd", "_._.._etc_passwd"},
    {"http://h/..%2f..%2fetc%2fpasswd", "_._.._etc_passwd"},
    {"http://h/a%2fb", "a_b"},
    {"http://h/a%00b", "a_b"},
    {"http://h/%00", "_"},
    {"http://h/a\\..\\b", "a_.._b"},
    {"http://h/..\\..\\x", "_._.._x"},
    {"http://h/%5c..%5cx", "_.._x"},
    {"http://h/%", "_"},
    {"http://h/a%2", "a_2"},
    {"http://h/a%zz", "a_zz"},
    {"http://h/x?a=/../b", "x_a=_.._b"},
    {"http://h/x?a%2F..%2F", "x_a_.._"},
    {"http://h/x.txt?", "x.txt"},
};

START_TEST(test_name_table)
{
    const struct name_case *c = &name_cases[_i];
    char out[PDL_NAME_MAX + 1];

    pdl_name_from_url(c->url, out, sizeof(out));
    ck_assert_msg(strcmp(out, c->want) == 0, "%s: got \"%s\", want \"%s\"",
                  c->url, out, c->want);
}
END_TEST

/* URLs built to escape the output folder or to produce odd names. */
static const char *const hostile_urls[] = {
    "http://h/../../etc/passwd",
    "http://h/%2e%2e/%2e%2e/x",
    "http://h/%2e%2e",
    "http://h/%2E%2e%2F",
    "http://h/..",
    "http://h/.",
    "http://h/...",
    "http://h/.%2e",
    "http://h/%2e.",
    "http://h/%2F..%2Fetc",
    "http://h/%2f",
    "http://h/%2F%2F%2F",
    "http://h/a%00b",
    "http://h/%00%00",
    "http://h/a\\..\\b",
    "http://h/..\\",
    "http://h/%5c%5c",
    "http://h/%2e%2e%5c%2e%2e",
    "http://h/?..",
    "http://h/?../../x",
    "http://h/x?%2F..%2F..%2Fetc",
    "http://h/.?.",
    "http://h/%2e?%2e",
    "http://h/.bashrc",
    "http://h/%2ebashrc",
    "http://h/~user/",
    "http://h/a b",
    "http://h/\x01\x02\x7f\xff",
    "http://h/%01%1b%7f%ff",
    "http://h/-rf",
    "http://h/%0a",
    "http://h/$(reboot)",
    "http://h/`id`",
    "http://h/a|b&c>d<e",
    "http://h/con:",
    "http://h/#",
    "http://h/?",
    "http://h/?#",
    "http://h/%",
    "http://h/%%",
    "http://h/%2",
    "//h/../x",
    "../x",
    "..",
    ".",
    "",
};

static void assert_safe_name(const char *url, const char *name)
{
    size_t len = strlen(name);

    ck_assert_msg(len > 0, "%s: empty name", url);
    ck_assert_msg(len <= PDL_NAME_MAX, "%s: %zu bytes", url, len);
    ck_assert_msg(strchr(name, '/') == NULL, "%s: \"%s\" has '/'", url, name);
    ck_assert_msg(strcmp(name, ".") != 0 && strcmp(name, "..") != 0,
                  "%s: \"%s\"", url, name);
    ck_assert_msg(name[0] != '.', "%s: \"%s\" starts with '.'", url, name);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || strchr("._+=,@-", c) != NULL;
        ck_assert_msg(ok, "%s: byte 0x%02x at %zu in \"%s\"", url, c, i, name);
    }
}

START_TEST(test_name_invariants)
{
    char out[PDL_NAME_MAX + 1];

    for (size_t i = 0; i < NCASES(name_cases); i++) {
        pdl_name_from_url(name_cases[i].url, out, sizeof(out));
        assert_safe_name(name_cases[i].url, out);
    }
    for (size_t i = 0; i < NCASES(hostile_urls); i++) {
        pdl_name_from_url(hostile_urls[i], out, sizeof(out));
        assert_safe_name(hostile_urls[i], out);
    }
}
END_TEST

/* Every single byte as a one-byte name, raw and percent-encoded. */
START_TEST(test_name_every_byte)
{
    char url[32], out[PDL_NAME_MAX + 1];

    for (int c = 1; c < 256; c++) {
        snprintf(url, sizeof(url), "http://h/%c", c);
        pdl_name_from_url(url, out, sizeof(out));
        assert_safe_name(url, out);
        snprintf(url, sizeof(url), "http://h/%%%02X", c);
        pdl_name_from_url(url, out, sizeof(out));
        assert_safe_name(url, out);
    }
}
END_TEST

/* "http://h/" + n bytes of fill + suffix; the caller frees. */
static char *url_with(size_t n, char fill, const char *suffix)
{
    size_t len = 9 + n + strlen(suffix);
    char *url = malloc(len + 1);

    memcpy(url, "http://h/", 9);
    memset(url + 9, fill, n);
    memcpy(url + 9 + n, suffix, strlen(suffix) + 1);
    return url;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

START_TEST(test_name_long_kept_extension)
{
    char out[PDL_NAME_MAX + 1];
    char *url = url_with(300, 'a', ".json");

    pdl_name_from_url(url, out, sizeof(out));
    ck_assert_uint_eq(strlen(out), PDL_NAME_MAX);
    ck_assert(ends_with(out, ".json"));
    ck_assert_uint_eq(strspn(out, "a"), PDL_NAME_MAX - 5);
    free(url);

    url = url_with(300, 'b', "");
    pdl_name_from_url(url, out, sizeof(out));
    ck_assert_uint_eq(strlen(out), PDL_NAME_MAX);
    ck_assert_uint_eq(strspn(out, "b"), PDL_NAME_MAX);
    free(url);

    /* A long query is cut, not the extension. */
    char qs[501], full[600];
    memset(qs, 'q', 500);
    qs[500] = '\0';
    snprintf(full, sizeof(full), "http://h/f.txt?%s", qs);
    pdl_name_from_url(full, out, sizeof(out));
    ck_assert_uint_eq(strlen(out), PDL_NAME_MAX);
    ck_assert(strncmp(out, "f_qqq", 5) == 0);
    ck_assert(ends_with(out, "q.txt"));
}
END_TEST

/* A segment far longer than PDL_NAME_MAX keeps its extension through the
 * cut (a regression: the end of the segment was once lost first). */
START_TEST(test_name_very_long_keeps_extension)
{
    char out[PDL_NAME_MAX + 1];
    char *url = url_with(1000, 'a', ".json");

    pdl_name_from_url(url, out, sizeof(out));
    assert_safe_name(url, out);
    ck_assert_uint_le(strlen(out), PDL_NAME_MAX);
    ck_assert_msg(ends_with(out, ".json"), "got \"%.20s...%s\"", out,
                  out + strlen(out) - 10);
    ck_assert_uint_eq(strlen(out), PDL_NAME_MAX);
    free(url);
}
END_TEST

/* Builds a list of the given URLs and plans its names. */
static void plan(struct pdl_tasklist *list, const char *const *urls, size_t n)
{
    pdl_tasklist_init(list);
    for (size_t i = 0; i < n; i++)
        pdl_tasklist_add(list, urls[i], "test", (long)i + 1);
    pdl_tasklist_plan_names(list);
}

static void assert_names(const struct pdl_tasklist *list,
                         const char *const *want, size_t n)
{
    ck_assert_uint_eq(list->count, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strcmp(list->tasks[i].name, want[i]) == 0,
                      "task %zu: got \"%s\", want \"%s\"", i,
                      list->tasks[i].name, want[i]);
}

struct plan_case {
    const char *urls[5];
    const char *want[5];
    size_t n;
};

static const struct plan_case plan_cases[] = {
    {{"http://a/x.txt", "http://b/x.txt", "http://c/dir/x.txt"},
     {"x.txt", "x.1.txt", "x.2.txt"},
     3},
    {{"http://a/x.1.txt", "http://a/x.txt", "http://b/x.txt"},
     {"x.1.txt", "x.txt", "x.2.txt"},
     3},
    {{"http://a/x.txt", "http://b/x.1.txt", "http://c/x.txt"},
     {"x.txt", "x.1.txt", "x.2.txt"},
     3},
    {{"http://a/x.txt", "http://b/x.txt", "http://c/x.1.txt"},
     {"x.txt", "x.1.txt", "x.1.1.txt"},
     3},
    {{"http://a/name", "http://b/name", "http://c/name"},
     {"name", "name.1", "name.2"},
     3},
    {{"http://a/", "http://b", "http://c/d/"},
     {"index.html", "index.1.html", "index.2.html"},
     3},
    {{"http://h/a b.txt", "http://h/a_b.txt", "http://h/a%20b.txt"},
     {"a_b.txt", "a_b.1.txt", "a_b.2.txt"},
     3},
    {{"http://h/a.tar.gz", "http://i/a.tar.gz"}, {"a.tar.gz", "a.tar.1.gz"}, 2},
    {{"http://h/x.txt", "http://h/y.txt", "http://h/X.txt"},
     {"x.txt", "y.txt", "X.txt"},
     3},
    {{"http://h/..", "http://h/%2e%2e", "http://h/_."},
     {"_.", "_..1", "_..2"},
     3},
};

START_TEST(test_plan_table)
{
    const struct plan_case *c = &plan_cases[_i];
    struct pdl_tasklist list;

    plan(&list, c->urls, c->n);
    assert_names(&list, c->want, c->n);
    pdl_tasklist_cleanup(&list);
}
END_TEST

START_TEST(test_plan_twice_same)
{
    static const char *const urls[] = {
        "http://a/x.txt", "http://b/x.txt", "http://c/x.1.txt",
        "http://d/",      "http://e/x.txt", "http://f/index.html",
    };
    static const char *const want[] = {
        "x.txt",      "x.1.txt", "x.1.1.txt",
        "index.html", "x.2.txt", "index.1.html",
    };
    struct pdl_tasklist list;

    plan(&list, urls, NCASES(urls));
    assert_names(&list, want, NCASES(want));
    pdl_tasklist_plan_names(&list);
    assert_names(&list, want, NCASES(want));
    pdl_tasklist_cleanup(&list);
    plan(&list, urls, NCASES(urls));
    assert_names(&list, want, NCASES(want));
    pdl_tasklist_cleanup(&list);
}
END_TEST

START_TEST(test_plan_many_same)
{
    struct pdl_tasklist list;
    char want[32];

    pdl_tasklist_init(&list);
    for (long i = 0; i < 1000; i++)
        pdl_tasklist_add(&list, i % 2 ? "http://h/x.txt" : "http://g/x.txt",
                         "test", i + 1);
    pdl_tasklist_plan_names(&list);
    ck_assert_str_eq(list.tasks[0].name, "x.txt");
    for (size_t i = 1; i < 1000; i++) {
        snprintf(want, sizeof(want), "x.%zu.txt", i);
        ck_assert_str_eq(list.tasks[i].name, want);
    }
    pdl_tasklist_cleanup(&list);
}
END_TEST

START_TEST(test_plan_long_name_collision)
{
    char *url = url_with(300, 'a', ".json");
    const char *urls[] = {url, url};
    struct pdl_tasklist list;

    plan(&list, urls, 2);
    const char *first = list.tasks[0].name;
    const char *second = list.tasks[1].name;
    ck_assert_uint_eq(strlen(first), PDL_NAME_MAX);
    ck_assert(ends_with(first, ".json"));
    /* The counter goes into the room kept under NAME_MAX. */
    ck_assert_uint_eq(strlen(second), PDL_NAME_MAX + 2);
    ck_assert_int_eq(strncmp(first, second, PDL_NAME_MAX - 5), 0);
    ck_assert(ends_with(second, "a.1.json"));
    pdl_tasklist_cleanup(&list);
    free(url);
}
END_TEST

START_TEST(test_plan_empty)
{
    struct pdl_tasklist list;

    pdl_tasklist_init(&list);
    pdl_tasklist_plan_names(&list);
    ck_assert_uint_eq(list.count, 0);
    pdl_tasklist_cleanup(&list);
}
END_TEST

static Suite *names_suite(void)
{
    Suite *s = suite_create("names");
    TCase *tc = tcase_create("name");

    tcase_add_loop_test(tc, test_name_table, 0, NCASES(name_cases));
    tcase_add_test(tc, test_name_invariants);
    tcase_add_test(tc, test_name_every_byte);
    tcase_add_test(tc, test_name_long_kept_extension);
    tcase_add_test(tc, test_name_very_long_keeps_extension);
    suite_add_tcase(s, tc);

    tc = tcase_create("plan");
    tcase_add_loop_test(tc, test_plan_table, 0, NCASES(plan_cases));
    tcase_add_test(tc, test_plan_twice_same);
    tcase_add_test(tc, test_plan_many_same);
    tcase_add_test(tc, test_plan_long_name_collision);
    tcase_add_test(tc, test_plan_empty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(names_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
