/* The streaming list reader: one line at a time from each list in turn,
 * patterns expanded by index, bad lines reported as they are met. Memory is
 * two line buffers and a block, whatever the length of the lists. */
#include "pdl/reader.h"
#include "pdl/glob.h"
#include "pdl/request.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

struct source {
    char *path; /* as given; "(stdin)" is named so in messages */
    FILE *in;
    bool is_stdin;
    bool regular;
};

/* A line as read: its text (cut at PDL_LINE_MAX, the rest counted), number
 * and byte offset. */
struct line {
    char *text; /* PDL_LINE_MAX + 4 bytes */
    size_t kept, total;
    long number;
    int64_t offset;
    size_t src; /* the list it is in */
    bool valid;
};

struct pdl_reader {
    struct source *src;
    size_t nsrc, cur; /* lists, and the one being read */
    bool glob;
    FILE *diag;
    size_t bad;
    uint64_t next_id;
    /* Block reading of the current list. */
    char block[65536];
    size_t pos, len;
    int64_t block_at; /* offset of block[0] in the list */
    long lineno;      /* lines read from the current list */
    /* The URL line being handed out, and one line read ahead of it (to
     * see whether option lines follow). */
    struct line url_line, ahead;
    char *url;                   /* inside url_line.text, terminated */
    char name[PDL_NAME_MAX + 1]; /* out= of url, "" if none */
    char *opts;                  /* its other option lines, '\n'-ended */
    size_t opts_len;             /* 0 if none */
    struct pdl_glob *pattern;    /* NULL: url is one task */
    uint64_t count, sub;         /* expansions of url, and the next one */
    char *expanded;              /* PDL_LINE_MAX + 1 bytes */
    bool failed;                 /* a list could not be read */
    bool cut;                    /* reading was stopped before the end */
    const atomic_int *stop;      /* set: stop waiting for input; may be NULL */
};

static void line_alloc(struct line *l)
{
    l->text = pdl_xmalloc(PDL_LINE_MAX + 4);
    l->valid = false;
}

static int open_source(struct source *s, const char *path, FILE *diag)
{
    struct stat st;

    s->is_stdin = strcmp(path, "-") == 0;
    s->path = pdl_xstrdup(s->is_stdin ? "(stdin)" : path);
    s->in = s->is_stdin ? stdin : fopen(path, "r");
    if (!s->in) {
        if (diag)
            fprintf(diag, "pdl: %s: %s\n", path, strerror(errno));
        return -1;
    }
    s->regular = fstat(fileno(s->in), &st) == 0 && S_ISREG(st.st_mode);
    return 0;
}

static struct pdl_reader *reader_alloc(size_t n, bool glob, FILE *diag)
{
    struct pdl_reader *r = pdl_xcalloc(1, sizeof(*r));

    r->src = pdl_xcalloc(n ? n : 1, sizeof(*r->src));
    r->nsrc = n;
    r->glob = glob;
    r->diag = diag;
    line_alloc(&r->url_line);
    line_alloc(&r->ahead);
    r->expanded = pdl_xmalloc(PDL_LINE_MAX + 1);
    r->opts = pdl_xmalloc(PDL_OPTS_MAX + 1);
    return r;
}

struct pdl_reader *pdl_reader_create(const char *const *paths, size_t n,
                                     bool glob, FILE *diag)
{
    struct pdl_reader *r = reader_alloc(n, glob, diag);

    for (size_t i = 0; i < n; i++) {
        if (open_source(&r->src[i], paths[i], diag) != 0) {
            r->nsrc = i + 1; /* its name is freed too */
            pdl_reader_destroy(r);
            return NULL;
        }
    }
    return r;
}

/* Tasks read from an already open stream: for pdl_tasklist_read. */
struct pdl_reader *pdl_reader_from_stream(FILE *in, const char *name, bool glob,
                                          FILE *diag)
{
    struct pdl_reader *r = reader_alloc(1, glob, diag);

    r->src[0].path = pdl_xstrdup(name);
    r->src[0].in = in;
    r->src[0].is_stdin = true; /* not ours to close */
    r->src[0].regular = false;
    return r;
}

void pdl_reader_destroy(struct pdl_reader *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsrc; i++) {
        if (r->src[i].in && !r->src[i].is_stdin)
            fclose(r->src[i].in);
        free(r->src[i].path);
    }
    pdl_glob_destroy(r->pattern);
    free(r->src);
    free(r->url_line.text);
    free(r->ahead.text);
    free(r->expanded);
    free(r->opts);
    free(r);
}

