/* URL lists: reading them line by line with bounded memory, reporting bad
 * lines by file:line, and deriving safe, distinct output names. */
#include "pdl/tasklist.h"
#include "pdl/reader.h"
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
        free(list->tasks[i].opts);
    }
    for (size_t i = 0; i < list->nsources; i++)
        free(list->sources[i]);
    free(list->tasks);
    free(list->sources);
    memset(list, 0, sizeof(*list));
}

void pdl_task_clear(struct pdl_task *t)
{
    free(t->url);
    free(t->name);
    free(t->opts);
    memset(t, 0, sizeof(*t));
}

void pdl_tasklist_add(struct pdl_tasklist *list, const char *url,
                      const char *source, long line)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->tasks =
            pdl_xrealloc(list->tasks, list->cap, sizeof(*list->tasks));
    }
    list->tasks[list->count] = (struct pdl_task){.id = list->count,
                                                 .url = pdl_xstrdup(url),
                                                 .source = source,
                                                 .line = line};
    list->count++;
}

/* The whole list in memory, through the same streaming reader a run uses:
 * for tests, fuzzers and small tools, never for a run. */
int pdl_tasklist_read(struct pdl_tasklist *list, FILE *in, const char *name,
                      FILE *diag)
{
    struct pdl_reader *r = pdl_reader_from_stream(in, name, list->glob, diag);
    struct pdl_task_ref t;
    const char *source;
    size_t max = list->max ? list->max : PDL_TASKS_MAX;
    int rc = 0;

    list->sources =
        pdl_xrealloc(list->sources, list->nsources + 1, sizeof(char *));
    source = list->sources[list->nsources++] = pdl_xstrdup(name);
    while (list->count < max && (rc = pdl_reader_next(r, &t)) > 0) {
        pdl_tasklist_add(list, t.url, source, t.line);
        if (t.name)
            list->tasks[list->count - 1].name = pdl_xstrdup(t.name);
        if (t.opts)
            list->tasks[list->count - 1].opts = pdl_xstrdup(t.opts);
    }
    list->bad += pdl_reader_bad(r);
    pdl_reader_destroy(r);
    if (rc < 0 || ferror(in)) {
        errno = errno ? errno : EIO;
        return PDL_ERR_IO;
    }
    return PDL_OK;
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
