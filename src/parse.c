/* Parsers for command-line values: strict, with end checks, no atoi. */
#include "pdl/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool pdl_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    /* strtol would skip leading white space and take a '+'. */
    if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool pdl_parse_duration_ms(const char *s, long *out)
{
    static const struct {
        const char *suffix;
        double ms;
    } units[] = {
        {"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    char *end;
    double v;

    /* Plain decimal only: strtod would also take hex, "inf" and "nan". */
    size_t num = s ? strspn(s, "0123456789.") : 0;

    if (num == 0)
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end != s + num || !isfinite(v) || v < 0)
        return false;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        v *= units[i].ms;
        if (v > 86400000.0)
            return false;
        *out = lround(v);
        return true;
    }
    return false;
}

bool pdl_parse_size(const char *s, int64_t *out)
{
    static const char units[] = "kKmMgG";
    static const int shifts[] = {10, 10, 20, 20, 30, 30};
    char *end;
    long long v;

    if (!s || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || v < 0)
        return false;
    if (*end) {
        const char *u = strchr(units, *end);
        if (!u || end[1] != '\0')
            return false;
        int shift = shifts[u - units];
        if (v > (1LL << 50) >> shift)
            return false;
        v <<= shift;
    }
    if (v > 1LL << 50)
        return false;
    *out = v;
    return true;
}

bool pdl_parse_rate(const char *s, double *out)
{
    static const struct {
        const char *suffix;
        double seconds;
    } per[] = {{"", 1}, {"/s", 1}, {"/m", 60}, {"/h", 3600}};
    size_t num = s ? strspn(s, "0123456789.") : 0;
    char *end;
    double v;

    if (num == 0)
        return false;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end != s + num || !isfinite(v) || v <= 0)
        return false;
    for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++) {
        if (strcmp(end, per[i].suffix) != 0)
            continue;
        v /= per[i].seconds;
        if (v > 1e6)
            return false;
        *out = v;
        return true;
    }
    return false;
}
