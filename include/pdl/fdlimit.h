/* Room for a run's descriptors: W workers hold open files in proportion to
 * W, and a run that meets RLIMIT_NOFILE part way loses downloads to errors
 * that do not say why (libcurl reports "Couldn't connect to server"). */
#ifndef PDL_FDLIMIT_H
#define PDL_FDLIMIT_H

/* Descriptors pdl holds besides its workers' (standard streams, lists,
 * timelines, the output folder, the signal and progress threads'). */
#define PDL_FDS_BASE 32

/* The soft limit is raised to need times this, for what a worker may hold
 * beyond its least: connections kept for reuse, a resolver's sockets, a
 * body file. */
#define PDL_FDS_HEADROOM 4

/* Call before the run starts any thread: raises the soft limit to need x
 * PDL_FDS_HEADROOM (or to the hard limit, if lower) and grows the
 * descriptor table to need at once (or as far as the limit allows). */
void pdl_fdlimit_raise(unsigned long need);

/* The most descriptors this process may ever have open: its hard limit,
 * or (unsigned long)-1 when there is none or it cannot be read. */
unsigned long pdl_fdlimit_max(void);

#endif
