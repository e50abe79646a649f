/* The mpi mode outside its runner: MPI is started in main before any thread,
 * ranks other than 0 only serve rank 0, and what a run learned about its
 * ranks goes into the timeline. In a build without MPI these do nothing and
 * the mode says it is unavailable. */
#ifndef PDL_MPI_H
#define PDL_MPI_H

#include "pdl/job.h"
#include "pdl/timeline.h"

/* Starts MPI if mode is the mpi runner's; call once in main, before any
 * thread. Returns PDL_OK (at once for other modes), or PDL_ERR_SYSTEM after
 * saying why on stderr. */
int pdl_mpi_init(int *argc, char ***argv, const char *mode);

/* This process's rank in an mpi run; 0 otherwise. */
int pdl_mpi_rank(void);

/* All that a rank other than 0 does: takes ranges of tasks from rank 0,
 * downloads them into its own opt->outdir, sends every result back, until
 * rank 0 ends the run. Prints nothing unless rank 0 is lost. Returns PDL_OK,
 * or PDL_ERR_SYSTEM if rank 0 was lost or MPI failed (reported). */
int pdl_mpi_follow(const struct pdl_options *opt);

/* Adds to info what the last mpi run on rank 0 learned: its ranks and their
 * hosts, the bound on the clock alignment error, the message counts. Does
 * nothing after a run in another mode. info keeps pointers into this module
 * until pdl_mpi_finalize. */
void pdl_mpi_describe(struct pdl_run_info *info);

/* Workers of the whole run: per_rank times the ranks of an mpi run,
 * per_rank otherwise. */
unsigned pdl_mpi_workers(unsigned per_rank);

/* Ends MPI if pdl_mpi_init started it. On rank 0 it first releases the other
 * ranks if no run was started (the list could not be read, say). */
void pdl_mpi_finalize(void);

#endif
