/* Small pure parsers for command-line values. Each returns true and stores
 * the value, or returns false and leaves *out untouched. */
#ifndef PDL_PARSE_H
#define PDL_PARSE_H

#include <stdbool.h>

/* A whole decimal number in [lo, hi], nothing else around it. */
bool pdl_parse_long(const char *s, long lo, long hi, long *out);

/* A duration: a number of seconds ("1.5", "30") or a number with a unit
 * ("250ms", "2s", "1.5m", "1h"), at most one day, into milliseconds. */
bool pdl_parse_duration_ms(const char *s, long *out);

#endif
