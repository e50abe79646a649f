/* The gate: --rate and --per-host as one non-blocking admission rule, in
 * memory shared by every worker (threads or forked processes). A blocking
 * worker sleeps until the time it is told; an event loop keeps it as a due
 * time. The gate knows nothing of modes or of the scheduler. */
#ifndef PDL_GATE_H
#define PDL_GATE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "pdl/util.h"

/* Hosts are counted in a fixed table: two hosts that share an entry share a
 * cap, which errs on the polite side. */
#define PDL_HOST_SLOTS 1024

/* How soon a start refused for its host is worth trying again. */
#define PDL_GATE_HOST_RECHECK_NS 5000000

struct pdl_gate {
    int64_t start_gap_ns;    /* --rate: least time between starts; 0 none */
    atomic_llong next_start; /* monotime from which the next may start */
    unsigned per_host;       /* --per-host: transfers per host; 0 none */
    bool loopback_too;       /* the cap applies to loopback hosts too */
    atomic_uint host_busy[PDL_HOST_SLOTS]; /* transfers per host entry */
};

/* What one waiting start holds while it waits: whether it entered its
 * host's count, and the start time --rate gave it. Zeroed before the first
 * call to pdl_gate_admit for a start. */
struct pdl_gate_pass {
    bool entered;
    pdl_monotime paced;
};

/* Sets the limits (before any worker starts): starts per second across all
 * workers (0 none), transfers per host (0 none), and whether loopback
 * hosts (key 0) are capped too. */
void pdl_gate_init(struct pdl_gate *g, double starts_per_second,
                   unsigned per_host, bool loopback_too);

/* The key pdl_gate_admit and pdl_gate_leave take for url: its host's
 * (pdl_url_host_key), or 0 when there is no --per-host cap to read it
 * (hashing the host costs 270 instructions a task). */
unsigned pdl_gate_key(const struct pdl_gate *g, const char *url);

/* Asks to start a transfer to host key (pdl_gate_key) at now. Returns 0
 * when it may start now (it then holds one of its host's transfers, given
 * back with pdl_gate_leave), or the time at which to ask again with the
 * same pass. */
pdl_monotime pdl_gate_admit(struct pdl_gate *g, unsigned key, pdl_monotime now,
                            struct pdl_gate_pass *pass);

/* Gives back what a start held: its host's transfer, whether it ran
 * (pass NULL: it was admitted) or gave up waiting (pass as it stands). */
void pdl_gate_leave(struct pdl_gate *g, unsigned key,
                    const struct pdl_gate_pass *pass);

#endif
