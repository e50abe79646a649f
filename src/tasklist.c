/* URL lists: reading them line by line with bounded memory, reporting bad
 * lines by file:line, and deriving safe, distinct output names. */
#include "pdl/tasklist.h"
#include "pdl/glob.h"
#include "pdl/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool pdl_url_is_http(const char *url)
{
    size_t skip;

    if (strncasecmp(url, "http://", 7) == 0)
        skip = 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        skip = 8;
    else
        return false;
    /* An authority with no host ("http:///x", "http://user@/") is no URL. */
    const char *host = url + skip;
    size_t alen = strcspn(host, "/?#");
    const char *at = memchr(host, '@', alen);
    if (at) {
        alen -= (size_t)(at + 1 - host);
        host = at + 1;
    }
    if (alen == 0 || host[0] == ':')
        return false;
    for (const char *p = url; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

/* Narrows [*s, *e) to its content without surrounding white space. */
static void trim(char **s, char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

/* The host of url: after "://" and any "user@", up to the port or path. */
static const char *url_host(const char *url, size_t *len)
{
    const char *h = strstr(url, "://");
    size_t alen;

    h = h ? h + 3 : url;
    alen = strcspn(h, "/?#");
    const char *at = memchr(h, '@', alen);
    if (at) {
        alen -= (size_t)(at + 1 - h);
        h = at + 1;
    }
    if (*h == '[') {
        const char *close = memchr(h, ']', alen);
        *len = close ? (size_t)(close + 1 - h) : alen;
    } else {
        const char *colon = memchr(h, ':', alen);
        *len = colon ? (size_t)(colon - h) : alen;
    }
    return h;
}

unsigned pdl_url_host_key(const char *url)
{
    size_t len;
    const char *h = url_host(url, &len);
    uint32_t hash = 2166136261u; /* FNV-1a, folded to lower case */

    if ((len == 9 && strncasecmp(h, "localhost", 9) == 0) ||
        (len == 5 && strncmp(h, "[::1]", 5) == 0) ||
        (len >= 4 && strncmp(h, "127.", 4) == 0))
        return 0;
    for (size_t i = 0; i < len; i++)
        hash = (hash ^ (unsigned char)tolower((unsigned char)h[i])) * 16777619u;
    return 1 + hash % 1023;
}

enum pdl_line_kind pdl_line_parse(char *line, size_t len, char **url,
                                  const char **why)
{
    char *s = line;
    char *e = line + len;

    trim(&s, &e);
    if (s == e || *s == '#')
        return PDL_LINE_SKIP;
    if (memchr(s, '\0', (size_t)(e - s))) {
        *why = "contains a NUL byte";
        return PDL_LINE_BAD;
    }
    /* Judged as a string, but left intact for the message if it is bad. */
    char saved = *e;
    *e = '\0';
    if (!pdl_url_is_http(s)) {
        *e = saved;
        *why = "not an http(s) URL";
        return PDL_LINE_BAD;
    }
    *url = s;
    return PDL_LINE_URL;
}

void pdl_tasklist_init(struct pdl_tasklist *list)
{
    memset(list, 0, sizeof(*list));
}

void pdl_tasklist_cleanup(struct pdl_tasklist *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++) {
        free(list->tasks[i].url);
        free(list->tasks[i].name);
    }
    for (size_t i = 0; i < list->nsources; i++)
        free(list->sources[i]);
    free(list->tasks);
    free(list->sources);
    memset(list, 0, sizeof(*list));
}

void pdl_tasklist_add(struct pdl_tasklist *list, const char *url,
                      const char *source, long line)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->tasks =
            pdl_xrealloc(list->tasks, list->cap, sizeof(*list->tasks));
    }
    list->tasks[list->count++] = (struct pdl_task){
        .url = pdl_xstrdup(url), .source = source, .line = line};
}

static const char *add_source(struct pdl_tasklist *list, const char *name)
{
    list->sources =
        pdl_xrealloc(list->sources, list->nsources + 1, sizeof(char *));
    list->sources[list->nsources] = pdl_xstrdup(name);
    return list->sources[list->nsources++];
}

/* Reads input a block at a time and hands out lines; a line longer than
 * the caller's buffer is counted, not kept, so memory stays bounded. */
struct line_reader {
    FILE *in;
    size_t pos, len;
    char block[65536];
};

/* Reads one line into buf (at most cap bytes kept, the rest counted but
 * dropped). Returns false at end of input with nothing read. */
static bool read_line(struct line_reader *r, char *buf, size_t cap,
                      size_t *kept, size_t *total)
{
    *kept = 0;
    *total = 0;
    for (;;) {
        if (r->pos == r->len) {
            r->len = fread(r->block, 1, sizeof(r->block), r->in);
            r->pos = 0;
            if (r->len == 0)
                return *total > 0;
        }
        const char *p = r->block + r->pos;
        const char *nl = memchr(p, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - p) : r->len - r->pos;
        size_t room = cap - *kept;
        memcpy(buf + *kept, p, n < room ? n : room);
        *kept += n < room ? n : room;
        *total += n;
        r->pos += n + (nl != NULL);
        if (nl)
            return true;
    }
}

