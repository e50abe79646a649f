/* The half of resuming that touches files and the curl handle: the sidecar
 * record beside a kept partial body, read and written through the output
 * folder's descriptor, and the Range and If-Range of each attempt. */
#include "pdl/resume.h"
#include "pdl/tasklist.h"
#include "pdl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A record holds a URL (one list line at most) and two validators. */
#define META_MAX (PDL_LINE_MAX + 2 * PDL_VALIDATOR_MAX + 64)
#define META_NAME_MAX (PDL_NAME_MAX + 64)

/* False (errno ENAMETOOLONG) if the record's name does not fit in buf. */
static bool meta_name(char *buf, size_t size, const char *name)
{
    if (pdl_path_fmt(buf, size, ".%s.part.meta", name) == PDL_OK)
        return true;
    errno = ENAMETOOLONG;
    return false;
}

static bool write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

bool pdl_partial_meta_save(int dirfd, const char *name,
                           const struct pdl_partial_meta *m)
{
    size_t size = (m->url ? strlen(m->url) : 0) + 2 * PDL_VALIDATOR_MAX + 64;
    char *text = pdl_xmalloc(size);
    long len = pdl_partial_meta_format(m, text, size);
    char tmp[META_NAME_MAX + 24];
    char final[META_NAME_MAX];
    bool ok = false;
    int fd = -1;

    /* Private to this process, like a body's temporary file: a record is
     * either whole under its name or absent. */
    if (!meta_name(final, sizeof(final), name) ||
        pdl_path_fmt(tmp, sizeof(tmp), "%s-%ld", final, (long)getpid()) !=
            PDL_OK)
        len = -1;
    if (len >= 0)
        fd =
            openat(dirfd, tmp,
                   O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ok = write_all(fd, text, (size_t)len);
        ok = close(fd) == 0 && ok;
        ok = ok && renameat(dirfd, tmp, dirfd, final) == 0;
        if (!ok)
            unlinkat(dirfd, tmp, 0);
    }
    free(text);
    return ok;
}

/* Reads the whole regular file fd (at most META_MAX bytes), terminated;
 * NULL if it is anything else. */
static char *read_small(int fd, size_t *len)
{
    struct stat st;
    char *buf;
    ssize_t n;

    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > META_MAX)
        return NULL;
    buf = pdl_xmalloc((size_t)st.st_size + 1);
    n = pread(fd, buf, (size_t)st.st_size, 0);
    if (n != (ssize_t)st.st_size) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

char *pdl_partial_meta_load(int dirfd, const char *name,
                            struct pdl_partial_meta *m)
{
    char path[META_NAME_MAX];
    char *text = NULL;
    size_t len = 0;
    int fd;

    *m = (struct pdl_partial_meta){.total = -1};
    if (!meta_name(path, sizeof(path), name))
        return NULL;
    /* O_NONBLOCK: a FIFO planted under the name must not hang the worker. */
    fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    text = read_small(fd, &len);
    close(fd);
    if (text && !pdl_partial_meta_parse(text, len, m)) {
        free(text);
        text = NULL;
    }
    return text;
}

void pdl_partial_meta_remove(int dirfd, const char *name)
{
    char path[META_NAME_MAX];

    if (meta_name(path, sizeof(path), name))
        unlinkat(dirfd, path, 0);
}

/* ---- the attempt's request and the reply's verdict ---- */

void pdl_resume_cleanup(struct pdl_resume *r)
{
    free(r->text);
    curl_slist_free_all(r->headers);
    memset(r, 0, offsetof(struct pdl_resume, range));
    r->range[0] = r->why[0] = '\0';
    r->known.url = NULL;
    r->known.etag[0] = r->known.modified[0] = '\0';
    r->known.total = -1;
}

/* The partial may be continued: its record names this very URL and it is
 * no longer than the length recorded. */
static bool resumable(const struct pdl_resume *r, const struct pdl_sink *s)
{
    return r->text && strcmp(r->known.url, r->url) == 0 &&
           (r->known.total < 0 || s->offset <= r->known.total);
}

/* If-Range takes a strong ETag, else the date (RFC 9110 13.1.5). */
static const char *if_range(const struct pdl_partial_meta *m)
{
    if (m->etag[0] && strncmp(m->etag, "W/", 2) != 0)
        return m->etag;
    return m->modified[0] ? m->modified : NULL;
}

/* False if the header could not be made (then nothing may be resumed). */
static bool set_if_range(struct pdl_resume *r)
{
    const char *v = if_range(&r->known);
    char line[PDL_VALIDATOR_MAX + 16];

    if (!v)
        return true;
    snprintf(line, sizeof(line), "If-Range: %s", v);
    r->headers = curl_slist_append(NULL, line);
    return r->headers != NULL;
}

