/* The pure half of resuming: reading a Content-Range, judging a reply to a
 * range request against what the kept partial body is known to be, and the
 * text of the sidecar record that ties a partial to its URL. */
#include "pdl/resume.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAX_DIGITS 18 /* every 18-digit number fits in int64_t */

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Reads a decimal number at *p into *out and moves *p past it. */
static bool scan_number(const char **p, int64_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    int n = 0;

    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (n == MAX_DIGITS)
            return false;
        v = v * 10 + (*s - '0');
    }
    if (n == 0)
        return false;
    *p = s;
    *out = v;
    return true;
}

/* Reads "FIRST-LAST/" or the unsatisfied "*" "/" at *p. */
static bool scan_positions(const char **p, int64_t *first, int64_t *last)
{
    if (**p == '*') {
        (*p)++;
        *first = -1;
        *last = -1;
    } else if (!scan_number(p, first) || *(*p)++ != '-' ||
               !scan_number(p, last) || *last < *first) {
        return false;
    }
    return *(*p)++ == '/';
}

bool pdl_content_range_parse(const char *value, int64_t *first, int64_t *last,
                             int64_t *total)
{
    const char *p = skip_space(value);
    int64_t a = -1;
    int64_t b = -1;
    int64_t t = -1;
    bool ok;

    *first = *last = *total = -1;
    if (strncasecmp(p, "bytes", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
        return false;
    p = skip_space(p + 5);
    if (!scan_positions(&p, &a, &b))
        return false;
    if (*p == '*' && a >= 0)
        p++; /* an unknown complete length */
    else if (!scan_number(&p, &t) || b >= t)
        return false;
    ok = *skip_space(p) == '\0';
    if (ok) {
        *first = a;
        *last = b;
        *total = t;
    }
    return ok;
}

/* True if the reply names a validator that differs from the recorded one:
 * then the bytes on either side of the partial's end are not of one body. */
static bool contradicts(const struct pdl_partial_meta *known,
                        const struct pdl_reply *reply)
{
    if (known->etag[0] && reply->etag && strcmp(known->etag, reply->etag))
        return true;
    return known->modified[0] && reply->modified &&
           strcmp(known->modified, reply->modified) != 0;
}

static enum pdl_resume_verdict judge_206(const struct pdl_partial_meta *known,
                                         int64_t have,
                                         const struct pdl_reply *reply)
{
    int64_t first, last, total;

    if (!reply->content_range ||
        !pdl_content_range_parse(reply->content_range, &first, &last, &total))
        return PDL_RESUME_RESTART;
    /* The rest, from exactly where the partial ends to the end of a
     * complete length that agrees with the recorded one. */
    if (first != have || total < 0 || last != total - 1)
        return PDL_RESUME_RESTART;
    if (known->total >= 0 && total != known->total)
        return PDL_RESUME_RESTART;
    return PDL_RESUME_APPEND;
}

static enum pdl_resume_verdict judge_416(const struct pdl_partial_meta *known,
                                         int64_t have,
                                         const struct pdl_reply *reply)
{
    int64_t first, last, total = -1;

    /* Only the unsatisfied form says how long the resource is now. */
    if (reply->content_range &&
        (!pdl_content_range_parse(reply->content_range, &first, &last,
                                  &total) ||
         first >= 0))
        return PDL_RESUME_RESTART;
    /* Without a Content-Range, the recorded length is all there is. */
    if (total < 0)
        total = known->total;
    if (total != have || (known->total >= 0 && known->total != have))
        return PDL_RESUME_RESTART;
    return PDL_RESUME_COMPLETE;
}

enum pdl_resume_verdict pdl_resume_judge(const struct pdl_partial_meta *known,
                                         int64_t have,
                                         const struct pdl_reply *reply)
{
    static const struct pdl_partial_meta none = {.total = -1};

    if (!known)
        known = &none;
    if (have <= 0)
        return PDL_RESUME_FRESH;
    if (reply->http == 206 || reply->http == 416) {
        if (contradicts(known, reply))
            return PDL_RESUME_RESTART;
        return reply->http == 206 ? judge_206(known, have, reply)
                                  : judge_416(known, have, reply);
    }
    /* A 200 to a range request is the whole body (the server ignored the
     * range, or If-Range found the resource changed). */
    if (reply->http >= 200 && reply->http < 300)
        return PDL_RESUME_FRESH;
    return PDL_RESUME_KEEP;
}

/* ---- the sidecar record ---- */

#define MAGIC "pdl-partial 1"

static bool one_line(const char *s)
{
    return strpbrk(s, "\r\n") == NULL;
}

/* Appends the line "key value" at *len; false if it does not fit. */
static bool add_line(char *buf, size_t size, size_t *len, const char *key,
                     const char *value)
{
    int n = snprintf(buf + *len, size - *len, "%s %s\n", key, value);

    if (n < 0 || (size_t)n >= size - *len)
        return false;
    *len += (size_t)n;
    return true;
}

long pdl_partial_meta_format(const struct pdl_partial_meta *m, char *buf,
                             size_t size)
{
    char total[24];
    size_t len = 0;
    bool ok;

    if (size == 0 || !m->url || !m->url[0] || !one_line(m->url) ||
        !one_line(m->etag) || !one_line(m->modified))
        return -1;
    snprintf(total, sizeof(total), "%lld", (long long)m->total);
    ok = add_line(buf, size, &len, "pdl-partial", "1") &&
         add_line(buf, size, &len, "url", m->url) &&
         (!m->etag[0] || add_line(buf, size, &len, "etag", m->etag)) &&
         (!m->modified[0] ||
          add_line(buf, size, &len, "modified", m->modified)) &&
         (m->total < 0 || add_line(buf, size, &len, "total", total));
    return ok ? (long)len : -1;
}

/* Copies a validator; false if it is empty or does not fit. */
static bool take_validator(char *dst, const char *value)
{
    size_t len = strlen(value);

    if (len == 0 || len >= PDL_VALIDATOR_MAX || dst[0])
        return false;
    memcpy(dst, value, len + 1);
    return true;
}

/* Stores one "key value" line into *m; false if it is malformed or a key
 * repeats. Unknown keys are skipped, so later versions can add some. */
static bool take_field(char *line, struct pdl_partial_meta *m)
{
    char *value = strchr(line, ' ');
    const char *p;

    if (!value)
        return false;
    *value++ = '\0';
    if (strcmp(line, "url") == 0) {
        if (m->url || !value[0])
            return false;
        m->url = value;
        return true;
    }
    if (strcmp(line, "etag") == 0)
        return take_validator(m->etag, value);
    if (strcmp(line, "modified") == 0)
        return take_validator(m->modified, value);
    if (strcmp(line, "total") == 0) {
        p = value;
        return m->total < 0 && scan_number(&p, &m->total) && *p == '\0';
    }
    return true;
}

bool pdl_partial_meta_parse(char *text, size_t len, struct pdl_partial_meta *m)
{
    char *line = text;
    char *end = text + len;
    char *nl;

    *m = (struct pdl_partial_meta){.total = -1};
    /* Every line ends in '\n': a record cut short is not a record. */
    if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len) ||
        memchr(text, '\r', len))
        return false;
    for (bool first = true; line < end; line = nl + 1, first = false) {
        nl = memchr(line, '\n', (size_t)(end - line));
        *nl = '\0';
        if (first ? strcmp(line, MAGIC) != 0 : !take_field(line, m)) {
            *m = (struct pdl_partial_meta){.total = -1};
            return false;
        }
    }
    if (m->url)
        return true;
    *m = (struct pdl_partial_meta){.total = -1};
    return false;
}
