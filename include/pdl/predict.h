/* What-if prediction: the tasks of a recorded timeline replayed in a
 * discrete-event simulation of pdl's scheduler, gate and connections, to
 * predict the makespan of another configuration (workers, schedule, chunk,
 * per-host cap, rate, order). Never fetches. */
#ifndef PDL_PREDICT_H
#define PDL_PREDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "pdl/job.h"
#include "pdl/timeline.h"

enum pdl_predict_order {
    PDL_PREDICT_LIST,         /* list order (the id column) */
    PDL_PREDICT_LONGEST_FIRST /* by recorded duration, longest first */
};

/* Where kept-alive connections live: one cache per worker (threads,
 * processes, mpi: each worker owns a curl handle), or one pool shared by
 * every transfer (async: one curl_multi). */
enum pdl_predict_conns {
    PDL_PREDICT_CONNS_AUTO, /* from the timeline's mode */
    PDL_PREDICT_CONNS_WORKER,
    PDL_PREDICT_CONNS_SHARED
};

/* One configuration to predict. pdl_predict_config_init gives pdl's own
 * defaults: dynamic, chunk 1, --per-host 8 sparing loopback hosts, no rate,
 * list order. */
struct pdl_predict_config {
    unsigned workers; /* 1 or more; no more than the tasks are used */
    enum pdl_schedule schedule;
    unsigned chunk;    /* dynamic: tasks taken at a time; 0 means 1 */
    unsigned per_host; /* transfers per host at once; 0 none */
    bool loopback_too; /* per_host caps loopback hosts too (explicit N) */
    double rate;       /* starts per second across workers; 0 none */
    enum pdl_predict_order order;
    enum pdl_predict_conns conns;
};

void pdl_predict_config_init(struct pdl_predict_config *cfg, unsigned workers);

/* What the simulation predicts for one configuration. Times in seconds
 * from the run's start. */
struct pdl_predict_result {
    unsigned workers; /* workers used: min(asked, tasks) */
    size_t tasks;     /* tasks replayed */
    double makespan;  /* the last task's end */
    /* max(task time / W, longest task): no schedule of these tasks on W
     * workers ends sooner. Task time is each task without connection
     * set-up, plus one set-up per host (every host needs a connection). */
    double bound;
    double efficiency;   /* bound / makespan, 0..1 */
    double speedup;      /* the same configuration on 1 worker / makespan */
    size_t connections;  /* connections set up */
    double setup;        /* seconds of set-up paid, summed over tasks */
    unsigned in_flight;  /* most tasks in flight at one instant */
    double gate_waiting; /* seconds tasks waited at the gate (--per-host,
                            --rate), summed */
};

/* One task as the simulation ran it. */
struct pdl_predict_slot {
    size_t id;
    unsigned worker;
    double start; /* when it started (after any wait at the gate) */
    double end;
    double setup; /* set-up paid at its start; 0 if it reused one */
    double asked; /* when its worker took it (start - asked: gate wait) */
};

/* The tasks of a timeline, measured for replay: opaque. */
struct pdl_predict_model;

/* Builds the model of tl's tasks (tl is not kept): rows whose status is
 * skipped, not-run or pending are left out; each task's time is split into
 * connection set-up and the rest, each host's set-up cost estimated as the
 * median of its tasks that opened a connection. Returns NULL if no task ran
 * (nothing to replay). */
struct pdl_predict_model *
pdl_predict_model_create(const struct pdl_timeline *tl);

void pdl_predict_model_destroy(struct pdl_predict_model *m);

/* Tasks in the model. */
size_t pdl_predict_model_tasks(const struct pdl_predict_model *m);

/* What the model measured in the timeline. Seconds. */
struct pdl_predict_facts {
    size_t tasks;
    size_t hosts;      /* connection keys: scheme, host and port */
    size_t setups;     /* recorded tasks that opened a connection */
    double setup;      /* median set-up of those tasks */
    double offset;     /* the first task's start */
    double gap;        /* pdl's own gap from a worker's end to its next start
                          (the lower quartile: longer ones are gate waits) */
    double busy;       /* recorded task time, summed */
    double longest;    /* the longest recorded task */
    size_t longest_id; /* and its id */
    size_t first_id;   /* the first task in list order */
    bool shared_conns; /* async: connections pooled by every transfer */
};

void pdl_predict_model_facts(const struct pdl_predict_model *m,
                             struct pdl_predict_facts *f);

/* Predicts cfg. If slots is not NULL it receives one slot per task (room
 * for pdl_predict_model_tasks), in the order the tasks started. Returns
 * PDL_OK, or PDL_ERR_USAGE if cfg is impossible (0 workers, a negative
 * rate), out then untouched. */
int pdl_predict_run(const struct pdl_predict_model *m,
                    const struct pdl_predict_config *cfg,
                    struct pdl_predict_result *out,
                    struct pdl_predict_slot *slots);

/* pdl_predict_run on a model of tl made and freed here. Returns PDL_OK,
 * PDL_ERR_USAGE (cfg impossible) or PDL_ERR_FORMAT (no task to replay). */
int pdl_predict_makespan(const struct pdl_timeline *tl,
                         const struct pdl_predict_config *cfg,
                         struct pdl_predict_result *out);

/* What the summary knows of the run beyond its timeline. */
struct pdl_predict_hint {
    bool longest_first;   /* the run was --order longest-first */
    const char *timeline; /* its timeline's path, named in the advice;
                             NULL: "TIMELINE" (none was kept) */
};

/* Writes into buf a clause for the end-of-run summary about tl run with
 * workers workers (pdl's defaults otherwise; hint may be NULL), e.g. "with
 * these tasks the best any 4 workers could do is 1.11 s; starting the
 * 600 ms task first would give 1.12 s (--order longest-first
 * --durations-from run.tsv); 8 workers would give about 0.74 s". The
 * longest-first part is there only when the run was in list order and it
 * would save 5 % or more; the last part only when there are twice as many
 * tasks as workers, and it says "about the same (X)" when twice the
 * workers would not save 5 %. Returns its length, as snprintf does; 0
 * (buf "") if there is nothing to replay. */
size_t pdl_predict_sentence(const struct pdl_timeline *tl, unsigned workers,
                            const struct pdl_predict_hint *hint, char *buf,
                            size_t n);

#endif
