/* Defaults of a run's options, in one place. */
#include "pdl/job.h"

#include <string.h>

void pdl_options_init(struct pdl_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->mode = "threads";
    opt->workers = PDL_WORKERS_DEFAULT;
    opt->schedule = PDL_SCHED_DYNAMIC;
    opt->chunk = 1;
    opt->outdir = ".";
    opt->connect_timeout_ms = 30000;
    opt->timeout_ms = 0;
    opt->max_redirs = 10;
    opt->user_agent = "pdl/" PDL_VERSION;
    opt->retries = 0;
    opt->retry_delay_ms = 1000;
    opt->retry_max_ms = 60000;
    opt->speed_limit = 1;
    opt->speed_time_s = 30;
    opt->per_host = PDL_PER_HOST_DEFAULT;
}
