/* What the files of the mpi mode share: the row's context (one per
 * process, made by its setup), the message link, the clock probes, the map
 * of tasks rank 0 has granted, and the two sides of a run. Only for builds
 * with MPI. */
#ifndef PDL_MPI_INTERNAL_H
#define PDL_MPI_INTERNAL_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mpi_wire.h"
#include "pdl/runner.h"

/* The row's context: what MPI_Init_thread gave this process, and what rank
 * 0's last run learned for the timeline's metadata. */
struct pdl_mpi {
    MPI_Comm comm; /* a duplicate of MPI_COMM_WORLD, errors returned */
    int rank, size;
    char (*host)[64];   /* per rank: this one's from the start, the others'
                           from their hellos */
    const char **hosts; /* pointers into host, for pdl_run_info */
    bool started;       /* the start message went out (rank 0) or came */
    bool no_finalize;   /* a rank may be dead: MPI_Finalize could hang */
    /* Rank 0, after a run that started. */
    bool described;
    double clock_error; /* seconds */
    unsigned long long messages, dispatch;
    const struct pdl_results *results; /* to count the records settled */
    /* Rank 0 between its run and teardown: the other ranks kept waiting
     * for its goodbye; NULL if none are. */
    struct pdl_mpi_farewell *farewell;
};

/* ---- the link (mpi_link.c) ---- */

#define TIMED_OUT (-1) /* besides MPI's codes, which are >= 0 */

struct pdl_mpi_pending {
    MPI_Request req;
    void *buf;
    int peer;
};

/* The messages one rank has sent and MPI may still be reading, with counts
 * for the timeline. Used by one thread at a time. */
struct pdl_mpi_link {
    MPI_Comm comm;
    struct pdl_mpi_pending *out;
    size_t n, cap;
    unsigned long long sent;     /* messages */
    unsigned long long dispatch; /* of them requests, grants and results */
};

/* A message received; buf is the receiver's to free. */
struct pdl_mpi_msg {
    int src, tag; /* tag 0: none came */
    char *buf;
    size_t len;
};

void pdl_mpi_nap(pdl_monotime ns);
pdl_monotime pdl_mpi_backoff(pdl_monotime idle);

/* MPI's words for error rc (or TIMED_OUT), into buf. Returns buf. */
const char *pdl_mpi_why(int rc, char *buf, size_t n);

/* A malloc'd copy of n bytes at p, for a send that takes its buffer over. */
void *pdl_mpi_dup(const void *p, size_t n);

/* Sends len bytes of buf (malloc'd, taken over, also on failure) to peer
 * without waiting. Returns MPI_SUCCESS or MPI's error code. */
int pdl_mpi_send(struct pdl_mpi_link *l, int peer, int tag, void *buf,
                 size_t len);

/* pdl_mpi_send of a copy of data. */
int pdl_mpi_send_copy(struct pdl_mpi_link *l, int peer, int tag,
                      const void *data, size_t len);

/* A blocking send, counted. */
int pdl_mpi_send_now(struct pdl_mpi_link *l, int peer, int tag,
                     const void *data, size_t len);

/* Frees what MPI has sent. On an error, *peer names the rank it was for
 * (its buffer is left to MPI). */
int pdl_mpi_flush(struct pdl_mpi_link *l, int *peer);

/* Gives up the sends to peer (all if peer < 0): MPI may never finish them,
 * so their buffers stay with it. */
void pdl_mpi_forget(struct pdl_mpi_link *l, int peer);

/* Waits up to ns for what was sent to go, then gives up the rest. */
void pdl_mpi_close(struct pdl_mpi_link *l, pdl_monotime ns);

/* Receives a message with tag (MPI_ANY_TAG: any) from src (MPI_ANY_SOURCE:
 * any) if one has come; m->tag is 0 if none. */
int pdl_mpi_poll(MPI_Comm comm, int src, int tag, struct pdl_mpi_msg *m);

/* Waits up to ns for a message with tag from src: spinning (for clock
 * probes) or napping. Returns TIMED_OUT if none came. */
int pdl_mpi_wait(MPI_Comm comm, int src, int tag, pdl_monotime ns, bool spin,
                 struct pdl_mpi_msg *m);

/* ---- clocks (mpi_clock.c) ---- */

/* Another rank's CLOCK_MONOTONIC against this one's: offset is its clock
 * minus ours, at our time at; the offset lies within error of the truth. */
struct pdl_mpi_sync {
    int64_t offset;
    int64_t error;
    pdl_monotime at;
    bool ok;
};

/* Probes rank r's clock SYNC_ROUNDS times (rank 0). False if r did not
 * answer. */
bool pdl_mpi_sync_peer(struct pdl_mpi_link *l, int r, struct pdl_mpi_sync *s);

/* Answers a probe with this rank's clock (ranks other than 0). */
int pdl_mpi_answer_ping(struct pdl_mpi_link *l);

/* A time of another rank, `since` ns after its start t0 on its clock, as ns
 * after the leader's start leader_t0 on the leader's clock, by the offset
 * s measured; never negative. */
int64_t pdl_mpi_on_leader(const struct pdl_mpi_sync *s, int64_t t0,
                          int64_t since, pdl_monotime leader_t0);

/* ---- tasks granted and not yet settled (mpi_held.c) ---- */

/* The tasks rank 0 granted one rank, by id: an open-addressing map that
 * grows with what is in flight, never with the list. */
struct pdl_mpi_held {
    struct pdl_task *slot; /* url NULL: empty */
    size_t cap, n;
};

/* Moves t (cleared) into h. */
void pdl_mpi_held_put(struct pdl_mpi_held *h, struct pdl_task *t);

/* Moves the task with id out of h into *t; false if h has none. */
bool pdl_mpi_held_take(struct pdl_mpi_held *h, uint64_t id, struct pdl_task *t);

/* Moves any one task out of h into *t; false if h is empty. */
bool pdl_mpi_held_pop(struct pdl_mpi_held *h, struct pdl_task *t);

/* Frees every task h holds and h's memory. */
void pdl_mpi_held_cleanup(struct pdl_mpi_held *h);

/* ---- the two sides of a run ---- */

/* Rank 0: starts the other ranks, runs its own share on the async runner,
 * hands out run's tasks and settles every record, on rank 0's clock.
 * Returns PDL_OK, PDL_ERR_USAGE (static schedule) or PDL_ERR_SYSTEM. */
int pdl_mpi_lead(struct pdl_mpi *M, struct pdl_run *run);

/* Rank 0, after the outputs are written: tells the ranks kept waiting
 * since the run ended that it is over. */
void pdl_mpi_farewell(struct pdl_mpi *M);

/* Rank 0 never started a run (the lists could not be read, say): the
 * other ranks, waiting for the start, are told there is none. */
void pdl_mpi_cancel(struct pdl_mpi *M);

/* The other ranks: takes tasks from rank 0, downloads them into this
 * rank's own opt->outdir, sends every record back, until rank 0 ends the
 * run. Reads no list, writes no output, prints nothing unless rank 0 is
 * lost. Returns PDL_OK, or PDL_ERR_SYSTEM if rank 0 was lost or MPI failed
 * (reported). */
int pdl_mpi_follow(struct pdl_mpi *M, const struct pdl_options *opt);

#endif
