/* The mpi mode's wire: the tags of its messages, their layouts, and the
 * times that govern them. Messages travel as bytes: every rank runs the
 * same build (checked at the start), so structs go as they are. */
#ifndef PDL_MPI_WIRE_H
#define PDL_MPI_WIRE_H

#include <stdint.h>

#include "pdl/result.h"

#define PDL_MPI_MS 1000000LL
#define BEAT_NS (500 * PDL_MPI_MS)       /* nothing sent this long: "alive" */
#define SILENCE_NS (5000 * PDL_MPI_MS)   /* nothing heard this long: lost */
#define STOP_GRACE_NS (250 * PDL_MPI_MS) /* after a stop, for last results */
#define START_NS (60000 * PDL_MPI_MS)    /* for every rank to say it is ready */
#define PONG_NS (2000 * PDL_MPI_MS)
#define SYNC_ROUNDS 8                /* clock probes per rank, the best kept */
#define GRANT_MAX 4096               /* tasks in one grant */
#define RESULTS_MAX 256              /* result records in one message */
#define IDLE_MIN_NS 20000            /* polling backs off from here ... */
#define IDLE_MAX_NS (2 * PDL_MPI_MS) /* ... to here while nothing happens */

enum pdl_mpi_tag {
    TAG_HELLO = 1, /* r -> 0: ready to run, or why not */
    TAG_PING,      /* 0 -> r: clock probe, answered by TAG_PONG */
    TAG_PONG,      /* r -> 0: r's clock */
    TAG_GO,        /* 0 -> r: start */
    TAG_ABORT,     /* 0 -> r: no run; a uint32 as TAG_BYE's */
    TAG_REQUEST,   /* r -> 0: more tasks */
    TAG_GRANT,     /* 0 -> r: tasks; an empty grant: no more */
    TAG_RESULT,    /* r -> 0: result records */
    TAG_DONE,      /* r -> 0: finished, every result sent */
    TAG_STOP,      /* 0 -> r: stop now, the run was interrupted */
    TAG_BEAT,      /* either way: still here */
    TAG_BYE        /* 0 -> r: the run is over; a uint32: skip MPI_Finalize */
};

/* Broadcast by rank 0 before anything else. */
struct start_msg {
    uint32_t workers; /* transfer slots per rank: -w, or fewer (short list) */
    uint32_t cancel;  /* no run: rank 0 stopped before it */
};

struct hello_msg {
    int32_t ok;
    int32_t pid;
    uint32_t result_size;
    uint32_t pad;
    char version[16];
    char host[64];
    char why[256];
};

struct request_msg {
    uint64_t want;         /* tasks wanted */
    int64_t t0;            /* the rank's start on its own clock */
    uint64_t max_inflight; /* the most transfers it has had at once */
};

/* How much rank 0 still has to hand out after a grant. It looks ahead at
 * most as many tasks as the run has transfer slots, so it never needs to
 * know the length of the lists. */
enum pdl_mpi_left {
    LEFT_PLENTY, /* at least one task per transfer slot of the run */
    LEFT_TAIL,   /* fewer: ask only for a slot that waits */
    LEFT_NONE    /* nothing: these are the last tasks this rank gets */
};

/* A grant is this, then per task a grant_task and the bytes of its URL and
 * file name (no terminators). */
struct grant_head {
    uint32_t n;
    uint32_t left; /* enum pdl_mpi_left */
};

struct grant_task {
    uint64_t id;
    uint32_t url_len;
    uint32_t name_len; /* 0: no name (--discard) */
    uint32_t opts_len; /* per-URL option lines (header=, checksum=) */
};

/* A settled task: its whole record (1,136 bytes since timeline version 5,
 * with the saved file, the effective URL and the content type), so that
 * rank 0 writes the same row as a local run; hello_msg's result_size
 * refuses ranks of another build. */
struct result_entry {
    uint64_t id;
    struct pdl_result r;
};

struct done_msg {
    uint64_t sent;         /* messages the rank sent */
    uint64_t dispatch;     /* of them, requests and result messages */
    uint64_t max_inflight; /* the most transfers it had at once */
};

#endif
