/* pdl: download lists of URLs serially, with a pool of threads or processes,
 * on curl_multi or across MPI ranks, and record when every task ran. This
 * file only picks the command; each is in src/cmd/. */
#include "cli.h"

#include <malloc.h>
#include <signal.h>
#include <string.h>

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
} commands[] = {
    {"export", pdl_cmd_export}, {"compare", pdl_cmd_compare},
    {"chart", pdl_cmd_chart},   {"predict", pdl_cmd_predict},
    {"demo", pdl_cmd_demo},
};

/* libcurl 7.88 allocates each transfer's receive buffer (256 KiB: see
 * fetch.c) when the transfer starts and frees it when it ends. Left to
 * glibc's sliding thresholds, that memory went back to the kernel and was
 * faulted in again almost every request: on this project's VMs the page
 * faults tripled the system time of small requests (20,000 x 64 B at W=16:
 * 1.35 s with, 0.74 s without). Buffers below 1 MiB therefore come from
 * the heap and up to 4 MiB of free heap top is kept; the memory held is
 * what W transfers use at once anyway. */
static void keep_transfer_buffers(void)
{
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 4 << 20);
#endif
}

int main(int argc, char **argv)
{
    keep_transfer_buffers();
    /* A closed pipe is a write error to report, not a reason to die. */
    signal(SIGPIPE, SIG_IGN);
    for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]);
         i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    return pdl_cmd_run(argc, argv);
}