static void report(FILE *diag, const char *name, long line, const char *why,
                   char *text, size_t len)
{
    char quoted[128];
    char *e = text + len;

    trim(&text, &e);
    pdl_quote(text, (size_t)(e - text), quoted, sizeof(quoted));
    if (diag)
        fprintf(diag, "pdl: %s:%ld: %s: \"%s\"\n", name, line, why, quoted);
}

/* Adds the tasks of a URL with patterns, one per expansion, in curl's order.
 * Returns false (and says why in msg) if the pattern is bad or too big. */
static bool add_expanded(struct pdl_tasklist *list, const char *url,
                         const char *source, long lineno, char *msg,
                         size_t msgsz)
{
    char err[128];
    struct pdl_glob *g = pdl_glob_create(url, err, sizeof(err));
    char *buf;

    if (!g) {
        snprintf(msg, msgsz, "bad URL pattern (%s)", err);
        return false;
    }
    uint64_t n = pdl_glob_count(g);
    if (n > PDL_TASKS_MAX - list->count) {
        snprintf(msg, msgsz,
                 "pattern expands to %llu URLs, more than the "
                 "limit of %d tasks",
                 (unsigned long long)n, PDL_TASKS_MAX);
        pdl_glob_destroy(g);
        return false;
    }
    buf = pdl_xmalloc(PDL_LINE_MAX + 1);
    for (uint64_t i = 0; i < n; i++) {
        if (pdl_glob_nth(g, i, buf, PDL_LINE_MAX + 1) <= PDL_LINE_MAX &&
            pdl_url_is_http(buf))
            pdl_tasklist_add(list, buf, source, lineno);
    }
    free(buf);
    pdl_glob_destroy(g);
    return true;
}

/* Adds url as it is, or, with globbing on and patterns or escapes in it,
 * its expansions. */
static void add_url(struct pdl_tasklist *list, char *url, const char *source,
                    long lineno, FILE *diag)
{
    char msg[256];

    /* Most URLs hold none of [ { \ at all: skip the pattern scan. */
    if (!list->glob || !strpbrk(url, "[{\\") ||
        (!pdl_glob_has_pattern(url) && !strchr(url, '\\'))) {
        pdl_tasklist_add(list, url, source, lineno);
        return;
    }
    if (!add_expanded(list, url, source, lineno, msg, sizeof(msg))) {
        report(diag, source, lineno, msg, url, strlen(url));
        list->bad++;
    }
}

static void parse_one(struct pdl_tasklist *list, char *buf, size_t kept,
                      size_t total, const char *source, long lineno, FILE *diag)
{
    const char *why = NULL;
    char *url = NULL;

    if (total > kept) {
        char msg[64];
        snprintf(msg, sizeof(msg), "line too long (%zu bytes, limit %d)", total,
                 PDL_LINE_MAX);
        report(diag, source, lineno, msg, buf, 60);
        list->bad++;
        return;
    }
    switch (pdl_line_parse(buf, kept, &url, &why)) {
    case PDL_LINE_SKIP:
        break;
    case PDL_LINE_URL:
        add_url(list, url, source, lineno, diag);
        break;
    case PDL_LINE_BAD:
        report(diag, source, lineno, why, buf, kept);
        list->bad++;
        break;
    }
}

int pdl_tasklist_read(struct pdl_tasklist *list, FILE *in, const char *name,
                      FILE *diag)
{
    /* Room for a byte order mark on top of the longest line, and for the
     * terminating byte pdl_line_parse writes. */
    char *buf = pdl_xmalloc(PDL_LINE_MAX + 4);
    struct line_reader *r = pdl_xcalloc(1, sizeof(*r));
    const char *source = add_source(list, name);
    size_t kept, total;
    long lineno = 0;
    int rc = PDL_OK;

    r->in = in;
    while (read_line(r, buf, PDL_LINE_MAX + (lineno == 0 ? 3 : 0), &kept,
                     &total)) {
        char *start = buf;
        lineno++;
        /* A UTF-8 byte order mark is an editor's artefact, not content. */
        if (lineno == 1 && kept >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
            start += 3;
            kept -= 3;
            total -= 3;
        }
        if (kept > PDL_LINE_MAX)
            kept = PDL_LINE_MAX;
        parse_one(list, start, kept, total, source, lineno, diag);
    }
    if (ferror(in))
        rc = PDL_ERR_IO;
    free(r);
    free(buf);
    return rc;
}

static int cmp_url(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t pdl_tasklist_duplicates(const struct pdl_tasklist *list)
{
    char **urls = pdl_xcalloc(list->count, sizeof(char *));
    size_t dup = 0;

    for (size_t i = 0; i < list->count; i++)
        urls[i] = list->tasks[i].url;
    qsort(urls, list->count, sizeof(char *), cmp_url);
    for (size_t i = 1; i < list->count; i++)
        dup += strcmp(urls[i - 1], urls[i]) == 0;
    free(urls);
    return dup;
}
