/* Unit tests for URL lists: classifying lines, recognising http(s) URLs, and
 * reading whole lists with their diagnostics. */
#include "pdl/tasklist.h"
#include "pdl/util.h"

#include <check.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* A literal with its exact length, NUL bytes included. */
#define LIT(s) s, sizeof(s) - 1

struct line_case {
    const char *text;
    size_t len;
    enum pdl_line_kind kind;
    const char *want; /* the URL, or why the line is bad */
};

static const struct line_case line_cases[] = {
    {LIT(""), PDL_LINE_SKIP, NULL},
    {LIT("   "), PDL_LINE_SKIP, NULL},
    {LIT(" \t \v\f "), PDL_LINE_SKIP, NULL},
    {LIT("\r"), PDL_LINE_SKIP, NULL},
    {LIT("  \t\r"), PDL_LINE_SKIP, NULL},
    {LIT("#"), PDL_LINE_SKIP, NULL},
    {LIT("# a comment"), PDL_LINE_SKIP, NULL},
    {LIT("#http://h/x"), PDL_LINE_SKIP, NULL},
    {LIT("   # indented"), PDL_LINE_SKIP, NULL},
    {LIT("\t#http://h/x\r"), PDL_LINE_SKIP, NULL},
    {LIT("# has a \0 NUL"), PDL_LINE_SKIP, NULL},
    {LIT("http://h/x"), PDL_LINE_URL, "http://h/x"},
    {LIT("http://h/x\r"), PDL_LINE_URL, "http://h/x"},
    {LIT("  http://h/x  "), PDL_LINE_URL, "http://h/x"},
    {LIT("\t\thttp://h/x\t \r"), PDL_LINE_URL, "http://h/x"},
    {LIT("https://h/x"), PDL_LINE_URL, "https://h/x"},
    {LIT("HTTP://H/X"), PDL_LINE_URL, "HTTP://H/X"},
    {LIT("HtTpS://h"), PDL_LINE_URL, "HtTpS://h"},
    {LIT("http://h/a#b"), PDL_LINE_URL, "http://h/a#b"},
    {LIT("http://h/x # not a comment"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("ftp://h/x"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("example.com"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http://"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http:///path"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http://user@/"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http://h/a b"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("  http://h/a b\r"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http://h/a\x01"), PDL_LINE_BAD, "not an http(s) URL"},
    {LIT("http://h/a\0b"), PDL_LINE_BAD, "contains a NUL byte"},
    {LIT("\0"), PDL_LINE_BAD, "contains a NUL byte"},
    {LIT("  http://h/x\0  "), PDL_LINE_BAD, "contains a NUL byte"},
};

START_TEST(test_line_parse_table)
{
    const struct line_case *c = &line_cases[_i];
    char *buf = malloc(c->len + 1);
    char *url = NULL;
    const char *why = NULL;

    memcpy(buf, c->text, c->len + 1);
    enum pdl_line_kind kind = pdl_line_parse(buf, c->len, &url, &why);
    ck_assert_msg(kind == c->kind, "case %d: kind %d, want %d", _i, kind,
                  c->kind);
    if (kind == PDL_LINE_URL) {
        ck_assert_str_eq(url, c->want);
        /* Trimmed in place: the URL lies inside the caller's buffer. */
        ck_assert(url >= buf && url + strlen(url) <= buf + c->len);
        ck_assert_ptr_null(why);
    } else if (kind == PDL_LINE_BAD) {
        ck_assert_str_eq(why, c->want);
        ck_assert_ptr_null(url);
    } else {
        ck_assert_ptr_null(url);
        ck_assert_ptr_null(why);
    }
    free(buf);
}
END_TEST

struct url_case {
    const char *url;
    bool ok;
};

static const struct url_case url_cases[] = {
    {"http://h", true},
    {"http://h/", true},
    {"https://example.com/a/b?c=d#e", true},
    {"HTTP://EXAMPLE.COM/", true},
    {"Https://h/x", true},
    {"http://h:8080/x", true},
    {"http://user@h/", true},
    {"http://user:pw@h:1/", true},
    {"http://[::1]:80/", true},
    {"http://h?q=1", true},
    {"", false},
    {"h", false},
    {"example.com", false},
    {"example.com/x", false},
    {"ftp://h/x", false},
    {"file:///etc/passwd", false},
    {"httpx://h", false},
    {"http:/h/x", false},
    {"http:h", false},
    {"//h/x", false},
    {"http://", false},
    {"https://", false},
    {"http:///path", false},
    {"http://?q", false},
    {"http://#f", false},
    {"http://user@/", false},
    {"http://user@", false},
    {"http://:80/", false},
    {"http://h/a b", false},
    {" http://h/", false},
    {"http://h/\t", false},
    {"http://h/\x7f", false},
    {"http://h/\x1b[0m", false},
};

START_TEST(test_url_is_http_table)
{
    const struct url_case *c = &url_cases[_i];

    ck_assert_msg(pdl_url_is_http(c->url) == c->ok, "\"%s\": want %d", c->url,
                  c->ok);
}
END_TEST

/* Reads text[0..len) as list name into list; returns the diagnostics
 * written (caller frees) and stores the return code in *rc. */
static char *read_list(struct pdl_tasklist *list, const char *text, size_t len,
                       const char *name, int *rc)
{
    char *diag = NULL;
    size_t dlen = 0;
    FILE *in = fmemopen((void *)text, len, "r");
    FILE *d = open_memstream(&diag, &dlen);

    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(d);
    *rc = pdl_tasklist_read(list, in, name, d);
    fclose(in);
    ck_assert_int_eq(fclose(d), 0);
    return diag;
}

static void assert_task(const struct pdl_tasklist *list, size_t i,
                        const char *url, const char *source, long line)
{
    ck_assert_uint_lt(i, list->count);
    ck_assert_str_eq(list->tasks[i].url, url);
    ck_assert_str_eq(list->tasks[i].source, source);
    ck_assert_int_eq(list->tasks[i].line, line);
    ck_assert_ptr_null(list->tasks[i].name);
}

START_TEST(test_read_mixed)
{
    static const char text[] = "# urls\n"
                               "\n"
                               "http://h/a\n"
                               "bogus\n"
                               "   \t  \n"
                               "  # indented comment\n"
                               "\thttps://h/b  \n"
                               "HTTP://H/C\n"
                               "ftp://h/d\n"
                               "http://h/e";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "urls.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "pdl: urls.txt:4: not an http(s) URL: \"bogus\"\n"
                           "pdl: urls.txt:9: not an http(s) URL: "
                           "\"ftp://h/d\"\n");
    ck_assert_uint_eq(list.count, 4);
    ck_assert_uint_eq(list.bad, 2);
    assert_task(&list, 0, "http://h/a", "urls.txt", 3);
    assert_task(&list, 1, "https://h/b", "urls.txt", 7);
    assert_task(&list, 2, "HTTP://H/C", "urls.txt", 8);
    assert_task(&list, 3, "http://h/e", "urls.txt", 10);
    ck_assert_uint_eq(list.nsources, 1);
    ck_assert_str_eq(list.sources[0], "urls.txt");
    ck_assert_ptr_eq(list.tasks[0].source, list.sources[0]);
    pdl_tasklist_cleanup(&list);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_ptr_null(list.tasks);
    free(diag);
}
END_TEST

START_TEST(test_read_crlf)
{
    static const char text[] = "http://h/a\r\n"
                               "http://h/b \r\n"
                               "\r\n"
                               "# c\r\n"
                               "http://h/c\r";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "crlf.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "");
    ck_assert_uint_eq(list.count, 3);
    ck_assert_uint_eq(list.bad, 0);
    assert_task(&list, 0, "http://h/a", "crlf.txt", 1);
    assert_task(&list, 1, "http://h/b", "crlf.txt", 2);
    assert_task(&list, 2, "http://h/c", "crlf.txt", 5);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

/* A bad line is quoted as judged, trimmed: a CRLF file's "bogus\r" is
 * reported as "bogus" (a regression: it once showed "bogus\x00"). */
START_TEST(test_read_bad_line_trimmed)
{
    static const char text[] = "bogus\r\n"
                               "  bogus \t\n";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "urls.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_uint_eq(list.bad, 2);
    ck_assert_str_eq(diag, "pdl: urls.txt:1: not an http(s) URL: \"bogus\"\n"
                           "pdl: urls.txt:2: not an http(s) URL: \"bogus\"\n");
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_quotes_control_bytes)
{
    static const char text[] = "bo\x01gus\n"
                               "ftp://\"q\"\\\n"
                               "caf\xc3\xa9\n"
                               "\x1b[31mred\n"
                               "http://h/a b\n";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "q.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag,
                     "pdl: q.txt:1: not an http(s) URL: \"bo\\x01gus\"\n"
                     "pdl: q.txt:2: not an http(s) URL: "
                     "\"ftp://\\x22q\\x22\\x5c\"\n"
                     "pdl: q.txt:3: not an http(s) URL: \"caf\\xc3\\xa9\"\n"
                     "pdl: q.txt:4: not an http(s) URL: \"\\x1b[31mred\"\n"
                     "pdl: q.txt:5: not an http(s) URL: \"http://h/a b\"\n");
    ck_assert_uint_eq(list.count, 0);
    ck_assert_uint_eq(list.bad, 5);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_nul_byte)
{
    static const char text[] = "http://h/a\n"
                               "http://h/b\0c\n"
                               "http://h/d\n";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "nul.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "pdl: nul.txt:2: contains a NUL byte: "
                           "\"http://h/b\\x00c\"\n");
    ck_assert_uint_eq(list.count, 2);
    ck_assert_uint_eq(list.bad, 1);
    assert_task(&list, 0, "http://h/a", "nul.txt", 1);
    assert_task(&list, 1, "http://h/d", "nul.txt", 3);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_bom)
{
    static const char text[] = "\xef\xbb\xbfhttp://h/a\n"
                               "\xef\xbb\xbfhttp://h/b\n"
                               "http://h/c\n";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "bom.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    /* Only the first line's mark is an editor's artefact. */
    ck_assert_str_eq(diag, "pdl: bom.txt:2: not an http(s) URL: "
                           "\"\\xef\\xbb\\xbfhttp://h/b\"\n");
    ck_assert_uint_eq(list.count, 2);
    ck_assert_uint_eq(list.bad, 1);
    assert_task(&list, 0, "http://h/a", "bom.txt", 1);
    assert_task(&list, 1, "http://h/c", "bom.txt", 3);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_bom_alone)
{
    static const char text[] = "\xef\xbb\xbf\r\n"
                               "http://h/a\n";
    static const char comment[] = "\xef\xbb\xbf# list\nhttp://h/b";
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT(text), "a.txt", &rc);
    ck_assert_str_eq(diag, "");
    free(diag);
    diag = read_list(&list, LIT(comment), "b.txt", &rc);
    ck_assert_str_eq(diag, "");
    ck_assert_uint_eq(list.count, 2);
    ck_assert_uint_eq(list.bad, 0);
    assert_task(&list, 0, "http://h/a", "a.txt", 2);
    assert_task(&list, 1, "http://h/b", "b.txt", 2);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

/* "http://h/" followed by 'a's up to len bytes. */
static char *long_url(size_t len)
{
    char *s = malloc(len + 1);

    memcpy(s, "http://h/", 9);
    memset(s + 9, 'a', len - 9);
    s[len] = '\0';
    return s;
}

START_TEST(test_read_line_limit)
{
    char *at_max = long_url(PDL_LINE_MAX);
    char *over = long_url(PDL_LINE_MAX + 1);
    char *big = long_url(70000);
    size_t tlen = strlen(at_max) + strlen(over) + 2 * strlen(big) + 64;
    char *text = malloc(tlen);
    struct pdl_tasklist list;
    char want[512];
    int rc;

    snprintf(text, tlen, "%s\n%s\nhttp://h/b\n%s\nhttp://h/c\n%s", at_max, over,
             big, big);
    /* The first 60 bytes of the line are quoted. */
    snprintf(want, sizeof(want),
             "pdl: big.txt:2: line too long (65537 bytes, limit 65536): "
             "\"%.60s\"\n"
             "pdl: big.txt:4: line too long (70000 bytes, limit 65536): "
             "\"%.60s\"\n"
             "pdl: big.txt:6: line too long (70000 bytes, limit 65536): "
             "\"%.60s\"\n",
             over, big, big);
    pdl_tasklist_init(&list);
    char *diag = read_list(&list, text, strlen(text), "big.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, want);
    ck_assert_uint_eq(list.count, 3);
    ck_assert_uint_eq(list.bad, 3);
    assert_task(&list, 0, at_max, "big.txt", 1);
    assert_task(&list, 1, "http://h/b", "big.txt", 3);
    assert_task(&list, 2, "http://h/c", "big.txt", 5);
    pdl_tasklist_cleanup(&list);
    free(diag);
    free(text);
    free(big);
    free(over);
    free(at_max);
}
END_TEST

/* A byte order mark does not count against line 1's length limit. */
START_TEST(test_read_bom_line_at_limit)
{
    char *url = long_url(PDL_LINE_MAX);
    size_t tlen = PDL_LINE_MAX + 8;
    char *text = malloc(tlen);
    struct pdl_tasklist list;
    int rc;

    snprintf(text, tlen, "\xef\xbb\xbf%s\n", url);
    pdl_tasklist_init(&list);
    char *diag = read_list(&list, text, strlen(text), "bom.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "");
    ck_assert_uint_eq(list.bad, 0);
    ck_assert_uint_eq(list.count, 1);
    assert_task(&list, 0, url, "bom.txt", 1);
    pdl_tasklist_cleanup(&list);
    free(diag);
    free(text);
    free(url);
}
END_TEST

/* A stream that yields a huge line without holding it anywhere, then one
 * URL, and records the most heap in use while it is being read. */
struct huge {
    size_t left; /* bytes of the huge line still to give */
    const char *tail;
    size_t base; /* heap in use before the read */
    size_t peak;
};

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static ssize_t huge_read(void *cookie, char *buf, size_t size)
{
    struct huge *h = cookie;
    size_t n = 0;

    size_t used = heap_in_use();
    if (used > h->peak)
        h->peak = used;
    if (h->left > 0) {
        n = h->left < size ? h->left : size;
        memset(buf, 'a', n);
        h->left -= n;
    } else {
        n = strlen(h->tail) < size ? strlen(h->tail) : size;
        memcpy(buf, h->tail, n);
        h->tail += n;
    }
    return (ssize_t)n;
}

START_TEST(test_read_huge_line_bounded)
{
    const size_t huge_len = (size_t)64 << 20;
    struct huge h = {.left = huge_len, .tail = "\nhttp://h/z\n"};
    cookie_io_functions_t io = {.read = huge_read};
    struct pdl_tasklist list;
    char *diag = NULL, want[160], a60[61];
    size_t dlen = 0;

    pdl_tasklist_init(&list);
    FILE *d = open_memstream(&diag, &dlen);
    FILE *in = fopencookie(&h, "r", io);
    ck_assert_ptr_nonnull(in);
    h.base = heap_in_use();
    h.peak = h.base;
    ck_assert_int_eq(pdl_tasklist_read(&list, in, "huge.txt", d), PDL_OK);
    fclose(in);
    fclose(d);
    memset(a60, 'a', 60);
    a60[60] = '\0';
    snprintf(want, sizeof(want),
             "pdl: huge.txt:1: line too long (67108864 bytes, limit 65536): "
             "\"%s\"\n",
             a60);
    ck_assert_str_eq(diag, want);
    ck_assert_uint_eq(list.count, 1);
    ck_assert_uint_eq(list.bad, 1);
    assert_task(&list, 0, "http://h/z", "huge.txt", 2);
    /* The line buffer and stdio's own: far below the line's 64 MiB. */
    ck_assert_msg(h.peak - h.base < ((size_t)1 << 20),
                  "heap grew by %zu bytes while reading", h.peak - h.base);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_last_line_unterminated)
{
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, LIT("http://h/a\nnope"), "u.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "pdl: u.txt:2: not an http(s) URL: \"nope\"\n");
    free(diag);
    diag = read_list(&list, LIT("\n\nhttp://h/b"), "v.txt", &rc);
    ck_assert_str_eq(diag, "");
    ck_assert_uint_eq(list.count, 2);
    ck_assert_uint_eq(list.bad, 1);
    assert_task(&list, 0, "http://h/a", "u.txt", 1);
    assert_task(&list, 1, "http://h/b", "v.txt", 3);
    ck_assert_uint_eq(list.nsources, 2);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_empty)
{
    struct pdl_tasklist list;
    int rc;

    pdl_tasklist_init(&list);
    char *diag = read_list(&list, "", 0, "empty.txt", &rc);
    ck_assert_int_eq(rc, PDL_OK);
    ck_assert_str_eq(diag, "");
    ck_assert_uint_eq(list.count, 0);
    ck_assert_uint_eq(list.bad, 0);
    ck_assert_uint_eq(list.nsources, 1);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_long_bad_line_quote_cut)
{
    char text[301];
    struct pdl_tasklist list;
    char want[256];
    int rc;

    memset(text, 'x', 300);
    text[300] = '\0';
    /* 124 bytes of the line, then "...", fill the 128-byte quote. */
    snprintf(want, sizeof(want),
             "pdl: x.txt:1: not an http(s) URL: \"%.124s...\"\n", text);
    pdl_tasklist_init(&list);
    char *diag = read_list(&list, text, 300, "x.txt", &rc);
    ck_assert_str_eq(diag, want);
    ck_assert_uint_eq(list.bad, 1);
    pdl_tasklist_cleanup(&list);
    free(diag);
}
END_TEST

START_TEST(test_read_no_diag)
{
    FILE *in = fmemopen((void *)"bogus\nhttp://h/a\n", 17, "r");
    struct pdl_tasklist list;

    pdl_tasklist_init(&list);
    ck_assert_int_eq(pdl_tasklist_read(&list, in, "-", NULL), PDL_OK);
    fclose(in);
    ck_assert_uint_eq(list.bad, 1);
    ck_assert_uint_eq(list.count, 1);
    assert_task(&list, 0, "http://h/a", "-", 2);
    pdl_tasklist_cleanup(&list);
}
END_TEST

/* A stream that gives one line, then fails. */
static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
    int *calls = cookie;
    static const char line[] = "http://h/a\n";

    if ((*calls)++ > 0 || size < sizeof(line) - 1) {
        errno = EIO;
        return -1;
    }
    memcpy(buf, line, sizeof(line) - 1);
    return sizeof(line) - 1;
}

START_TEST(test_read_io_error)
{
    int calls = 0;
    cookie_io_functions_t io = {.read = failing_read};
    FILE *in = fopencookie(&calls, "r", io);
    struct pdl_tasklist list;

    ck_assert_ptr_nonnull(in);
    pdl_tasklist_init(&list);
    errno = 0;
    ck_assert_int_eq(pdl_tasklist_read(&list, in, "bad.txt", NULL), PDL_ERR_IO);
    ck_assert_int_eq(errno, EIO);
    fclose(in);
    /* The tasks read before the error stay. */
    ck_assert_uint_eq(list.count, 1);
    assert_task(&list, 0, "http://h/a", "bad.txt", 1);
    pdl_tasklist_cleanup(&list);
}
END_TEST

START_TEST(test_add_and_cleanup)
{
    struct pdl_tasklist list;
    char url[32];

    pdl_tasklist_init(&list);
    for (long i = 0; i < 200; i++) {
        snprintf(url, sizeof(url), "http://h/%ld", i);
        pdl_tasklist_add(&list, url, "src", i + 1);
    }
    ck_assert_uint_eq(list.count, 200);
    ck_assert_uint_ge(list.cap, 200);
    assert_task(&list, 0, "http://h/0", "src", 1);
    assert_task(&list, 199, "http://h/199", "src", 200);
    pdl_tasklist_cleanup(&list);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_uint_eq(list.cap, 0);
    pdl_tasklist_cleanup(&list);
    pdl_tasklist_cleanup(NULL);
}
END_TEST

static Suite *tasklist_suite(void)
{
    Suite *s = suite_create("tasklist");
    TCase *tc = tcase_create("line");

    tcase_add_loop_test(tc, test_line_parse_table, 0,
                        sizeof(line_cases) / sizeof(line_cases[0]));
    tcase_add_loop_test(tc, test_url_is_http_table, 0,
                        sizeof(url_cases) / sizeof(url_cases[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_read_mixed);
    tcase_add_test(tc, test_read_crlf);
    tcase_add_test(tc, test_read_bad_line_trimmed);
    tcase_add_test(tc, test_read_quotes_control_bytes);
    tcase_add_test(tc, test_read_nul_byte);
    tcase_add_test(tc, test_read_bom);
    tcase_add_test(tc, test_read_bom_alone);
    tcase_add_test(tc, test_read_line_limit);
    tcase_add_test(tc, test_read_bom_line_at_limit);
    tcase_add_test(tc, test_read_huge_line_bounded);
    tcase_add_test(tc, test_read_last_line_unterminated);
    tcase_add_test(tc, test_read_empty);
    tcase_add_test(tc, test_read_long_bad_line_quote_cut);
    tcase_add_test(tc, test_read_no_diag);
    tcase_add_test(tc, test_read_io_error);
    tcase_add_test(tc, test_add_and_cleanup);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tasklist_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
