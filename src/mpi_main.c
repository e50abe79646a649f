/* pdl-mpi: pdl's mpi mode, in the one binary that links MPI. pdl becomes
 * it for --mode mpi (run_mpi_relay.c), so that no other mode loads Open
 * MPI's libraries; it takes pdl's run options and nothing else. */
#include "cli.h"
#include "pdl/runner.h"

int main(int argc, char **argv)
{
    pdl_main_init();
    return pdl_cmd_run_as(argc, argv, &pdl_runner_mpi_ranks);
}