void pdl_reader_stop_on(struct pdl_reader *r, const atomic_int *stop)
{
    r->stop = stop;
}

bool pdl_reader_cut(const struct pdl_reader *r)
{
    return r->cut;
}

size_t pdl_reader_bad(const struct pdl_reader *r)
{
    return r->bad;
}

bool pdl_reader_seekable(const struct pdl_reader *r)
{
    for (size_t i = 0; i < r->nsrc; i++)
        if (!r->src[i].regular)
            return false;
    return true;
}

/* Fills block with what the current list has next: as much as a read
 * gives, so that a list arriving slowly on a pipe is handed out as it
 * comes; while a pipe has nothing, it waits in short steps, so that a stop
 * ends the wait. Returns the bytes read, 0 at the end (or when stopped). */
static size_t fill_block(struct pdl_reader *r, FILE *in)
{
    int fd = fileno(in);
    ssize_t n;

    if (fd < 0) /* a stream in memory */
        return fread(r->block, 1, sizeof(r->block), in);
    for (;;) {
        if (!r->src[r->cur].regular) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            if (r->stop && atomic_load(r->stop)) {
                r->cut = true;
                return 0;
            }
            if (poll(&p, 1, 100) == 0)
                continue;
        }
        n = read(fd, r->block, sizeof(r->block));
        if (n >= 0)
            return (size_t)n;
        if (errno != EINTR && errno != EAGAIN) {
            r->failed = true;
            return 0;
        }
    }
}

/* Reads the next raw line of the current list into l (at most cap bytes
 * kept, the rest counted). False at the end of the list. */
static bool read_raw(struct pdl_reader *r, struct line *l, size_t cap)
{
    FILE *in = r->src[r->cur].in;

    l->kept = l->total = 0;
    l->offset = r->block_at + (int64_t)r->pos;
    for (;;) {
        if (r->pos == r->len) {
            r->block_at += (int64_t)r->len;
            r->len = fill_block(r, in);
            r->pos = 0;
            if (r->len == 0) {
                if (ferror(in))
                    r->failed = true;
                if (l->total == 0)
                    return false;
                break;
            }
        }
        const char *p = r->block + r->pos;
        const char *nl = memchr(p, '\n', r->len - r->pos);
        size_t n = nl ? (size_t)(nl - p) : r->len - r->pos;
        size_t room = cap - l->kept;
        memcpy(l->text + l->kept, p, n < room ? n : room);
        l->kept += n < room ? n : room;
        l->total += n;
        r->pos += n + (nl != NULL);
        if (nl)
            break;
    }
    l->number = ++r->lineno;
    l->src = r->cur;
    return true;
}

/* Reads the next line of any list, moving to the next list at the end of
 * one; the byte order mark of a list's first line is dropped. */
static bool read_line(struct pdl_reader *r, struct line *l)
{
    while (r->cur < r->nsrc) {
        bool first = r->lineno == 0;
        if (read_raw(r, l, PDL_LINE_MAX + (first ? 3 : 0))) {
            if (first && l->kept >= 3 &&
                memcmp(l->text, "\xef\xbb\xbf", 3) == 0) {
                memmove(l->text, l->text + 3, l->kept - 3);
                l->kept -= 3;
                l->total -= 3;
            }
            if (l->kept > PDL_LINE_MAX)
                l->kept = PDL_LINE_MAX;
            l->valid = true;
            return true;
        }
        if (r->cut)
            return false;
        if (r->failed) {
            if (r->diag)
                fprintf(r->diag, "pdl: %s: %s\n", r->src[r->cur].path,
                        strerror(errno ? errno : EIO));
            r->cur = r->nsrc;
            return false;
        }
        r->cur++;
        if (r->cur < r->nsrc && r->src[r->cur].regular)
            lseek(fileno(r->src[r->cur].in), 0, SEEK_SET);
        r->pos = r->len = 0;
        r->block_at = 0;
        r->lineno = 0;
    }
    return false;
}

static void report(struct pdl_reader *r, const struct line *l, const char *why)
{
    char quoted[128];
    char *s = l->text, *e = l->text + l->kept;

    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    pdl_quote(s, (size_t)(e - s), quoted, sizeof(quoted));
    if (r->diag)
        fprintf(r->diag, "pdl: %s:%ld: %s: \"%s\"\n", r->src[l->src].path,
                l->number, why, quoted);
    r->bad++;
}

