/* The mpi mode's row in pdl. MPI is linked into pdl-mpi alone: loading
 * Open MPI's libraries took about 2 ms of every pdl start (10.2 -> 8.3 ms
 * for a run of one URL), in every mode. So for --mode mpi, pdl becomes
 * pdl-mpi, installed beside it, with the same arguments, before it reads a
 * list or starts a thread; under mpirun every rank does, and pdl-mpi then
 * starts MPI as pdl used to. */
#include "pdl/runner.h"

#ifdef PDL_HAVE_MPI

#include "cli.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PDL_MPI_BINARY "pdl-mpi"

/* pdl-mpi beside the running pdl. Returns 0, or -1 with why in err. */
static int helper_path(char *path, size_t n, char *err, size_t errn)
{
    int rc = pdl_self_exe(path, n);
    char *slash = rc == PDL_OK ? strrchr(path, '/') : NULL;

    if (rc != PDL_OK || !slash ||
        (size_t)(slash + 1 - path) + sizeof(PDL_MPI_BINARY) > n) {
        snprintf(err, errn, "cannot find pdl itself: %s",
                 rc == PDL_ERR_SYSTEM ? strerror(errno) : "path too long");
        return -1;
    }
    memcpy(slash + 1, PDL_MPI_BINARY, sizeof(PDL_MPI_BINARY));
    if (access(path, X_OK) != 0) {
        snprintf(err, errn, "%s, which runs it, is missing: %s", path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static int become_pdl_mpi(int *argc, char ***argv,
                          const struct pdl_options *opt, void **ctx)
{
    char path[4096], err[4400];

    (void)argc;
    (void)opt;
    (void)ctx;
    if (helper_path(path, sizeof(path), err, sizeof(err)) == 0) {
        execv(path, *argv);
        snprintf(err, sizeof(err), "cannot run %s: %s", path, strerror(errno));
    }
    fprintf(stderr, "pdl: --mode mpi: %s\n", err);
    return PDL_EXIT_USAGE;
}

const struct pdl_runner pdl_runner_mpi = {
    .name = "mpi",
    .help = PDL_MPI_HELP,
    .setup = become_pdl_mpi,
    /* A rank's async slots: a socket each (checked again in pdl-mpi). */
    .fds_per_worker = 1,
};

#else /* no MPI in this build */

const struct pdl_runner pdl_runner_mpi = {
    .name = "mpi",
    .help = "not in this build (pdl was built without MPI)",
    .unavailable = "not in this build: pdl was built without MPI (install "
                   "one, e.g. libopenmpi-dev and openmpi-bin, and build pdl "
                   "again)",
};

#endif
