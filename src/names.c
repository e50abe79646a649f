/* Output file names derived from URLs: sanitised so that no URL can name a
 * file outside the output folder, and made distinct deterministically. */
#include "pdl/tasklist.h"
#include "pdl/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXT_MAX 16

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

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
        if (c == '%' && i + 2 < len && hexval(src[i + 1]) >= 0 &&
            hexval(src[i + 2]) >= 0) {
            c = (unsigned char)(hexval(src[i + 1]) * 16 + hexval(src[i + 2]));
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

/* A set of names, open addressing over a power-of-two table. Each name
 * remembers the next number to try for it, so that n copies of one URL cost
 * n steps, not n squared. */
struct entry {
    const char *name;
    unsigned long next;
};

struct nameset {
    struct entry *slot;
    size_t cap;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The entry of name, added if absent; *added says which. */
static struct entry *nameset_get(struct nameset *set, const char *name,
                                 bool *added)
{
    size_t i = hash(name) & (set->cap - 1);

    while (set->slot[i].name) {
        if (strcmp(set->slot[i].name, name) == 0) {
            *added = false;
            return &set->slot[i];
        }
        i = (i + 1) & (set->cap - 1);
    }
    set->slot[i] = (struct entry){name, 1};
    *added = true;
    return &set->slot[i];
}

/* Takes the first free "stem.N.ext" for a name already taken (base). */
static char *numbered(struct nameset *set, struct entry *base)
{
    const char *name = base->name;
    size_t len = strlen(name);
    size_t elen = ext_len(name, len);
    char buf[PDL_NAME_MAX + 32];
    bool added;

    for (;; base->next++) {
        snprintf(buf, sizeof(buf), "%.*s.%lu%s", (int)(len - elen), name,
                 base->next, name + len - elen);
        char *copy = pdl_xstrdup(buf);
        nameset_get(set, copy, &added);
        if (added) {
            base->next++;
            return copy;
        }
        free(copy);
    }
}

void pdl_tasklist_plan_names(struct pdl_tasklist *list)
{
    char buf[PDL_NAME_MAX + 1];
    struct nameset set;

    /* Numbered names are added too, so at most 2 names per task: keep the
     * load factor at or under one half. */
    set.cap = 16;
    while (set.cap < list->count * 4)
        set.cap *= 2;
    set.slot = pdl_xcalloc(set.cap, sizeof(*set.slot));
    for (size_t i = 0; i < list->count; i++) {
        struct pdl_task *t = &list->tasks[i];
        free(t->name);
        pdl_name_from_url(t->url, buf, sizeof(buf));
        t->name = pdl_xstrdup(buf);
        bool added;
        struct entry *e = nameset_get(&set, t->name, &added);
        if (!added) {
            free(t->name);
            t->name = numbered(&set, e);
        }
    }
    free(set.slot);
}
