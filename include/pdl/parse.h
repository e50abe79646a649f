/* Small pure parsers for command-line values. Each returns true and stores
 * the value, or returns false and leaves *out untouched. */
#ifndef PDL_PARSE_H
#define PDL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* A whole decimal number in [lo, hi], nothing else around it. */
bool pdl_parse_long(const char *s, long lo, long hi, long *out);

/* A duration: a number of seconds ("1.5", "30") or a number with a unit
 * ("250ms", "2s", "1.5m", "1h"), at most one day, into milliseconds. */
bool pdl_parse_duration_ms(const char *s, long *out);

/* A size in bytes: a whole number, optionally with k, M or G (powers of
 * 1024, as curl reads them), up to 2^50. */
bool pdl_parse_size(const char *s, int64_t *out);

/* A rate of starts: "10/s", "600/m", "1.5/s", "2/h" or a plain number (per
 * second), more than 0 and at most 1,000,000 per second, into starts per
 * second. */
bool pdl_parse_rate(const char *s, double *out);

#endif
