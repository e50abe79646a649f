/* How long each URL took in an earlier run, read from its timeline, for
 * --order longest-first (--durations-from TIMELINE). */
#ifndef PDL_DURATIONS_H
#define PDL_DURATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pdl_durations;

/* Reads the timeline at path: each URL's task time (end - start, earlier
 * attempts and back-off included: what a worker is held for); a URL that
 * appears more than once keeps its longest. Returns PDL_OK and *out (free
 * with pdl_durations_destroy), or an error with err saying why (the path
 * is not in it). */
int pdl_durations_load(const char *path, struct pdl_durations **out, char *err,
                       size_t errsz);

/* The recorded duration of url in nanoseconds, or false if the timeline
 * does not hold it. */
bool pdl_durations_get(const struct pdl_durations *d, const char *url,
                       int64_t *ns);

/* URLs held. */
size_t pdl_durations_count(const struct pdl_durations *d);

void pdl_durations_destroy(struct pdl_durations *d);

#endif
