/* The output folder: created if missing and checked before any download. */
#ifndef PDL_OUTDIR_H
#define PDL_OUTDIR_H

#include <stddef.h>

/* Creates path (and its parents) if missing, opens it as a directory and
 * proves it writable by creating and removing a probe file. Returns the
 * directory's descriptor, or -1 with err saying why (and none of the
 * folders it made left). The caller closes it. */
int pdl_outdir_open(const char *path, char *err, size_t errsz);

/* The same, and *made (the caller frees it) is the shallowest folder of
 * path this call created, NULL if path was there: what
 * pdl_outdir_unmake removes if the run is refused before it starts. */
int pdl_outdir_create(const char *path, char **made, char *err, size_t errsz);

/* Removes the empty folders pdl_outdir_create made for path, deepest
 * first, up to made; stops at the first that is not empty (nothing in
 * them is ever removed). Nothing if made is NULL. */
void pdl_outdir_unmake(const char *path, const char *made);

#endif
