/* Output file names derived from URLs: sanitised so that no URL can name a
 * file outside the output folder, and made distinct deterministically. */
#include "pdl/names.h"
#include "pdl/tasklist.h"
#include "pdl/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXT_MAX 16

static bool name_char_ok(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("._+=,@-", c) != NULL;
}

/* Percent-decodes src[0..len) and maps every byte that is unsafe in a file
 * name to '_', appending to out (bounded by cap). Returns the new length. */
static size_t append_clean(char *out, size_t olen, size_t cap, const char *src,
                           size_t len)
{
    for (size_t i = 0; i < len && olen < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%' && i + 2 < len && pdl_hex_value(src[i + 1]) >= 0 &&
            pdl_hex_value(src[i + 2]) >= 0) {
            c = (unsigned char)(pdl_hex_value(src[i + 1]) * 16 +
                                pdl_hex_value(src[i + 2]));
            i += 2;
        }
        out[olen++] = (c != '\0' && name_char_ok(c)) ? (char)c : '_';
    }
    return olen;
}

/* Length of the extension of name[0..len) (".tar", ".json"), 0 if none. */
static size_t ext_len(const char *name, size_t len)
{
    for (size_t i = len; i > 1; i--) {
        if (name[i - 1] == '.') {
            size_t e = len - (i - 1); /* with the dot; "x." has none */
            return (e > 1 && e <= EXT_MAX) ? e : 0;
        }
    }
    return 0;
}

/* Splits url into the raw last path segment and the raw query. */
static void url_parts(const char *url, const char **seg, size_t *seglen,
                      const char **query, size_t *qlen)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    p += strcspn(p, "/?#"); /* skip the authority */
    size_t plen = strcspn(p, "?#");
    const char *last = p;
    for (size_t i = 0; i < plen; i++)
        if (p[i] == '/')
            last = p + i + 1;
    *seg = last;
    *seglen = (size_t)(p + plen - last);
    *query = NULL;
    *qlen = 0;
    if (p[plen] == '?') {
        *query = p + plen + 1;
        *qlen = strcspn(*query, "#");
    }
}

void pdl_name_from_url(const char *url, char *out, size_t outsz)
{
    char q[PDL_NAME_MAX];
    const char *rseg, *rq;
    size_t rseglen, rqlen;

    url_parts(url, &rseg, &rseglen, &rq, &rqlen);
    /* The whole segment, so that the extension at its end survives a cut. */
    char *seg = pdl_xmalloc(rseglen + 16);
    size_t slen = append_clean(seg, 0, rseglen, rseg, rseglen);
    size_t qlen = append_clean(q, 0, sizeof(q), rq ? rq : "", rqlen);
    if (slen == 0) {
        memcpy(seg, "index.html", 10);
        slen = 10;
    }
    size_t elen = ext_len(seg, slen);
    size_t stem = slen - elen;
    size_t cap = (outsz - 1 < PDL_NAME_MAX ? outsz - 1 : PDL_NAME_MAX);
    size_t budget = cap - elen; /* for stem, '_' and query */
    size_t o = stem < budget ? stem : budget;

    memcpy(out, seg, o);
    if (qlen && o + 1 < budget) {
        out[o++] = '_';
        size_t n = qlen < budget - o ? qlen : budget - o;
        memcpy(out + o, q, n);
        o += n;
    }
    memcpy(out + o, seg + stem, elen);
    o += elen;
    out[o] = '\0';
    /* Hidden files, "." and ".." all start with a dot. */
    if (out[0] == '.')
        out[0] = '_';
    free(seg);
}

/* The names a run has given out, as 64-bit fingerprints in an open
 * addressing table (8 bytes a name, not the name), so that a run of
 * millions of tasks can number collisions in list order without keeping
 * the names; two different names sharing a fingerprint (about one chance
 * in 10^7 at 10^6 names squared over 2^64) would cost a needless number.
 * Names taken more than once remember the next number to try in a second,
 * small table, so n copies of one URL cost n steps, not n squared. */
