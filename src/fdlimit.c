/* Descriptor room for a run, made before its workers start. */
#include "pdl/fdlimit.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Linux grows a descriptor table by doubling it, and in a process with more
 * than one thread each growth waits for an RCU grace period while every
 * thread that opens a descriptor waits behind it. 200 threads opening their
 * sockets went through four growths: about 20 ms of a 150 ms run (200 x
 * /delay/100 against nginx). One growth now, with one thread, waits for
 * nothing. If standard error is closed there is nothing to copy, and past
 * the soft limit nothing to make: the table then grows as before. */
static void grow_table(unsigned long need)
{
    int fd;

    if (need < 2)
        return;
    fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, (int)(need - 1));
    if (fd >= 0)
        close(fd);
}

void pdl_fdlimit_raise(unsigned long need)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)need * PDL_FDS_HEADROOM;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return; /* nothing known: the run goes on as it would have */
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    /* Raising the soft limit up to the hard one is always allowed. */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = want;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    grow_table(need);
}

unsigned long pdl_fdlimit_max(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max == RLIM_INFINITY)
        return (unsigned long)-1;
    return (unsigned long)rl.rlim_max;
}
