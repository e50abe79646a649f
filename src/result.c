/* The result record: status tokens (the short words the timeline's status
 * column carries) and marking a record failed. */
#include "pdl/result.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const tokens[PDL_ST_COUNT] = {
    [PDL_ST_PENDING] = "not-run",
    [PDL_ST_RUNNING] = "unfinished",
    [PDL_ST_OK] = "ok",
    [PDL_ST_HTTP] = "http",
    [PDL_ST_DNS] = "dns",
    [PDL_ST_CONNECT] = "connect",
    [PDL_ST_TLS] = "tls",
    [PDL_ST_TIMEOUT] = "timeout",
    [PDL_ST_NETWORK] = "network",
    [PDL_ST_PROTOCOL] = "protocol",
    [PDL_ST_REDIRECT] = "redirect",
    [PDL_ST_TOO_BIG] = "too-big",
    [PDL_ST_WRITE] = "write",
    [PDL_ST_WORKER_DIED] = "worker-died",
    [PDL_ST_INTERRUPTED] = "interrupted",
    [PDL_ST_ERROR] = "error",
    [PDL_ST_SKIPPED] = "skipped",
    [PDL_ST_CHECKSUM] = "checksum",
};

const char *pdl_status_token(enum pdl_status st)
{
    if ((unsigned)st >= PDL_ST_COUNT)
        return "error";
    return tokens[st];
}

enum pdl_status pdl_status_parse(const char *tok)
{
    for (int i = 0; i < PDL_ST_COUNT; i++)
        if (strcmp(tokens[i], tok) == 0)
            return (enum pdl_status)i;
    return PDL_ST_COUNT;
}

/* pdl_result_empty zeroes every field before remote_ip: the texts must be
 * the record's tail, one after the other (then only padding). */
#define TEXT_AFTER(a, b)                                                       \
    (offsetof(struct pdl_result, b) ==                                         \
     offsetof(struct pdl_result, a) + sizeof(((struct pdl_result *)0)->a))
_Static_assert(TEXT_AFTER(remote_ip, error) && TEXT_AFTER(error, file) &&
                   TEXT_AFTER(file, effective_url) &&
                   TEXT_AFTER(effective_url, content_type) &&
                   offsetof(struct pdl_result, content_type) +
                           PDL_CONTENT_TYPE_MAX + _Alignof(struct pdl_result) >
                       sizeof(struct pdl_result),
               "struct pdl_result: the texts are not its tail");

void pdl_result_empty(struct pdl_result *r)
{
    memset(r, 0, offsetof(struct pdl_result, remote_ip));
    r->remote_ip[0] = r->error[0] = r->file[0] = '\0';
    r->effective_url[0] = r->content_type[0] = '\0';
}

void pdl_result_fail(struct pdl_result *r, enum pdl_status st, const char *why)
{
    r->status = st;
    snprintf(r->error, sizeof(r->error), "%.*s", (int)sizeof(r->error) - 1,
             why);
}
