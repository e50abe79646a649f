/* The result record: status tokens (the short words the timeline's status
 * column carries) and marking a record failed. */
#include "pdl/result.h"

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

void pdl_result_fail(struct pdl_result *r, enum pdl_status st, const char *why)
{
    r->status = st;
    snprintf(r->error, sizeof(r->error), "%.*s", (int)sizeof(r->error) - 1,
             why);
}
