/* Body files: written under a temporary name in the output folder through a
 * directory descriptor (so nothing lands outside it), renamed on success. */
#include "pdl/sink.h"
#include "pdl/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* pdl_sink_init zeroes every field before tmp: the texts are the tail,
 * one after the other. */
#define SINK_TEXTS                                                             \
    (sizeof(((struct pdl_sink *)0)->tmp) +                                     \
     sizeof(((struct pdl_sink *)0)->alt) +                                     \
     sizeof(((struct pdl_sink *)0)->alt_saved) +                               \
     sizeof(((struct pdl_sink *)0)->why))
_Static_assert(offsetof(struct pdl_sink, why) +
                           sizeof(((struct pdl_sink *)0)->why) ==
                       offsetof(struct pdl_sink, tmp) + SINK_TEXTS &&
                   offsetof(struct pdl_sink, tmp) + SINK_TEXTS +
                           _Alignof(struct pdl_sink) >
                       sizeof(struct pdl_sink),
               "struct pdl_sink: its texts are not its tail");

void pdl_sink_init(struct pdl_sink *s, int dirfd, const char *name, bool keep)
{
    struct stat st;

    /* The folder of the last attempt, kept open until now for its
     * partial body's sake. */
    if (s->own_dirfd)
        close(s->dirfd);
    memset(s, 0, offsetof(struct pdl_sink, tmp));
    s->tmp[0] = s->alt[0] = s->alt_saved[0] = s->why[0] = '\0';
    s->dirfd = dirfd;
    s->name = name;
    s->keep = keep;
    s->fd = -1;
    if (dirfd < 0)
        return;
    if (keep) {
        snprintf(s->tmp, sizeof(s->tmp), ".%s.part", name);
        if (fstatat(dirfd, s->tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode))
            s->offset = st.st_size;
    } else {
        /* Private to this process: two runs into one folder never share a
         * temporary file. */
        snprintf(s->tmp, sizeof(s->tmp), ".%s.part-%ld", name, (long)getpid());
    }
}

static int fail(struct pdl_sink *s)
{
    if (s->err == 0)
        s->err = errno ? errno : EIO;
    return -1;
}

void pdl_sink_expect(struct pdl_sink *s, const uint8_t want[32])
{
    s->verify = true;
    memcpy(s->want, want, sizeof(s->want));
    pdl_sha256_init(&s->hash);
}

/* Feeds the hash with the partial body a resumed download continues. */
static int hash_partial(struct pdl_sink *s)
{
    char buf[65536];
    ssize_t n;
    int fd = openat(s->dirfd, s->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    if (fd < 0)
        return fail(s);
    for (n = read(fd, buf, sizeof(buf)); n > 0; n = read(fd, buf, sizeof(buf)))
        pdl_sha256_update(&s->hash, buf, (size_t)n);
    if (n < 0)
        fail(s);
    close(fd);
    return n < 0 ? -1 : 0;
}

void pdl_sink_subdir(struct pdl_sink *s, const char *rel)
{
    char comp[PDL_NAME_MAX + 1];
    int fd = s->dirfd;

    if (s->dirfd < 0)
        return;
    for (const char *p = rel; *p; p += strcspn(p, "/"), p += *p == '/') {
        size_t n = strcspn(p, "/");
        int next = -1;
        if (n == 0)
            continue;
        snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
        if (mkdirat(fd, comp, 0755) == 0 || errno == EEXIST)
            next = openat(fd, comp,
                          O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0)
            fail(s);
        if (fd != s->dirfd)
            close(fd);
        if (next < 0)
            return;
        fd = next;
    }
    if (fd != s->dirfd) {
        s->dirfd = fd;
        s->own_dirfd = true;
    }
    /* A partial body to resume is in that folder. */
    struct stat st;
    if (s->keep && fstatat(s->dirfd, s->tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode))
        s->offset = st.st_size;
}

static int open_body(struct pdl_sink *s, bool resume)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    bool append = resume && s->offset > 0;

    if (s->err)
        return -1; /* its folder could not be made */
    flags |= append ? O_APPEND : O_TRUNC;
    if (!resume)
        s->offset = 0;
    if (s->verify)
        pdl_sha256_init(&s->hash);
    if (s->verify && append && hash_partial(s) != 0)
        return -1;
    s->fd = openat(s->dirfd, s->tmp, flags, 0644);
    return s->fd < 0 ? fail(s) : 0;
}