/* An option line under a URL: indented "key=value". */
static bool is_option(const struct line *l, char **key, char **value)
{
    char *s = l->text, *e = l->text + l->kept;

    if (l->kept == 0 || (s[0] != ' ' && s[0] != '\t'))
        return false;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq || eq == s || *s == '#' || strncasecmp(s, "http", 4) == 0)
        return false;
    for (char *p = s; p < eq; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
            return false;
    *eq = '\0';
    *e = '\0';
    *key = s;
    *value = eq + 1;
    return true;
}

/* A name given with out=: one plain file name, as pdl would derive it. */
static const char *check_name(const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n > PDL_NAME_MAX)
        return "out= needs a file name of 1 to 200 bytes";
    if (v[0] == '.' || strchr(v, '/') || strchr(v, '\\'))
        return "out= must be a plain file name (no '/', not hidden)";
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return "out= holds a control byte";
    return NULL;
}

/* Checks one header= or checksum= value; NULL if it is good. */
static const char *check_opt(const struct pdl_reader *r, const char *key,
                             const char *value)
{
    uint8_t digest[32];

    if (strcmp(key, "header") == 0)
        return pdl_request_check_header(value)
                   ? "header= must be \"Name: value\" (no control bytes)"
                   : NULL;
    if (r->pattern)
        return "checksum= cannot check the URLs of a pattern";
    if (pdl_checksum_parse(value, digest))
        return "checksum= must be sha256: and 64 hex digits";
    if (strstr(r->opts, "checksum="))
        return "a second checksum= under one URL";
    return NULL;
}

/* Keeps a header= or checksum= line for the task, as "key=value\n". */
static const char *keep_opt(struct pdl_reader *r, const char *key,
                            const char *value)
{
    const char *why = check_opt(r, key, value);
    size_t n = strlen(key) + strlen(value) + 2;

    if (why)
        return why;
    if (r->opts_len + n > PDL_OPTS_MAX)
        return "too many option lines under one URL";
    snprintf(r->opts + r->opts_len, PDL_OPTS_MAX + 1 - r->opts_len, "%s=%s\n",
             key, value);
    r->opts_len += n;
    return NULL;
}

/* Applies the option lines that follow the URL line; the first other line
 * stays read ahead. */
/* True if reading the next line might wait: a pipe or terminal with
 * nothing buffered and nothing to read yet. */