struct fpset {
    uint64_t *slot; /* 0 = empty */
    uint32_t *next; /* next number to try, when the set has counters */
    size_t cap, used;
};

struct pdl_namer {
    struct fpset names;
    struct fpset counters; /* names taken more than once */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    /* A final mix, and never 0, which marks an empty slot. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return h ? h : 1;
}

static void fpset_grow(struct fpset *set, bool counters);

/* The slot of fp, added if absent; *added says which. */
static size_t fpset_get(struct fpset *set, uint64_t fp, bool counters,
                        bool *added)
{
    if ((set->used + 1) * 4 > set->cap * 3)
        fpset_grow(set, counters);
    size_t i = fp & (set->cap - 1);
    while (set->slot[i]) {
        if (set->slot[i] == fp) {
            *added = false;
            return i;
        }
        i = (i + 1) & (set->cap - 1);
    }
    set->slot[i] = fp;
    if (counters)
        set->next[i] = 1;
    set->used++;
    *added = true;
    return i;
}

static void fpset_grow(struct fpset *set, bool counters)
{
    struct fpset old = *set;
    bool added;

    set->cap = old.cap ? old.cap * 2 : 1024;
    set->slot = pdl_xcalloc(set->cap, sizeof(*set->slot));
    set->next = counters ? pdl_xcalloc(set->cap, sizeof(*set->next)) : NULL;
    set->used = 0;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slot[i])
            continue;
        size_t j = fpset_get(set, old.slot[i], counters, &added);
        if (counters)
            set->next[j] = old.next[i];
    }
    free(old.slot);
    free(old.next);
}

struct pdl_namer *pdl_namer_create(void)
{
    return pdl_xcalloc(1, sizeof(struct pdl_namer));
}

void pdl_namer_destroy(struct pdl_namer *n)
{
    if (!n)
        return;
    free(n->names.slot);
    free(n->counters.slot);
    free(n->counters.next);
    free(n);
}

bool pdl_namer_reserve(struct pdl_namer *n, const char *name)
{
    bool added;

    fpset_get(&n->names, hash(name), false, &added);
    return added;
}

bool pdl_namer_given(const struct pdl_namer *n, const char *name)
{
    const struct fpset *set = &n->names;
    uint64_t fp = hash(name);

    if (set->cap == 0)
        return false;
    for (size_t i = fp & (set->cap - 1); set->slot[i];
         i = (i + 1) & (set->cap - 1))
        if (set->slot[i] == fp)
            return true;
    return false;
}

void pdl_namer_take(struct pdl_namer *n, const char *wanted, char *out,
                    size_t outsz)
{
    size_t len = strlen(wanted), elen = ext_len(wanted, len), at;
    bool added;

    snprintf(out, outsz, "%s", wanted);
    if (pdl_namer_reserve(n, wanted))
        return;
    at = fpset_get(&n->counters, hash(wanted), true, &added);
    for (;; n->counters.next[at]++) {
        snprintf(out, outsz, "%.*s.%lu%s", (int)(len - elen), wanted,
                 (unsigned long)n->counters.next[at], wanted + len - elen);
        if (pdl_namer_reserve(n, out)) {
            n->counters.next[at]++;
            return;
        }
    }
}

void pdl_tasklist_plan_names(struct pdl_tasklist *list)
{
    char want[PDL_NAME_MAX + 1], buf[PDL_NAME_MAX + 32];
    struct pdl_namer *n = pdl_namer_create();

    for (size_t i = 0; i < list->count; i++) {
        struct pdl_task *t = &list->tasks[i];
        if (t->name)
            snprintf(want, sizeof(want), "%s", t->name);
        else
            pdl_name_from_url(t->url, want, sizeof(want));
        pdl_namer_take(n, want, buf, sizeof(buf));
        free(t->name);
        t->name = pdl_xstrdup(buf);
    }
    pdl_namer_destroy(n);
}
