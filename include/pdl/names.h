/* File names for tasks (src/names.c): a name from a URL, and names given out
 * once each, numbered on collision, in list order. */
#ifndef PDL_NAMES_H
#define PDL_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct pdl_tasklist;

/* Writes into out (outsz >= PDL_NAME_MAX + 1) the file name for url: the last
 * path segment, percent-decoded, with the query folded in before the
 * extension; every byte outside [A-Za-z0-9._+=,@-] becomes '_', a leading
 * '.' becomes '_', an empty name becomes "index.html", and long names are
 * cut to PDL_NAME_MAX keeping the extension. The result never contains '/'
 * and is never "." or "..". */
void pdl_name_from_url(const char *url, char *out, size_t outsz);

/* Gives every task a distinct name: the first task keeps the name derived
 * from its URL, later ones that collide become "stem.1.ext", "stem.2.ext",
 * ... in list order, so the same list always yields the same names. */
void pdl_tasklist_plan_names(struct pdl_tasklist *list);

/* Names given out in one run, numbered on collision as
 * pdl_tasklist_plan_names does, one name at a time: memory is a 64-bit
 * fingerprint per name, never the names. */
struct pdl_namer;

struct pdl_namer *pdl_namer_create(void);
void pdl_namer_destroy(struct pdl_namer *n);

/* Writes into out (outsz >= PDL_NAME_MAX + 32) wanted, or the first free
 * "stem.N.ext" if wanted was given out before, and marks it given out. */
void pdl_namer_take(struct pdl_namer *n, const char *wanted, char *out,
                    size_t outsz);

/* Marks name as given out (a file of pdl's own in the output folder, so
 * that no body takes its name). False if it already was. */
bool pdl_namer_reserve(struct pdl_namer *n, const char *name);

/* True if name was given out or reserved; changes nothing. */
bool pdl_namer_given(const struct pdl_namer *n, const char *name);

#endif
