/* The mpi mode's row: the ranks that mpirun starts share one list. Rank 0
 * reads it and hands tasks out on demand (mpi_leader.c), every other rank
 * runs what it is granted and sends each record back (mpi_follower.c), and
 * rank 0 settles them on its own clock into the one results stream. This
 * file holds the row's context and its hooks: MPI is started in setup,
 * where the other ranks also serve, and ended in teardown. See run_mpi.md
 * for the design. Only pdl-mpi links this file, and MPI: pdl becomes
 * pdl-mpi for this mode (run_mpi_relay.c). */
#include "pdl/runner.h"

#ifdef PDL_HAVE_MPI

#include "cli.h"
#include "mpi_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Starts MPI with the signals that pdl's watcher takes blocked, so that
 * MPI's own threads leave them to it (else one of them would take the
 * signal and die of it). Returns PDL_OK or PDL_ERR_SYSTEM (reported). */
static int init_mpi(int *argc, char ***argv)
{
    sigset_t quiet, old;
    int provided = 0, rc;

    sigemptyset(&quiet);
    sigaddset(&quiet, SIGINT);
    sigaddset(&quiet, SIGTERM);
    sigaddset(&quiet, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &quiet, &old);
    rc = MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != MPI_SUCCESS) {
        fputs("pdl: mpi: MPI could not be started\n", stderr);
        return PDL_ERR_SYSTEM;
    }
    if (provided < MPI_THREAD_SERIALIZED) {
        fputs("pdl: mpi: this MPI library cannot be called from more than "
              "one thread (MPI_THREAD_SERIALIZED), which pdl needs\n",
              stderr);
        MPI_Finalize();
        return PDL_ERR_SYSTEM;
    }
    return PDL_OK;
}

static struct pdl_mpi *context_create(void)
{
    struct pdl_mpi *M = pdl_xcalloc(1, sizeof(*M));

    MPI_Comm_dup(MPI_COMM_WORLD, &M->comm);
    /* Errors come back as codes: a lost rank is reported, not fatal. */
    MPI_Comm_set_errhandler(M->comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(M->comm, &M->rank);
    MPI_Comm_size(M->comm, &M->size);
    M->host = pdl_xcalloc((size_t)M->size, sizeof(*M->host));
    M->hosts = pdl_xcalloc((size_t)M->size, sizeof(*M->hosts));
    for (int r = 0; r < M->size; r++) {
        snprintf(M->host[r], sizeof(M->host[r]), "unknown");
        M->hosts[r] = M->host[r];
    }
    if (gethostname(M->host[M->rank], sizeof(M->host[M->rank]) - 1) != 0)
        snprintf(M->host[M->rank], sizeof(M->host[M->rank]), "unknown");
    return M;
}

/* Starts MPI (only ever called for --mode mpi) and makes the context. A
 * rank other than 0 then serves rank 0 and returns its exit status. */
static int mpi_setup(int *argc, char ***argv, const struct pdl_options *opt,
                     void **ctx)
{
    struct pdl_mpi *M;

    *ctx = NULL;
    if (init_mpi(argc, argv) != PDL_OK)
        return PDL_EXIT_USAGE;
    M = context_create();
    *ctx = M;
    if (M->rank == 0)
        return -1;
    return pdl_mpi_follow(M, opt) == PDL_OK ? PDL_EXIT_OK : PDL_EXIT_FAILED;
}

static int mpi_run(struct pdl_run *run, void *ctx)
{
    struct pdl_mpi *M = ctx;

    if (!M || M->rank != 0)
        return PDL_ERR_SYSTEM;
    return pdl_mpi_lead(M, run);
}

static void mpi_describe(void *ctx, struct pdl_run_info *info)
{
    const struct pdl_mpi *M = ctx;
    size_t tasks;

    if (!M || !M->described)
        return;
    tasks = pdl_results_count(M->results);
    info->ranks = (unsigned)M->size;
    info->rank_hosts = M->hosts;
    info->clock_error = M->clock_error;
    info->messages = M->messages;
    info->messages_per_task = tasks ? (double)M->dispatch / (double)tasks : 0;
}

static unsigned mpi_total_workers(void *ctx, unsigned workers)
{
    const struct pdl_mpi *M = ctx;

    return M ? workers * (unsigned)M->size : workers;
}

/* Ends MPI. On rank 0 it first releases the other ranks: from waiting for
 * a run that never started (the lists could not be read, say), or from
 * waiting for the goodbye while the outputs were written. */
static void mpi_teardown(void *ctx)
{
    struct pdl_mpi *M = ctx;

    if (!M)
        return;
    if (M->rank == 0 && !M->started)
        pdl_mpi_cancel(M);
    pdl_mpi_farewell(M);
    /* MPI_Finalize waits for every rank, a dead one too: after a loss the
     * others leave without it (mpirun --enable-recovery lets them). */
    if (!M->no_finalize)
        MPI_Finalize();
    free(M->hosts);
    free(M->host);
    free(M);
}

const struct pdl_runner pdl_runner_mpi_ranks = {
    .name = "mpi",
    .help = PDL_MPI_HELP,
    .setup = mpi_setup,
    .run = mpi_run,
    /* A rank's async slots: a socket each. */
    .fds_per_worker = 1,
    .describe = mpi_describe,
    .total_workers = mpi_total_workers,
    .teardown = mpi_teardown,
};

#endif
