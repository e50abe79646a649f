/* The mpi mode's clocks: rank 0 probes each rank's CLOCK_MONOTONIC with
 * ping-pongs and keeps the shortest round trip, whose midpoint is when the
 * rank read its clock, give or take half the round trip; times of a rank
 * are then put on rank 0's clock by that offset. */
#ifdef PDL_HAVE_MPI

#include "mpi_internal.h"

#include <stdlib.h>
#include <string.h>

bool pdl_mpi_sync_peer(struct pdl_mpi_link *l, int r, struct pdl_mpi_sync *s)
{
    int64_t best = INT64_MAX;

    s->ok = false;
    for (int k = 0; k < SYNC_ROUNDS; k++) {
        pdl_monotime t1 = pdl_now(), t2, theirs = 0;
        struct pdl_mpi_msg m;
        if (pdl_mpi_send_now(l, r, TAG_PING, &t1, sizeof(t1)) != MPI_SUCCESS)
            return false;
        if (pdl_mpi_wait(l->comm, r, TAG_PONG, PONG_NS, true, &m) !=
            MPI_SUCCESS)
            return false;
        t2 = pdl_now();
        if (m.len == sizeof(theirs))
            memcpy(&theirs, m.buf, sizeof(theirs));
        free(m.buf);
        if (t2 - t1 < best) {
            best = t2 - t1;
            s->at = t1 + (t2 - t1) / 2;
            s->offset = theirs - s->at;
        }
    }
    s->error = (best + 1) / 2;
    s->ok = true;
    return true;
}

int pdl_mpi_answer_ping(struct pdl_mpi_link *l)
{
    pdl_monotime now = pdl_now();

    return pdl_mpi_send_now(l, 0, TAG_PONG, &now, sizeof(now));
}

int64_t pdl_mpi_on_leader(const struct pdl_mpi_sync *s, int64_t t0,
                          int64_t since, pdl_monotime leader_t0)
{
    int64_t t = t0 + since - s->offset - leader_t0;

    return t > 0 ? t : 0;
}

#endif
