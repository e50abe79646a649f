/* URL globbing like curl's: numeric and letter ranges and sets in a URL,
 * expanded lazily by index so a million-URL range costs no memory. */
#ifndef PDL_GLOB_H
#define PDL_GLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits checked by pdl_glob_create. Patterns per URL as curl's
 * (GLOB_PATTERN_NUM); the others keep any single pattern a typo away from
 * an endless run rather than a sensible request. */
#define PDL_GLOB_MAX_PATTERNS 10               /* [...] and {...} per URL */
#define PDL_GLOB_MAX_RANGE (UINT64_C(1) << 32) /* values in one [...] */
#define PDL_GLOB_MAX_SET 1000                  /* elements in one {...} */
#define PDL_GLOB_MAX_URLS (UINT64_C(1) << 40)  /* URLs in one pattern */

/* Syntax, as curl's:
 *   [1-10]  [001-100]  [0-100:10]  numbers; a first bound with a leading
 *                                  zero sets the width ("001".."100")
 *   [a-z]  [A-Z]  [a-z:2]          single letters of one case
 *   {a,b,c}  {,s}                  sets; elements may be empty
 *   \[ \] \{ \} \\                 the literal character
 * In a set, a backslash also makes ',' literal. A '[' right after "://" or
 * after '@' in the authority opens an IPv6 host literal up to its ']', never
 * a range. A ']' or '}' outside a pattern is literal. Several patterns
 * multiply, the rightmost varying fastest. */
struct pdl_glob;

/* Parses pattern (not copied; the glob owns what it needs). Returns a glob
 * the caller frees with pdl_glob_destroy, or NULL with a one-line message
 * in err (errsz bytes, always terminated; err may be NULL when errsz is 0),
 * for example "bad range [5-1] at column 12: end before start",
 * "unmatched '{' at column 8" or "too many URLs: more than 2^40". Columns
 * count bytes from 1. */
struct pdl_glob *pdl_glob_create(const char *pattern, char *err, size_t errsz);

/* Frees g. Accepts NULL. */
void pdl_glob_destroy(struct pdl_glob *g);

/* Number of URLs g expands to: 1 for a pattern without ranges, never more
 * than PDL_GLOB_MAX_URLS (create refuses larger products). */
uint64_t pdl_glob_count(const struct pdl_glob *g);

/* Writes URL number i (in curl's order) into buf and returns its length.
 * Like snprintf: at most bufsz - 1 bytes and a terminator are written (buf
 * may be NULL when bufsz is 0), and the return value is the full length,
 * so a result >= bufsz means the URL was cut. For i >= count it writes ""
 * and returns 0. Allocates nothing. */
size_t pdl_glob_nth(const struct pdl_glob *g, uint64_t i, char *buf,
                    size_t bufsz);

/* True if s contains an unescaped '{', or a '[' that does not open an IPv6
 * host, and so needs pdl_glob_create; a lone opener counts, so that create
 * gets to report it. Escapes alone do not count: a URL such as "a\[1\]" is
 * false here yet still needs create to drop its backslashes. NULL is
 * false. */
bool pdl_glob_has_pattern(const char *s);

#endif
