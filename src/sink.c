/* Body files: written under a temporary name in the output folder through a
 * directory descriptor (so nothing lands outside it), renamed on success. */
#include "pdl/sink.h"
#include "pdl/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void pdl_sink_init(struct pdl_sink *s, int dirfd, const char *name, bool keep)
{
    struct stat st;

    *s =
        (struct pdl_sink){.dirfd = dirfd, .name = name, .keep = keep, .fd = -1};
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

static int open_body(struct pdl_sink *s, bool resume)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;

    flags |= (resume && s->offset > 0) ? O_APPEND : O_TRUNC;
    if (!resume)
        s->offset = 0;
    s->fd = openat(s->dirfd, s->tmp, flags, 0644);
    return s->fd < 0 ? fail(s) : 0;
}

int pdl_sink_write(struct pdl_sink *s, const char *data, size_t len,
                   bool resume)
{
    if (s->dirfd < 0)
        return 0;
    if (s->fd < 0 && open_body(s, resume) != 0)
        return -1;
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
        return 0;
    if (s->fd < 0 && open_body(s, s->offset > 0) != 0)
        return -1;
    if (close(s->fd) != 0)
        rc = fail(s);
    s->fd = -1;
    if (rc == 0 && renameat(s->dirfd, s->tmp, s->dirfd, s->name) != 0)
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
