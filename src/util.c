/* The out-of-memory policy, the monotonic clock and error strings. */
#include "pdl/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

pdl_monotime pdl_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (pdl_monotime)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *pdl_strerror(enum pdl_err err)
{
#define PDL_ERR_TEXT(name, msg) [PDL_##name] = msg,
    static const char *const text[] = {PDL_ERR_MAP(PDL_ERR_TEXT)};
#undef PDL_ERR_TEXT

    if ((unsigned)err >= PDL_ERR_COUNT)
        return "unknown error";
    return text[err];
}

int pdl_path_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    if (len >= 0 && (size_t)len < n)
        return PDL_OK;
    if (n)
        buf[0] = '\0';
    return PDL_ERR_TOOLONG;
}

int pdl_self_exe(char *buf, size_t n)
{
    ssize_t len = n > 1 ? readlink("/proc/self/exe", buf, n - 1) : -1;

    if (len > 0 && (size_t)len < n - 1) {
        buf[len] = '\0';
        return PDL_OK;
    }
    if (n)
        buf[0] = '\0';
    /* readlink cuts silently: a path that fills the buffer may be cut. */
    return len <= 0 ? PDL_ERR_SYSTEM : PDL_ERR_TOOLONG;
}

int pdl_split_tabs(char *s, char **f, int max)
{
    int n = 0;

    f[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p != '\t')
            continue;
        if (n == max)
            return max + 1;
        *p = '\0';
        f[n++] = p + 1;
    }
    return n;
}

static void *oom(void)
{
    fputs("pdl: out of memory\n", stderr);
    abort();
}

void *pdl_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    return p ? p : oom();
}

void *pdl_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    return p ? p : oom();
}

void *pdl_xrealloc(void *ptr, size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        return oom();
    size_t bytes = count * size;

    p = realloc(ptr, bytes ? bytes : 1);
    return p ? p : oom();
}

char *pdl_xstrdup(const char *s)
{
    return pdl_xstrndup(s, strlen(s));
}

char *pdl_xstrndup(const char *s, size_t n)
{
    char *p = pdl_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void pdl_quote(const char *s, size_t len, char *out, size_t outsz)
{
    size_t o = 0;

    if (outsz < 8) {
        if (outsz)
            out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        int n;

        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            n = snprintf(tmp, sizeof(tmp), "%c", c);
        else
            n = snprintf(tmp, sizeof(tmp), "\\x%02x", c);
        if (o + (size_t)n + 4 > outsz) {
            memcpy(out + o, "...", 4);
            return;
        }
        memcpy(out + o, tmp, (size_t)n);
        o += (size_t)n;
    }
    out[o] = '\0';
}

int pdl_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
