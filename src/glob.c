/* URL globbing. A pattern is parsed once into segments (literal text,
 * number ranges, letter ranges, sets); URL number i is then built by
 * reading i as a mixed-radix number over the segments' sizes. */
#include "pdl/glob.h"
#include "pdl/util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every pattern may have text on both sides. */
#define MAX_SEGS (2 * PDL_GLOB_MAX_PATTERNS + 1)
/* UINT64_MAX has 20 digits; more than that is surely a mistake. */
#define MAX_DIGITS 20

enum seg_kind { SEG_TEXT, SEG_NUM, SEG_ALPHA, SEG_SET };

struct seg {
    enum seg_kind kind;
    uint64_t count; /* values it takes: 1 for text */
    union {
        struct {
            char *s;
            size_t len;
        } text;
        struct {
            uint64_t first, step;
            int width; /* zero padding, 0 for none */
        } range;       /* SEG_NUM; SEG_ALPHA with letter codes */
        struct {
            char **elem;
            size_t n, cap;
        } set;
    } u;
};

struct pdl_glob {
    struct seg seg[MAX_SEGS];
    size_t nseg;
    uint64_t count;
};

/* Reading position in the pattern. authority is true between "://" and
 * the next '/', '?' or '#', where '@' may precede an IPv6 host. */
struct cursor {
    const char *p;
    size_t pos;
    bool authority;
};

struct parser {
    struct cursor cur;
    struct pdl_glob *g;
    unsigned patterns;
    char *err;
    size_t errsz;
};

