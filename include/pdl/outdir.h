/* The output folder: created if missing and checked before any download. */
#ifndef PDL_OUTDIR_H
#define PDL_OUTDIR_H

#include <stddef.h>

/* Creates path (and its parents) if missing, opens it as a directory and
 * proves it writable by creating and removing a probe file. Returns the
 * directory's descriptor, or -1 with err saying why. The caller closes it. */
int pdl_outdir_open(const char *path, char *err, size_t errsz);

#endif
