/* Sweeping away the temporary files that killed runs left behind: names
 * matched strictly against pdl's own patterns, and a file removed only
 * when the process its name carries no longer exists. */
#include "pdl/sweep.h"
#include "pdl/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The PID written at s as pdl writes it ("%ld" of getpid()), else 0. */
static pid_t parse_pid(const char *s)
{
    long v = 0;
    int n = 0;

    if (*s < '1' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++, n++) {
        if (n == 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    return (*s == '\0' && v <= INT_MAX) ? (pid_t)v : 0;
}

/* True if len bytes at s could be a name pdl derives from a URL. */
static bool pdl_name(const char *s, size_t len)
{
    static const char ok[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789._+=,@-";

    if (len == 0 || s[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\0' || !strchr(ok, s[i]))
            return false;
    return true;
}

/* True if the len bytes at stem end with suffix and what precedes it is
 * a name pdl makes. */
static bool stem_is(const char *stem, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);

    return len > n && memcmp(stem + len - n, suffix, n) == 0 &&
           pdl_name(stem, len - n);
}

pid_t pdl_sweep_debris_pid(const char *name)
{
    const char *dash = strrchr(name, '-');
    size_t len;

    if (name[0] != '.' || !dash)
        return 0;
    len = (size_t)(dash - name) - 1;
    if (!stem_is(name + 1, len, ".part") &&
        !stem_is(name + 1, len, ".part.meta"))
        return 0;
    return parse_pid(dash + 1);
}

pid_t pdl_sweep_outfile_pid(const char *name, const char *base)
{
    size_t n = strlen(base);

    if (n == 0 || strncmp(name, base, n) != 0 ||
        strncmp(name + n, ".part-", 6) != 0)
        return 0;
    return parse_pid(name + n + 6);
}

/* Gone for good: not this process, and no process at all (EPERM means one
 * exists that is not ours to signal). */
static bool gone(pid_t pid)
{
    return pid != getpid() && kill(pid, 0) == -1 && errno == ESRCH;
}

/* Removes from dirfd the regular files whose names match gives a gone PID;
 * base is match's second argument. */
static long sweep_dir(int dirfd, pid_t (*match)(const char *, const char *),
                      const char *base)
{
    int fd = dup(dirfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;
    struct stat st;
    long removed = 0;
    pid_t pid;

    if (!dir) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    rewinddir(dir); /* the duplicate shares dirfd's position */
    while ((de = readdir(dir)) != NULL) {
        pid = match(de->d_name, base);
        if (pid > 0 &&
            fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode) && gone(pid) &&
            unlinkat(dirfd, de->d_name, 0) == 0)
            removed++;
    }
    closedir(dir);
    return removed;
}

static pid_t match_debris(const char *name, const char *unused)
{
    (void)unused;
    return pdl_sweep_debris_pid(name);
}

long pdl_sweep(int dirfd)
{
    return sweep_dir(dirfd, match_debris, NULL);
}

long pdl_sweep_outfile(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = pdl_xstrndup(path, slash ? (size_t)(slash - path) + 1 : 0);
    int dirfd = open(dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    long removed = -1;

    if (dirfd >= 0) {
        removed =
            sweep_dir(dirfd, pdl_sweep_outfile_pid, slash ? slash + 1 : path);
        close(dirfd);
    }
    free(dir);
    return removed;
}