static bool fail(struct parser *ps, const char *fmt, ...)
{
    va_list ap;

    if (ps->err && ps->errsz > 0) {
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errsz, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* True if c may follow a backslash in text or a set; in a set the comma
 * too, since it separates elements. */
static bool is_escapable(char c, bool in_set)
{
    return c != '\0' && (strchr("[]{}\\", c) || (in_set && c == ','));
}

/* Length of the IPv6 host literal at the cursor, "[" to "]", or 0. */
static size_t ipv6_len(const struct cursor *c)
{
    const char *s = c->p + c->pos;
    bool after_scheme = c->pos >= 3 && memcmp(s - 3, "://", 3) == 0;
    bool after_user = c->authority && c->pos > 0 && s[-1] == '@';

    if (*s != '[' || !(after_scheme || after_user))
        return 0;
    const char *close = strchr(s, ']');
    return close ? (size_t)(close - s) + 1 : 0;
}

static void put(char *out, size_t at, const char *s, size_t n)
{
    if (out)
        memcpy(out + at, s, n);
}

/* Length of plain text at the cursor, tracking the authority: "://" is
 * taken whole, since its slashes do not end the authority it opens. */
static size_t plain_len(struct cursor *c)
{
    const char *s = c->p + c->pos;

    if (strncmp(s, "://", 3) == 0) {
        c->authority = true;
        return 3;
    }
    if (*s == '/' || *s == '?' || *s == '#')
        c->authority = false;
    return 1;
}

/* Reads literal text up to the next '[' or '{' that opens a pattern, or
 * the end, copying it unescaped into out unless out is NULL. Returns the
 * unescaped length. */
static size_t scan_text(struct cursor *c, char *out)
{
    size_t n = 0;

    for (;;) {
        const char *s = c->p + c->pos;
        size_t take = ipv6_len(c);

        if (take == 0 && (*s == '\0' || *s == '[' || *s == '{'))
            return n;
        if (take == 0 && *s == '\\' && is_escapable(s[1], false)) {
            put(out, n++, s + 1, 1);
            c->pos += 2;
            continue;
        }
        if (take == 0)
            take = plain_len(c);
        put(out, n, s, take);
        n += take;
        c->pos += take;
    }
}

static struct seg *new_seg(struct pdl_glob *g, enum seg_kind kind)
{
    struct seg *sg = &g->seg[g->nseg++];

    memset(sg, 0, sizeof(*sg));
    sg->kind = kind;
    sg->count = 1;
    return sg;
}

static void add_text(struct parser *ps)
{
    struct cursor probe = ps->cur;
    size_t n = scan_text(&probe, NULL);

    if (n == 0)
        return;
    struct seg *sg = new_seg(ps->g, SEG_TEXT);
    sg->u.text.s = pdl_xmalloc(n + 1);
    sg->u.text.len = scan_text(&ps->cur, sg->u.text.s);
    sg->u.text.s[n] = '\0';
}

/* One bound of a range: a decimal number or a single letter. */
struct bound {
    uint64_t value;
    int width;   /* digits, when written with a leading zero */
    char letter; /* the letter, or 0 for a number */
};

static const char *parse_number(const char **s, const char *end,
                                uint64_t *value, int *digits)
{
    const char *p = *s;
    uint64_t v = 0;

    for (; p < end && is_digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (p - *s >= MAX_DIGITS)
            return "too many digits";
        if (v > (UINT64_MAX - d) / 10)
            return "number too large";
        v = v * 10 + d;
    }
    *digits = (int)(p - *s);
    *value = v;
    *s = p;
    return NULL;
}

static const char *parse_bound(const char **s, const char *end, struct bound *b)
{
    int digits = 0;
    const char *why;

    memset(b, 0, sizeof(*b));
    if (*s < end && (is_lower(**s) || is_upper(**s))) {
        b->letter = **s;
        b->value = (unsigned char)**s;
        (*s)++;
        return NULL;
    }
    if (*s == end || !is_digit(**s))
        return "expected a number or a letter";
    why = parse_number(s, end, &b->value, &digits);
    if (why)
        return why;
    /* As curl: "[001-100]" pads to the first bound's digits. */
    if (digits > 1 && (*s)[-digits] == '0')
        b->width = digits;
    return NULL;
}

static const char *check_bounds(const struct bound *lo, const struct bound *hi)
{
    if ((lo->letter == 0) != (hi->letter == 0))
        return "mixed letters and digits";
    if (lo->letter && is_lower(lo->letter) != is_lower(hi->letter))
        return "mixed case";
    if (hi->value < lo->value)
        return "end before start";
    return NULL;
}

static const char *parse_step(const char **s, const char *end, uint64_t *step)
{
    int digits = 0;
    const char *why = parse_number(s, end, step, &digits);

    if (why)
        return why;
    if (digits == 0)
        return "missing step";
    return *step == 0 ? "zero step" : NULL;
}

struct range_spec {
    struct bound lo, hi;
    uint64_t step;
};

/* Parses the inside of "[...]", s up to end. Returns NULL or why it is
 * bad. */
static const char *parse_spec(const char *s, const char *end,
                              struct range_spec *r)
{
    const char *why = parse_bound(&s, end, &r->lo);

    if (why)
        return why;
    if (s == end || *s != '-')
        return "expected '-'";
    s++;
    if (s == end)
        return "missing end";
    why = parse_bound(&s, end, &r->hi);
    if (!why)
        why = check_bounds(&r->lo, &r->hi);
    if (why)
        return why;
    r->step = 1;
    if (s < end && *s == ':') {
        s++;
        why = parse_step(&s, end, &r->step);
    }
    if (!why && s < end)
        why = "unexpected characters";
    return why;
}

static void fill_range(struct seg *sg, const struct range_spec *r)
{
    uint64_t steps = (r->hi.value - r->lo.value) / r->step;

    sg->kind = r->lo.letter ? SEG_ALPHA : SEG_NUM;
    sg->u.range.first = r->lo.value;
    sg->u.range.step = r->step;
    sg->u.range.width = r->lo.width;
    sg->count = steps == UINT64_MAX ? UINT64_MAX : steps + 1;
}

static bool parse_range(struct parser *ps)
{
    const char *open = ps->cur.p + ps->cur.pos;
    const char *close = strchr(open, ']');
    size_t col = ps->cur.pos + 1;
    char quoted[48];

    if (!close)
        return fail(ps, "unmatched '[' at column %zu", col);
    if (close == open + 1)
        return fail(ps, "empty range at column %zu", col);
    struct range_spec r;
    const char *why = parse_spec(open + 1, close, &r);
    if (why) {
        pdl_quote(open, (size_t)(close - open) + 1, quoted, sizeof(quoted));
        return fail(ps, "bad range %s at column %zu: %s", quoted, col, why);
    }
    struct seg *sg = new_seg(ps->g, SEG_NUM);
    fill_range(sg, &r);
    if (sg->count > PDL_GLOB_MAX_RANGE)
        return fail(ps, "range too large at column %zu: more than 2^32 values",
                    col);
    ps->cur.pos += (size_t)(close - open) + 1;
    return true;
}

/* Measures the raw set element at the cursor, up to its ',' or '}'. */
static bool set_element_len(struct parser *ps, size_t open, size_t *len)
{
    const char *s = ps->cur.p + ps->cur.pos;
    size_t n = 0;

    for (;;) {
        char c = s[n];

        if (c == ',' || c == '}') {
            *len = n;
            return true;
        }
        if (c == '\0')
            return fail(ps, "unmatched '{' at column %zu", open + 1);
        if (c == '{' || c == '[')
            return fail(ps, "nested '%c' at column %zu", c,
                        ps->cur.pos + n + 1);
        n += c == '\\' && is_escapable(s[n + 1], true) ? 2 : 1;
    }
}

static void set_append(struct seg *sg, const char *s, size_t len)
{
    char *e = pdl_xmalloc(len + 1);
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && is_escapable(s[i + 1], true))
            i++;
        e[n++] = s[i];
    }
    e[n] = '\0';
    if (sg->u.set.n == sg->u.set.cap) {
        sg->u.set.cap = sg->u.set.cap ? 2 * sg->u.set.cap : 8;
        sg->u.set.elem =
            pdl_xrealloc(sg->u.set.elem, sg->u.set.cap, sizeof(char *));
    }
    sg->u.set.elem[sg->u.set.n++] = e;
}