static bool would_wait(struct pdl_reader *r)
{
    int fd;

    if (r->cur >= r->nsrc || r->src[r->cur].regular || r->pos < r->len)
        return false;
    fd = fileno(r->src[r->cur].in);
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

static void take_options(struct pdl_reader *r)
{
    char *key, *value;

    r->opts[0] = '\0';
    r->opts_len = 0;
    /* A URL arriving on a pipe is handed out at once: its option lines
     * count only if they came with it. */
    while (!would_wait(r) && read_line(r, &r->ahead) &&
           is_option(&r->ahead, &key, &value)) {
        const char *why = NULL;
        if (strcmp(key, "header") == 0 || strcmp(key, "checksum") == 0)
            why = keep_opt(r, key, value);
        else if (strcmp(key, "out") != 0)
            why = "unknown option under a URL (known: out=, header=, "
                  "checksum=)";
        else if (r->pattern)
            why = "out= cannot name the URLs of a pattern";
        else if (!(why = check_name(value)))
            snprintf(r->name, sizeof(r->name), "%s", value);
        value[-1] = '='; /* the line as it was, for the report */
        if (why)
            report(r, &r->ahead, why);
        r->ahead.valid = false;
    }
}

/* Prepares the URL of line l to be handed out: a pattern is parsed and
 * counted, a plain URL is one task. False if the line is bad (reported). */
static bool start_url(struct pdl_reader *r, char *url)
{
    char err[128], msg[256];

    r->url = url;
    r->name[0] = '\0';
    r->opts[0] = '\0';
    r->opts_len = 0;
    r->sub = 0;
    r->count = 1;
    pdl_glob_destroy(r->pattern);
    r->pattern = NULL;
    if (!r->glob || !strpbrk(url, "[{\\") ||
        (!pdl_glob_has_pattern(url) && !strchr(url, '\\')))
        return true;
    r->pattern = pdl_glob_create(url, err, sizeof(err));
    if (!r->pattern) {
        snprintf(msg, sizeof(msg), "bad URL pattern (%s)", err);
        report(r, &r->url_line, msg);
        return false;
    }
    r->count = pdl_glob_count(r->pattern);
    if (r->count > PDL_PATTERN_MAX) {
        snprintf(msg, sizeof(msg),
                 "pattern expands to %llu URLs, more than the limit of %llu",
                 (unsigned long long)r->count,
                 (unsigned long long)PDL_PATTERN_MAX);
        report(r, &r->url_line, msg);
        return false;
    }
    return true;
}

/* Moves to the next URL line. False at the end of the lists. */
static bool next_url_line(struct pdl_reader *r)
{
    struct line *l = &r->url_line;
    const char *why = NULL;
    char *url = NULL, msg[64];

    for (;;) {
        if (r->ahead.valid) {
            struct line t = *l;
            *l = r->ahead;
            r->ahead = t;
            r->ahead.valid = false;
        } else if (!read_line(r, l)) {
            return false;
        }
        l->valid = false;
        if (l->total > l->kept) {
            snprintf(msg, sizeof(msg), "line too long (%zu bytes, limit %d)",
                     l->total, PDL_LINE_MAX);
            l->kept = 60;
            report(r, l, msg);
            continue;
        }
        char *k, *v;
        if (is_option(l, &k, &v)) {
            report(r, l, "option line without a URL above it");
            continue;
        }
        switch (pdl_line_parse(l->text, l->kept, &url, &why)) {
        case PDL_LINE_SKIP:
            continue;
        case PDL_LINE_BAD:
            report(r, l, why);
            continue;
        case PDL_LINE_URL:
            break;
        }
        if (!start_url(r, url))
            continue;
        take_options(r);
        return true;
    }
}

int pdl_reader_next(struct pdl_reader *r, struct pdl_task_ref *t)
{
    for (;;) {
        while (r->url && r->sub < r->count) {
            const char *url = r->url;
            uint64_t i = r->sub++;
            if (r->pattern) {
                size_t len =
                    pdl_glob_nth(r->pattern, i, r->expanded, PDL_LINE_MAX + 1);
                /* Every expansion keeps its id, so that counting a pattern
                 * (pdl_reader_census) needs no expanding. */
                if (len > PDL_LINE_MAX || !pdl_url_is_http(r->expanded)) {
                    r->next_id++;
                    report(r, &r->url_line,
                           len > PDL_LINE_MAX
                               ? "pattern gives a URL that is too long"
                               : "pattern gives a URL that is not http(s)");
                    continue;
                }
                url = r->expanded;
            }
            *t = (struct pdl_task_ref){.id = r->next_id++,
                                       .url = url,
                                       .name = r->name[0] ? r->name : NULL,
                                       .opts = r->opts_len ? r->opts : NULL,
                                       .source = r->src[r->url_line.src].path,
                                       .line = r->url_line.number};
            return 1;
        }
        r->url = NULL;
        if (!next_url_line(r))
            return r->failed ? -1 : 0;
    }
}

void pdl_reader_mark(const struct pdl_reader *r, struct pdl_reader_mark *m)
{
    bool mid = r->url && r->sub < r->count;

    m->id = r->next_id;
    m->sub = mid ? r->sub : 0;
    if (mid) {
        m->source = r->url_line.src;
        m->offset = r->url_line.offset;
        m->line = r->url_line.number - 1;
    } else if (r->ahead.valid) {
        m->source = r->ahead.src;
        m->offset = r->ahead.offset;
        m->line = r->ahead.number - 1;
    } else {
        m->source = r->cur;
        m->offset = r->block_at + (int64_t)r->pos;
        m->line = r->lineno;
    }
}

struct pdl_reader *pdl_reader_clone_at(const struct pdl_reader *r,
                                       const struct pdl_reader_mark *m)
{
    struct pdl_reader *c;

    if (!pdl_reader_seekable(r))
        return NULL;
    c = reader_alloc(r->nsrc, r->glob, NULL);
    for (size_t i = 0; i < r->nsrc; i++) {
        c->src[i].path = pdl_xstrdup(r->src[i].path);
        c->src[i].regular = true;
        /* Its own open file description: a position of its own. */
        char proc[64];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(r->src[i].in));
        c->src[i].in = fopen(proc, "r");
        if (!c->src[i].in) {
            c->nsrc = i + 1; /* its name is freed too */
            pdl_reader_destroy(c);
            return NULL;
        }
    }
    c->cur = m->source;
    c->lineno = m->line;
    c->next_id = m->id;
    if (c->cur < c->nsrc &&
        fseeko(c->src[c->cur].in, m->offset, SEEK_SET) != 0) {
        pdl_reader_destroy(c);
        return NULL;
    }
    c->block_at = m->offset;
    /* Its reads go through the descriptor: place it too. */
    if (c->cur < c->nsrc &&
        lseek(fileno(c->src[c->cur].in), m->offset, SEEK_SET) < 0) {
        pdl_reader_destroy(c);
        return NULL;
    }
    if (m->sub > 0 && next_url_line(c))
        c->sub = m->sub;
    return c;
}

