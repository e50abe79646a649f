/* Interrupts: SIGINT and SIGTERM stop a run cleanly through its board; a
 * second one ends the process at once. */
#ifndef PDL_SIGWATCH_H
#define PDL_SIGWATCH_H

#include <stdatomic.h>

struct pdl_sigwatch;

/* Blocks SIGINT and SIGTERM in the calling thread (so in every thread and
 * process it starts later) and starts a thread that waits for them: on the
 * first, it sets *stop; on a second, it exits the process at once with
 * 128 + the signal. Returns NULL if the thread could not be started, in
 * which case the signal mask is left as it was. */
struct pdl_sigwatch *pdl_sigwatch_start(atomic_int *stop);

/* Stops watching and restores the signal mask. Returns the first signal
 * caught, or 0. Accepts NULL. */
int pdl_sigwatch_stop(struct pdl_sigwatch *w);

#endif