void pdl_resume_begin(struct pdl_resume *r, CURL *c, struct pdl_sink *s,
                      const char *url)
{
    pdl_resume_cleanup(r);
    r->url = url;
    /* Without --continue nothing is kept and no range asked for: nothing to
     * set up per request (its options are never set on this handle). */
    r->off = !s->keep || s->dirfd < 0;
    if (r->off)
        return;
    if (s->keep && s->dirfd >= 0)
        r->text = pdl_partial_meta_load(s->dirfd, s->name, &r->known);
    if (s->offset > 0 && (!resumable(r, s) || !set_if_range(r)))
        pdl_sink_forget(s); /* and its record */
    else if (s->offset == 0 && r->text)
        pdl_partial_meta_remove(s->dirfd, s->name);
    snprintf(r->range, sizeof(r->range), "%lld-", (long long)s->offset);
    /* The options stay on the handle from one task to the next: always
     * set both, to NULL for a whole download. */
    curl_easy_setopt(c, CURLOPT_RANGE, s->offset > 0 ? r->range : NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);
}

/* A reply's headers, copied (curl reuses its storage). A value too long to
 * copy reads as "", which no parser accepts and no validator equals. */
struct reply_copy {
    struct pdl_reply reply;
    char range[128];
    char etag[PDL_VALIDATOR_MAX];
    char modified[PDL_VALIDATOR_MAX];
    bool lossy; /* a validator did not fit */
};

static const char *copy_header(CURL *c, const char *name, char *buf,
                               size_t size, bool *lossy)
{
#if LIBCURL_VERSION_NUM >= 0x075400 /* 7.84.0: curl_easy_header */
    struct curl_header *h;

    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return NULL;
    /* Two values of one of these headers mean nothing sure. */
    if (h->amount != 1 || strlen(h->value) >= size) {
        *lossy = true;
        buf[0] = '\0';
    } else {
        memcpy(buf, h->value, strlen(h->value) + 1);
    }
    return buf;
#else
    (void)c;
    (void)name;
    (void)buf;
    (void)size;
    (void)lossy;
    return NULL; /* no Content-Range is ever seen: nothing is appended */
#endif
}

static void read_reply(CURL *c, struct reply_copy *rc)
{
    bool ignored = false;

    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rc->reply.http);
    rc->reply.content_range =
        copy_header(c, "Content-Range", rc->range, sizeof(rc->range), &ignored);
    rc->reply.etag =
        copy_header(c, "ETag", rc->etag, sizeof(rc->etag), &rc->lossy);
    rc->reply.modified = copy_header(c, "Last-Modified", rc->modified,
                                     sizeof(rc->modified), &rc->lossy);
}

/* The body starts over from zero: drop the old partial and, when the new
 * body may be kept, record what it belongs to before its first byte. */
static void start_over(struct pdl_resume *r, CURL *c, struct pdl_sink *s,
                       const struct reply_copy *rc)
{
    struct pdl_partial_meta m = {.url = r->url, .total = -1};
    int64_t first, last;
    curl_off_t len = -1;

    if (s->offset > 0)
        pdl_sink_forget(s);
    /* Without its validators a record would let a changed resource be
     * continued: better none, and a whole download next time. */
    if (!s->keep || s->dirfd < 0 || rc->lossy)
        return;
    if (rc->reply.etag)
        memcpy(m.etag, rc->etag, sizeof(m.etag));
    if (rc->reply.modified)
        memcpy(m.modified, rc->modified, sizeof(m.modified));
    if (rc->reply.http == 206 && rc->reply.content_range)
        pdl_content_range_parse(rc->range, &first, &last, &m.total);
    else if (rc->reply.http == 200 &&
             curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len) ==
                 CURLE_OK &&
             len >= 0)
        m.total = (int64_t)len;
    pdl_partial_meta_save(s->dirfd, s->name, &m);
}

enum pdl_resume_verdict pdl_resume_check(struct pdl_resume *r, CURL *c,
                                         struct pdl_sink *s)
{
    struct reply_copy rc;
    int64_t have = s->offset;

    if (r->judged)
        return r->verdict;
    r->judged = true;
    if (r->off) {
        r->verdict = PDL_RESUME_FRESH;
        return r->verdict;
    }
    /* Zeroed here, not where declared: the returns above are every
     * task's way out when nothing is resumed. */
    rc = (struct reply_copy){.reply.http = 0};
    read_reply(c, &rc);
    r->verdict = pdl_resume_judge(r->text ? &r->known : NULL, have, &rc.reply);
    if (r->verdict == PDL_RESUME_RESTART)
        snprintf(r->why, sizeof(r->why),
                 "HTTP %ld, Content-Range \"%.40s\": does not continue the "
                 "%lld bytes kept",
                 rc.reply.http,
                 rc.reply.content_range ? rc.reply.content_range : "",
                 (long long)have);
    if (r->verdict == PDL_RESUME_FRESH && rc.reply.http >= 200 &&
        rc.reply.http < 300)
        start_over(r, c, s, &rc);
    return r->verdict;
}