int pdl_reader_spool(struct pdl_reader *r)
{
    char buf[65536];
    size_t n;

    for (size_t i = 0; i < r->nsrc; i++) {
        struct source *s = &r->src[i];
        if (s->regular)
            continue;
        FILE *tmp = tmpfile();
        if (!tmp)
            return -1;
        while ((n = fread(buf, 1, sizeof(buf), s->in)) > 0)
            if (fwrite(buf, 1, n, tmp) != n)
                break;
        if (ferror(s->in) || fflush(tmp) != 0 || ferror(tmp) ||
            fseeko(tmp, 0, SEEK_SET) != 0) {
            fclose(tmp);
            errno = errno ? errno : EIO;
            return -1;
        }
        if (!s->is_stdin)
            fclose(s->in);
        s->in = tmp;
        s->is_stdin = false; /* the temporary file is ours to close */
        s->regular = true;
    }
    return 0;
}

/* Counts tasks from mark m to the end; with marks, also records the places
 * of the tasks whose ids are in want (ascending). */
static uint64_t count_from(const struct pdl_reader *r,
                           const struct pdl_reader_mark *m,
                           const uint64_t *want, struct pdl_reader_mark *marks,
                           size_t nmarks, const atomic_int *stop)
{
    struct pdl_reader *c = pdl_reader_clone_at(r, m);
    struct pdl_task_ref t;
    size_t k = 0;
    uint64_t n = 0;
    int rc;

    if (!c)
        return UINT64_MAX;
    for (;;) {
        if (stop && atomic_load(stop)) {
            rc = -1;
            break;
        }
        while (k < nmarks && want[k] == c->next_id)
            pdl_reader_mark(c, &marks[k++]);
        /* Patterns are counted, never expanded: jump to the next mark in
         * it, or past its end. */
        if (c->url && c->sub < c->count && c->pattern) {
            uint64_t left = c->count - c->sub, step = left;
            if (k < nmarks && want[k] < c->next_id + left)
                step = want[k] - c->next_id;
            c->next_id += step;
            c->sub += step;
            n += step;
            if (step > 0)
                continue;
        }
        rc = pdl_reader_next(c, &t);
        if (rc <= 0)
            break;
        n++;
    }
    while (k < nmarks)
        pdl_reader_mark(c, &marks[k++]);
    pdl_reader_destroy(c);
    return rc < 0 ? UINT64_MAX : n;
}

uint64_t pdl_reader_census(const struct pdl_reader *r,
                           struct pdl_reader_mark *marks, size_t nmarks)
{
    struct pdl_reader_mark here;
    uint64_t total, *want;

    pdl_reader_mark(r, &here);
    total = count_from(r, &here, NULL, NULL, 0, NULL);
    if (total == UINT64_MAX || nmarks == 0)
        return total;
    want = pdl_xcalloc(nmarks, sizeof(*want));
    for (size_t k = 0; k < nmarks; k++)
        want[k] = here.id + total * k / nmarks;
    count_from(r, &here, want, marks, nmarks, NULL);
    free(want);
    return total;
}

uint64_t pdl_reader_count_all(const struct pdl_reader *r,
                              const atomic_int *stop)
{
    struct pdl_reader_mark start = {0};

    return count_from(r, &start, NULL, NULL, 0, stop);
}

void pdl_reader_skim(struct pdl_reader *r)
{
    struct pdl_task_ref t;

    for (;;) {
        if (r->url && r->sub < r->count && r->pattern) {
            r->next_id += r->count - r->sub;
            r->sub = r->count;
        }
        if (pdl_reader_next(r, &t) <= 0)
            return;
    }
}
