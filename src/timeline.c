/* The timeline TSV: one metadata header, one row per task, times in seconds
 * from the run's start. Written at the end of a run, read back by tests, by
 * charts and by later runs. */
#include "pdl/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void pdl_run_info_init(struct pdl_run_info *info, const char *mode,
                       unsigned workers)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    time_t now = ts.tv_sec;
    memset(info, 0, sizeof(*info));
    info->epoch = (double)ts.tv_sec + (double)(ts.tv_nsec / 1000) / 1e6;
    snprintf(info->mode, sizeof(info->mode), "%s", mode);
    info->workers = workers;
    gmtime_r(&now, &tm);
    strftime(info->started, sizeof(info->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(info->host, sizeof(info->host) - 1) != 0)
        snprintf(info->host, sizeof(info->host), "unknown");
    snprintf(info->version, sizeof(info->version), "%s", PDL_VERSION);
}

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

/* A text as one field: no tab or line break may split the row. */
static void write_field(FILE *out, const char *e, size_t max)
{
    for (size_t i = 0; i < max && e[i]; i++)
        fputc((e[i] == '\t' || e[i] == '\n' || e[i] == '\r') ? ' ' : e[i], out);
}

/* The host that ran r: its rank's in an mpi run, else the run's. */
static const char *host_of(const struct pdl_run_info *info,
                           const struct pdl_result *r)
{
    if (info->rank_hosts && r->rank >= 0 && (unsigned)r->rank < info->ranks &&
        info->rank_hosts[r->rank])
        return info->rank_hosts[r->rank];
    return info->host[0] ? info->host : "unknown";
}

static void write_row(FILE *out, size_t id, const struct pdl_result *r,
                      const char *url, const struct pdl_run_info *info)
{
    fprintf(out,
            "%zu\t%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%.6f\t%lld\t%d\t%s\t%d\t"
            "%.6f\t%s\t",
            id, r->worker, secs(r->start_ns), secs(r->end_ns),
            (double)r->dns_us / 1e6, (double)r->connect_us / 1e6,
            (double)r->tls_us / 1e6, (double)r->ttfb_us / 1e6,
            (long long)r->bytes, r->http,
            pdl_status_token((enum pdl_status)r->status), r->attempts,
            secs(r->attempt_ns ? r->attempt_ns : r->start_ns), url);
    write_field(out, r->error, PDL_ERROR_MAX);
    fprintf(out, "\t%d\t", r->rank);
    write_field(out, host_of(info, r), 255);
    fputc('\n', out);
}

/* The keys of an mpi run: its ranks, their hosts (a comma-separated list in
 * rank order), how well their clocks were aligned and the messages. */
static void write_mpi_meta(FILE *out, const struct pdl_run_info *info)
{
    fprintf(out, " ranks=%u rank_hosts=", info->ranks);
    for (unsigned i = 0; i < info->ranks; i++) {
        const char *h = info->rank_hosts[i] ? info->rank_hosts[i] : "unknown";
        if (i > 0)
            fputc(',', out);
        for (; *h; h++)
            fputc(*h == ',' || *h == ' ' || *h == '\t' || *h == '\n' ? '_' : *h,
                  out);
    }
    fprintf(out,
            " clock_error_us=%.0f mpi_messages=%llu messages_per_task=%.3f",
            info->clock_error * 1e6, info->messages, info->messages_per_task);
}

int pdl_timeline_write(FILE *out, const struct pdl_run_info *info,
                       const struct pdl_result *results,
                       const char *const *urls, size_t n)
{
    struct pdl_stats st;

    pdl_stats_compute(results, n, &st);
    fprintf(out, "# pdl-timeline %d\n", PDL_TIMELINE_VERSION);
    fprintf(out,
            "# mode=%s workers=%u tasks=%zu ok=%zu failed=%zu wall=%.6f "
            "started=%s epoch=%.6f host=%s pdl=%s",
            info->mode, info->workers, n, st.ok, st.failed, st.wall,
            info->started, info->epoch, info->host, info->version);
    if (info->rank_hosts)
        write_mpi_meta(out, info);
    fprintf(out, "\n%s\n", PDL_TIMELINE_HEADER);
    for (size_t i = 0; i < n; i++)
        write_row(out, i, &results[i], urls[i], info);
    if (fflush(out) != 0 || ferror(out))
        return PDL_ERR_IO;
    return PDL_OK;
}