/* Moves the body to to, failing with EEXIST if a file has that name. */
static int move_new(struct pdl_sink *s, const char *to)
{
    if (renameat2(s->dirfd, s->tmp, s->dirfd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL) /* EINVAL: the file system cannot; link instead */
        return -1;
    if (linkat(s->dirfd, s->tmp, s->dirfd, to, 0) != 0)
        return -1;
    unlinkat(s->dirfd, s->tmp, 0);
    return 0;
}

/* Renames the body to the name the server gave, or to "stem.N.ext" when a
 * file has it: a name nobody planned must not replace another body. */
static int rename_alt(struct pdl_sink *s)
{
    char name[PDL_NAME_MAX + 32];
    const char *dot = strrchr(s->alt, '.');
    int stem =
        (int)(dot && dot != s->alt ? dot - s->alt : (long)strlen(s->alt));

    snprintf(name, sizeof(name), "%s", s->alt);
    for (int n = 1; n <= 1000; n++) {
        if (move_new(s, name) == 0) {
            memcpy(s->alt_saved, name, sizeof(s->alt_saved));
            return 0;
        }
        if (errno != EEXIST)
            return -1;
        snprintf(name, sizeof(name), "%.*s.%d%s", stem, s->alt, n,
                 s->alt + stem);
    }
    return -1;
}

/* False (and the body refused) if its digest is not the expected one. */
static bool digest_ok(struct pdl_sink *s)
{
    uint8_t got[32];
    char hex[65];

    if (!s->verify)
        return true;
    pdl_sha256_final(&s->hash, got);
    s->mismatch = memcmp(got, s->want, sizeof(got)) != 0;
    pdl_sha256_hex(got, hex);
    snprintf(s->why, sizeof(s->why), "checksum mismatch: got sha256:%.16s...",
             hex);
    return !s->mismatch;
}

int pdl_sink_write(struct pdl_sink *s, const char *data, size_t len,
                   bool resume)
{
    if (s->dirfd >= 0 && s->fd < 0 && open_body(s, resume) != 0)
        return -1;
    if (s->verify)
        pdl_sha256_update(&s->hash, data, len);
    if (s->dirfd < 0)
        return 0;
    while (len > 0) {
        ssize_t n = write(s->fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(s);
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int pdl_sink_commit(struct pdl_sink *s)
{
    int rc = 0;

    if (s->dirfd < 0)
        return digest_ok(s) ? 0 : -1;
    if (s->fd < 0 && open_body(s, s->offset > 0) != 0)
        return -1;
    if (close(s->fd) != 0)
        rc = fail(s);
    s->fd = -1;
    if (rc == 0 && !digest_ok(s))
        rc = -1;
    if (rc == 0 && s->alt[0] && rename_alt(s) != 0)
        rc = fail(s);
    else if (rc == 0 && !s->alt[0] && s->no_replace &&
             move_new(s, s->name) != 0)
        rc = fail(s);
    else if (rc == 0 && !s->alt[0] && !s->no_replace &&
             renameat(s->dirfd, s->tmp, s->dirfd, s->name) != 0)
        rc = fail(s);
    if (rc != 0)
        unlinkat(s->dirfd, s->tmp, 0);
    /* Whole or gone, the body needs no record of a partial any more. */
    if (s->keep)
        pdl_partial_meta_remove(s->dirfd, s->name);
    return rc;
}

void pdl_sink_abandon(struct pdl_sink *s)
{
    struct stat st;
    bool worth = false;

    if (s->dirfd < 0)
        return;
    if (s->fd >= 0) {
        worth =
            s->keep && s->err == 0 && fstat(s->fd, &st) == 0 && st.st_size > 0;
        close(s->fd);
        s->fd = -1;
    } else {
        worth = s->keep && s->offset > 0;
    }
    if (!worth)
        unlinkat(s->dirfd, s->tmp, 0);
    if (!worth && s->keep)
        pdl_partial_meta_remove(s->dirfd, s->name);
}

void pdl_sink_forget(struct pdl_sink *s)
{
    if (s->dirfd < 0)
        return;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    unlinkat(s->dirfd, s->tmp, 0);
    if (s->keep)
        pdl_partial_meta_remove(s->dirfd, s->name);
    s->offset = 0;
}
