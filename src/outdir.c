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

/* mkdir -p: every missing component, in order; *made is the first one
 * created (NULL if none was). */
static int make_dirs(const char *path, char **made)
{
    char *p = pdl_xstrdup(path);
    int rc = 0;

    *made = NULL;
    for (char *s = p + 1; rc == 0; s++) {
        bool last = (*s == '\0');
        if (*s != '/' && !last)
            continue;
        *s = '\0';
        if (mkdir(p, 0777) == 0) {
            if (!*made)
                *made = pdl_xstrdup(p);
        } else if (errno != EEXIST) {
            rc = -1;
        }
        if (last)
            break;
        *s = '/';
    }
    free(p);
    return rc;
}

/* Opens the folder and proves it writable with a probe file. */
static int open_writable(const char *path, char *err, size_t errsz)
{
    char probe[64];
    int fd, pfd;

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

int pdl_outdir_create(const char *path, char **made, char *err, size_t errsz)
{
    int fd = -1;

    if (make_dirs(path, made) != 0)
        snprintf(err, errsz, "cannot create: %s", strerror(errno));
    else
        fd = open_writable(path, err, errsz);
    if (fd < 0) {
        pdl_outdir_unmake(path, *made);
        free(*made);
        *made = NULL;
    }
    return fd;
}

int pdl_outdir_open(const char *path, char *err, size_t errsz)
{
    char *made = NULL;
    int fd = pdl_outdir_create(path, &made, err, errsz);

    free(made);
    return fd;
}

void pdl_outdir_unmake(const char *path, const char *made)
{
    char *p;
    size_t n, stop;

    if (!made)
        return;
    p = pdl_xstrdup(path);
    n = strlen(p);
    stop = strlen(made);
    /* made is path cut at a '/', so the cuts below reach it exactly. */
    for (;;) {
        while (n > 1 && p[n - 1] == '/')
            p[--n] = '\0';
        if (n < stop || rmdir(p) != 0 || n == stop)
            break;
        while (n > 0 && p[n - 1] != '/')
            n--;
        p[n] = '\0';
    }
    free(p);
}
