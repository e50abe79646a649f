/* Preparing the output folder, so that an unusable one is an error before any
 * download starts rather than a failure of every task. */
#include "pdl/outdir.h"
#include "pdl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* mkdir -p: every missing component, in order. */
static int make_dirs(const char *path)
{
    char *p = pdl_xstrdup(path);
    int rc = 0;

    for (char *s = p + 1; rc == 0; s++) {
        bool last = (*s == '\0');
        if (*s != '/' && !last)
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            rc = -1;
        if (last)
            break;
        *s = '/';
    }
    free(p);
    return rc;
}

int pdl_outdir_open(const char *path, char *err, size_t errsz)
{
    char probe[64];
    int fd, pfd;

    if (make_dirs(path) != 0) {
        snprintf(err, errsz, "cannot create: %s", strerror(errno));
        return -1;
    }
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errsz, "cannot open: %s", strerror(errno));
        return -1;
    }
    snprintf(probe, sizeof(probe), ".pdl-probe-%ld", (long)getpid());
    pfd = openat(fd, probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (pfd < 0) {
        snprintf(err, errsz, "cannot write: %s", strerror(errno));
        close(fd);
        return -1;
    }
    close(pfd);
    unlinkat(fd, probe, 0);
    return fd;
}
