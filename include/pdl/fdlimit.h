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

/* Call before the run starts any thread. Returns -1, with *limit set to the
 * hard limit, if that is below need. Else raises the soft limit to need x
 * PDL_FDS_HEADROOM (or to the hard limit, if lower), grows the descriptor
 * table to need at once, and returns 0. */
int pdl_fdlimit_prepare(unsigned long need, unsigned long *limit);

#endif
