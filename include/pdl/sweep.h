/* Removing the temporary files of runs that are gone: a SIGKILL of pdl or
 * of one worker leaves ".NAME.part-PID" bodies (and output files'
 * "FILE.part-PID") that no run would otherwise remove. Only pdl's own
 * patterns are touched, and only when process PID no longer exists. */
#ifndef PDL_SWEEP_H
#define PDL_SWEEP_H

#include <sys/types.h>

/* The PID in name if it is the temporary name of a body, ".NAME.part-PID",
 * or of a partial's record, ".NAME.part.meta-PID", as pdl makes them: NAME
 * non-empty, of the bytes pdl's names are made of (A-Z a-z 0-9 . _ + = , @
 * -) and not starting with a dot; PID decimal, 1 to INT_MAX, without a
 * leading zero. 0 for any other name. */
pid_t pdl_sweep_debris_pid(const char *name);

/* The PID in name if it is "BASE.part-PID", the temporary name of output
 * file BASE (the timeline, --failed, --json, exports), else 0. */
pid_t pdl_sweep_outfile_pid(const char *name, const char *base);

/* Removes from the folder dirfd every regular file whose name
 * pdl_sweep_debris_pid recognises and whose process is gone (kill(PID, 0)
 * fails with ESRCH): never this process's, never a live process's, whoever
 * runs it (a reused PID keeps the file), never anything else. Symbolic
 * links are not followed. Returns how many were removed, or -1 with errno
 * set if the folder could not be read.
 *
 * Only sound when every pdl writing into the folder runs in this PID
 * namespace on this host: a run on another host sharing the folder (NFS,
 * MPI ranks) has PIDs that look gone from here. */
long pdl_sweep(int dirfd);

/* The same, beside output file path: removes "PATH.part-PID" files of
 * processes that are gone. Returns how many, or -1 with errno set. */
long pdl_sweep_outfile(const char *path);

#endif