static bool parse_set(struct parser *ps)
{
    size_t open = ps->cur.pos;
    struct seg *sg = new_seg(ps->g, SEG_SET);
    bool more = true;
    size_t len = 0;

    if (ps->cur.p[open + 1] == '}')
        return fail(ps, "empty set at column %zu", open + 1);
    ps->cur.pos++;
    while (more) {
        if (!set_element_len(ps, open, &len))
            return false;
        if (sg->u.set.n == PDL_GLOB_MAX_SET)
            return fail(ps,
                        "set too large at column %zu: more than %d elements",
                        open + 1, PDL_GLOB_MAX_SET);
        set_append(sg, ps->cur.p + ps->cur.pos, len);
        ps->cur.pos += len;
        /* set_element_len stopped at ',' or '}'. */
        more = ps->cur.p[ps->cur.pos] == ',';
        ps->cur.pos++;
    }
    sg->count = sg->u.set.n;
    return true;
}

static bool parse_all(struct parser *ps)
{
    for (;;) {
        add_text(ps);
        char c = ps->cur.p[ps->cur.pos];
        if (c == '\0')
            return true;
        if (ps->patterns == PDL_GLOB_MAX_PATTERNS)
            return fail(ps, "too many patterns at column %zu: at most %d",
                        ps->cur.pos + 1, PDL_GLOB_MAX_PATTERNS);
        ps->patterns++;
        if (!(c == '[' ? parse_range(ps) : parse_set(ps)))
            return false;
    }
}

/* Multiplies the segments' sizes, saturating rather than wrapping. */
static bool total_count(struct parser *ps)
{
    struct pdl_glob *g = ps->g;

    g->count = 1;
    for (size_t k = 0; k < g->nseg; k++) {
        uint64_t c = g->seg[k].count;

        g->count = g->count > UINT64_MAX / c ? UINT64_MAX : g->count * c;
    }
    if (g->count > PDL_GLOB_MAX_URLS)
        return fail(ps, "too many URLs: more than 2^40");
    return true;
}

struct pdl_glob *pdl_glob_create(const char *pattern, char *err, size_t errsz)
{
    struct parser ps = {.cur = {.p = pattern}, .err = err, .errsz = errsz};

    if (err && errsz > 0)
        err[0] = '\0';
    if (!pattern) {
        fail(&ps, "no pattern");
        return NULL;
    }
    ps.g = pdl_xcalloc(1, sizeof(*ps.g));
    if (!parse_all(&ps) || !total_count(&ps)) {
        pdl_glob_destroy(ps.g);
        return NULL;
    }
    return ps.g;
}

void pdl_glob_destroy(struct pdl_glob *g)
{
    if (!g)
        return;
    for (size_t k = 0; k < g->nseg; k++) {
        struct seg *sg = &g->seg[k];

        if (sg->kind == SEG_TEXT)
            free(sg->u.text.s);
        if (sg->kind != SEG_SET)
            continue;
        for (size_t e = 0; e < sg->u.set.n; e++)
            free(sg->u.set.elem[e]);
        free(sg->u.set.elem);
    }
    free(g);
}

uint64_t pdl_glob_count(const struct pdl_glob *g)
{
    return g->count;
}

/* A bounded writer that counts what it could not store, as snprintf. */
struct out {
    char *buf;
    size_t size, len;
};

static void out_put(struct out *o, const char *s, size_t n)
{
    if (o->len + 1 < o->size) {
        size_t room = o->size - 1 - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void seg_write(const struct seg *sg, uint64_t idx, struct out *o)
{
    char tmp[2 * MAX_DIGITS + 2];
    uint64_t v;
    int n;

    switch (sg->kind) {
    case SEG_TEXT:
        out_put(o, sg->u.text.s, sg->u.text.len);
        break;
    case SEG_NUM:
        v = sg->u.range.first + idx * sg->u.range.step;
        n = snprintf(tmp, sizeof(tmp), "%0*" PRIu64, sg->u.range.width, v);
        out_put(o, tmp, (size_t)n);
        break;
    case SEG_ALPHA:
        tmp[0] = (char)(sg->u.range.first + idx * sg->u.range.step);
        out_put(o, tmp, 1);
        break;
    case SEG_SET:
        out_put(o, sg->u.set.elem[idx], strlen(sg->u.set.elem[idx]));
        break;
    }
}

size_t pdl_glob_nth(const struct pdl_glob *g, uint64_t i, char *buf,
                    size_t bufsz)
{
    struct out o = {.buf = buf, .size = bufsz};
    uint64_t idx[MAX_SEGS];

    if (i < g->count) {
        /* The last segment is the least significant digit, as in curl. */
        for (size_t k = g->nseg; k-- > 0;) {
            idx[k] = i % g->seg[k].count;
            i /= g->seg[k].count;
        }
        for (size_t k = 0; k < g->nseg; k++)
            seg_write(&g->seg[k], idx[k], &o);
    }
    if (bufsz > 0)
        buf[o.len < bufsz ? o.len : bufsz - 1] = '\0';
    return o.len;
}

bool pdl_glob_has_pattern(const char *s)
{
    struct cursor c = {.p = s};

    if (!s)
        return false;
    scan_text(&c, NULL);
    return s[c.pos] != '\0';
}
