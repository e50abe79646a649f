/* The live progress display. A thread wakes ten times a second, reads the
 * run's counters and redraws one line on the terminal (or, for logs,
 * writes a plain line now and then). Formatting is pure and separate, so
 * that the tests can check every width without a terminal. */
#include "pdl/progress.h"
#include "pdl/export.h"

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S 1000000000LL
#define TICK_NS (NS_PER_S / 10)        /* redraw at about 10 Hz */
#define RATE_SAMPLES 31                /* rate over the last 3 s of ticks */
#define PLAIN_EVERY_NS (10 * NS_PER_S) /* a plain line at least this often */
#define ETA_MIN_DONE 3 /* tasks done before the ETA means anything */
#define ETA_MAX_S (100 * 3600.0)
#define BAR_MIN 12       /* cells below which a bar says too little */
#define BAR_MAX 50       /* cells beyond which a bar only pushes numbers away */
#define DEFAULT_WIDTH 80 /* when the terminal will not tell */
#define FREE_COLUMNS 3   /* left empty at the end of a bar line: see draw_bar */
#define LINE_MAX_BYTES 512 /* a full line with colour codes is under 200 */
#define FIELD_BYTES 48

#define SGR_GREEN "\033[32m"
#define SGR_RED "\033[31m"
#define SGR_RESET "\033[0m"
#define ERASE_BELOW "\033[J" /* the rest of the line and all below it */
#define TASK_RATE_MAX 1e9    /* beyond any run; keeps the text short */

/* ---- Choosing a style ---- */

bool pdl_progress_parse(const char *s, enum pdl_progress_style *out)
{
    static const struct {
        const char *name;
        enum pdl_progress_style style;
    } names[] = {
        {"bar", PDL_PROGRESS_BAR},
        {"plain", PDL_PROGRESS_PLAIN},
        {"none", PDL_PROGRESS_NONE},
        {"json", PDL_PROGRESS_JSON},
    };

    if (!s)
        return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].style;
            return true;
        }
    }
    return false;
}

enum pdl_progress_style pdl_progress_resolve(enum pdl_progress_style style,
                                             bool is_tty)
{
    switch (style) {
    case PDL_PROGRESS_AUTO:
        return is_tty ? PDL_PROGRESS_BAR : PDL_PROGRESS_NONE;
    case PDL_PROGRESS_BAR:
        return is_tty ? PDL_PROGRESS_BAR : PDL_PROGRESS_PLAIN;
    case PDL_PROGRESS_PLAIN:
        return PDL_PROGRESS_PLAIN;
    case PDL_PROGRESS_JSON:
        return PDL_PROGRESS_JSON;
    case PDL_PROGRESS_NONE:
        break;
    }
    return PDL_PROGRESS_NONE;
}

bool pdl_progress_use_color(enum pdl_progress_style resolved,
                            const char *no_color)
{
    return resolved == PDL_PROGRESS_BAR && (!no_color || !no_color[0]);
}

bool pdl_progress_dumb(const char *term)
{
    return term && strcmp(term, "dumb") == 0;
}

void pdl_progress_snapshot_take(const struct pdl_counters *c, pdl_monotime t0,
                                pdl_monotime now,
                                struct pdl_progress_snapshot *s)
{
    struct pdl_counters_snapshot cs;

    pdl_counters_snapshot(c, &cs);
    s->done = cs.done;
    s->total = (size_t)cs.total;
    s->failed = cs.failed;
    s->bytes = cs.bytes;
    s->workers = cs.workers;
    s->busy = cs.busy;
    s->skipped = cs.skipped;
    s->live_got = cs.live_got;
    s->live_size = cs.live_size;
    s->live_sized = cs.live_sized;
    s->elapsed = now > t0 ? (double)(now - t0) / NS_PER_S : 0.0;
    s->rate = s->elapsed > 0 ? (double)s->bytes / s->elapsed : 0.0;
    s->task_rate =
        s->elapsed > 0 ? (double)(s->done - s->skipped) / s->elapsed : 0.0;
}

/* ---- Numbers for people ---- */

/* Binary units, as the SIZE values of --limit-rate and --max-filesize
 * count (1 KiB = 1024 B), with one decimal from KiB up and never four digits
 * before the point: from 999.95 of a unit, the next one (1000 KiB reads
 * 1.0 MiB). */
static void human_bytes(char *buf, size_t size, double v)
{
    static const char *const unit[] = {"KiB", "MiB", "GiB",
                                       "TiB", "PiB", "EiB"};
    size_t u = 0;

    if (v < 999.5) {
        snprintf(buf, size, "%.0f B", v > 0 ? v : 0.0);
        return;
    }
    v /= 1024;
    while (v >= 999.95 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
        v /= 1024;
        u++;
    }
    snprintf(buf, size, "%.1f %s", v, unit[u]);
}

/* m:ss, or h:mm:ss from an hour up; capped at some 30 years, so that no
 * snapshot makes the conversion overflow. */
static void human_time(char *buf, size_t size, double secs)
{
    long s = secs > 0 ? (long)(secs < 1e9 ? secs : 1e9) : 0;

    if (s >= 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

/* Tasks done, each sized transfer in flight counted by the part of it
 * received: what moves the percent and the bar while big files come. */
static double progress_of(const struct pdl_progress_snapshot *s)
{
    double p = (double)s->done;

    if (s->live_sized && s->live_size > 0)
        p += (double)s->live_sized * (double)s->live_got / (double)s->live_size;
    if (s->total && p > (double)s->total)
        p = (double)s->total;
    return p;
}

/* Seconds left, or -1 while that cannot be said. When every task left is a
 * transfer in flight that said its size, from the bytes left at the recent
 * rate; else from the pace of tasks so far (sized transfers counted by
 * their part), once enough have run for it to mean anything, and while
 * some task is still to start: the pace of the tasks before says nothing
 * of how long the last ones, already under way, will take. Tasks skipped
 * (--continue) are counted done in an instant, so they are left out of the
 * pace. */
static double eta_seconds(const struct pdl_progress_snapshot *s)
{
    double p, ran, left;

    if (s->total == 0) /* not known yet */
        return -1;
    if (s->done >= s->total)
        return 0;
    if (s->live_sized > 0 && s->total - s->done == s->live_sized &&
        s->rate > 0) {
        left = (double)(s->live_size - s->live_got) / s->rate;
        return left < ETA_MAX_S ? left : -1;
    }
    if (s->total - s->done <= s->busy)
        return -1;
    p = progress_of(s);
    ran = p - (double)s->skipped;
    /* A short list cannot wait for ETA_MIN_DONE tasks: half of it will do. */
    if (ran < (ETA_MIN_DONE < s->total / 2.0 ? ETA_MIN_DONE : s->total / 2.0) ||
        ran <= 0 || s->elapsed <= 0)
        return -1;
    left = s->elapsed * ((double)s->total - p) / ran;
    return left < ETA_MAX_S ? left : -1;
}

static void eta_text(char *buf, size_t size,
                     const struct pdl_progress_snapshot *s)
{
    double left = eta_seconds(s);

    if (left < 0)
        snprintf(buf, size, "--:--");
    else
        human_time(buf, size, left);
}

/* Whole percent done, 100 only once every task has settled. */
static unsigned percent(const struct pdl_progress_snapshot *s)
{
    unsigned pct;

    if (s->total == 0 || s->done >= s->total)
        return 100;
    pct = (unsigned)(progress_of(s) * 100 / (double)s->total);
    return pct < 100 ? pct : 99;
}

/* "46.3 tasks/s": one decimal while it is small. */
static void task_rate_text(char *buf, size_t size, double r)
{
    if (!(r > 0))
        r = 0;
    if (r > TASK_RATE_MAX)
        r = TASK_RATE_MAX;
    snprintf(buf, size, r < 99.95 ? "%.1f tasks/s" : "%.0f tasks/s", r);
}

static int digits(size_t n)
{
    int d = 1;

    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* ---- The bar line ---- */

/* The parts of a bar line, in the order they are drawn. */
enum field {
    F_BAR,
    F_PCT,
    F_COUNT,
    F_TASKS,
    F_BYTES,
    F_RATE,
    F_TRATE,
    F_BUSY,
    F_FAILED,
    F_ELAPSED,
    F_ETA,
    F_NFIELDS
};

#define BIT(f) (1u << (f))

/* What goes first as the terminal narrows: words, then the numbers one can
 * do without, then the bar, which only repeats the percent. The count goes
 * last and whole, since a number cut in half reads as another number. */
static const enum field drop_order[] = {F_TASKS,  F_TRATE,   F_BUSY, F_BYTES,
                                        F_RATE,   F_ELAPSED, F_BAR,  F_ETA,
                                        F_FAILED, F_COUNT};

struct fields {
    char text[F_NFIELDS][FIELD_BYTES];
    unsigned present; /* BIT(f) for each field this snapshot has */
};

/* Numbers are padded to a fixed width, so that the line does not jitter
 * and fields are not dropped and restored from one frame to the next. */
static void make_fields(const struct pdl_progress_snapshot *s, struct fields *f)
{
    char num[FIELD_BYTES / 2], rate[FIELD_BYTES];

    if (s->total)
        snprintf(f->text[F_PCT], FIELD_BYTES, "%3u%%", percent(s));
    else
        snprintf(f->text[F_PCT], FIELD_BYTES, "  ?%%");
    if (s->total)
        snprintf(f->text[F_COUNT], FIELD_BYTES, "%*zu/%zu", digits(s->total),
                 s->done, s->total);
    else
        snprintf(f->text[F_COUNT], FIELD_BYTES, "%zu/?", s->done);
    snprintf(f->text[F_TASKS], FIELD_BYTES, " %s",
             s->total == 1 ? "task" : "tasks");
    human_bytes(num, sizeof(num), (double)s->bytes);
    snprintf(f->text[F_BYTES], FIELD_BYTES, "%9s", num);
    human_bytes(num, sizeof(num), s->rate);
    snprintf(rate, sizeof(rate), "%s/s", num);
    snprintf(f->text[F_RATE], FIELD_BYTES, "%11s", rate);
    task_rate_text(rate, sizeof(rate), s->task_rate);
    snprintf(f->text[F_TRATE], FIELD_BYTES, "%12s", rate);
    snprintf(f->text[F_BUSY], FIELD_BYTES, "%*u/%u busy", digits(s->workers),
             s->busy, s->workers);
    snprintf(f->text[F_FAILED], FIELD_BYTES, "%zu failed", s->failed);
    human_time(f->text[F_ELAPSED], FIELD_BYTES, s->elapsed);
    eta_text(f->text[F_ETA], FIELD_BYTES, s);
    f->present = ~0u;
    if (s->failed == 0)
        f->present &= ~BIT(F_FAILED);
}

/* A line being written: bytes in buf, columns on the screen (colour codes
 * take none), never more than width columns nor size - 1 bytes. */
struct line {
    char *buf;
    size_t size;
    size_t len;
    size_t reserve; /* bytes kept for the reset of an open colour */
    int cols;
    int width;
    bool color;
};

static void put(struct line *l, const char *s)
{
    for (; *s && l->cols < l->width && l->len + l->reserve + 1 < l->size; s++) {
        l->buf[l->len++] = *s;
        l->cols++;
    }
    if (l->size)
        l->buf[l->len] = '\0';
}

/* Appends a code as is: it takes no column. */
static void put_code(struct line *l, const char *code)
{
    size_t n = strlen(code);

    memcpy(l->buf + l->len, code, n + 1);
    l->len += n;
}

/* Writes s in colour. The code goes in only if the reset after it fits as
 * well, and room for the reset is kept while s is written: a colour left
 * open would stay on the terminal after the line. */
static void put_colored(struct line *l, const char *code, const char *s)
{
    size_t reset = strlen(SGR_RESET);

    if (!l->color || !*s || l->len + strlen(code) + reset + 1 >= l->size) {
        put(l, s);
        return;
    }
    put_code(l, code);
    l->reserve = reset;
    put(l, s);
    l->reserve = 0;
    put_code(l, SGR_RESET);
}

/* [=====>    ] with cells cells inside, the filled part green. */
static void put_bar(struct line *l, const struct pdl_progress_snapshot *s,
                    int cells)
{
    char fill[BAR_MAX + 1], rest[BAR_MAX + 1];
    size_t full =
        s->total ? (size_t)(progress_of(s) * cells / (double)s->total) : 0;

    if (full > (size_t)cells)
        full = (size_t)cells;
    memset(fill, '=', full);
    fill[full] = '\0';
    memset(rest, ' ', (size_t)cells - full);
    rest[(size_t)cells - full] = '\0';
    if (full < (size_t)cells)
        rest[0] = '>';
    put(l, "[");
    put_colored(l, SGR_GREEN, fill);
    put(l, rest);
    put(l, "]");
}

/* Writes the fields in mask, two spaces apart, the bar cells wide. */
static void put_fields(struct line *l, const struct pdl_progress_snapshot *s,
                       const struct fields *f, unsigned mask, int cells)
{
    if (mask & BIT(F_BAR)) {
        put_bar(l, s, cells);
        put(l, " ");
    }
    put(l, f->text[F_PCT]);
    if (mask & BIT(F_COUNT)) {
        put(l, "  ");
        put(l, f->text[F_COUNT]);
    }
    if (mask & BIT(F_TASKS))
        put(l, f->text[F_TASKS]);
    for (enum field i = F_BYTES; i <= F_BUSY; i++) {
        if (mask & BIT(i)) {
            put(l, "  ");
            put(l, f->text[i]);
        }
    }
    if (mask & BIT(F_FAILED)) {
        put(l, "  ");
        put_colored(l, SGR_RED, f->text[F_FAILED]);
    }
    if (mask & BIT(F_ETA)) {
        put(l, "  ");
        if (mask & BIT(F_ELAPSED)) {
            put(l, f->text[F_ELAPSED]);
            put(l, " < ");
        } else {
            put(l, "ETA ");
        }
        put(l, f->text[F_ETA]);
    }
}

/* Columns the fields in mask take besides the bar. */
static int measure(const struct pdl_progress_snapshot *s,
                   const struct fields *f, unsigned mask)
{
    char buf[LINE_MAX_BYTES];
    struct line l = {.buf = buf, .size = sizeof(buf), .width = INT_MAX};

    put_fields(&l, s, f, mask & ~BIT(F_BAR), 0);
    return l.cols;
}

/* Whether the fields in mask fit in width; if the bar is among them, sets
 * *cells to its width inside the brackets. */
static bool fits(const struct pdl_progress_snapshot *s, const struct fields *f,
                 unsigned mask, int width, int *cells)
{
    int text = measure(s, f, mask);

    if (!(mask & BIT(F_BAR)))
        return text <= width;
    *cells = width - text - 3; /* brackets and the space after them */
    if (*cells > BAR_MAX)
        *cells = BAR_MAX;
    return *cells >= BAR_MIN;
}

size_t pdl_progress_format(char *buf, size_t bufsz,
                           const struct pdl_progress_snapshot *s, int width,
                           bool color)
{
    struct line l = {.buf = buf,
                     .size = bufsz,
                     .width = width > 0 ? width : 0,
                     .color = color};
    struct fields f;
    unsigned mask;
    size_t drop = 0;
    int cells = 0;

    if (bufsz)
        buf[0] = '\0';
    make_fields(s, &f);
    mask = f.present;
    while (!fits(s, &f, mask, l.width, &cells) &&
           drop < sizeof(drop_order) / sizeof(drop_order[0]))
        mask &= ~BIT(drop_order[drop++]);
    /* What is left may still be too wide for a tiny terminal: put() cuts
     * it at the width. */
    put_fields(&l, s, &f, mask, cells);
    return l.len;
}

size_t pdl_progress_format_plain(char *buf, size_t bufsz,
                                 const struct pdl_progress_snapshot *s)
{
    char bytes[FIELD_BYTES], rate[FIELD_BYTES], elapsed[FIELD_BYTES],
        eta[FIELD_BYTES], trate[FIELD_BYTES];
    int n;

    human_bytes(bytes, sizeof(bytes), (double)s->bytes);
    human_bytes(rate, sizeof(rate), s->rate);
    task_rate_text(trate, sizeof(trate), s->task_rate);
    human_time(elapsed, sizeof(elapsed), s->elapsed);
    eta_text(eta, sizeof(eta), s);
    if (s->total)
        n = snprintf(buf, bufsz,
                     "pdl: progress: %zu/%zu %s (%u%%), %s, %s/s, %s, %u/%u "
                     "busy, %zu failed, elapsed %s, ETA %s",
                     s->done, s->total, s->total == 1 ? "task" : "tasks",
                     percent(s), bytes, rate, trate, s->busy, s->workers,
                     s->failed, elapsed, eta);
    else
        n = snprintf(buf, bufsz,
                     "pdl: progress: %zu tasks (of ? so far), %s, %s/s, %s, "
                     "%u/%u busy, %zu failed, elapsed %s",
                     s->done, bytes, rate, trate, s->busy, s->workers,
                     s->failed, elapsed);
    if (n < 0 || bufsz == 0)
        return 0;
    return (size_t)n < bufsz ? (size_t)n : bufsz - 1;
}

/* ---- JSON lines ---- */

/* Appends to buf as snprintf would, keeping *len at most bufsz - 1. */
static void append(char *buf, size_t bufsz, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len + 1 >= bufsz)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, bufsz - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len += (size_t)n < bufsz - *len ? (size_t)n : bufsz - *len - 1;
}

size_t pdl_progress_format_json(char *buf, size_t bufsz,
                                const struct pdl_progress_snapshot *s)
{
    double eta = eta_seconds(s), trate = s->task_rate;
    size_t len = 0;

    if (bufsz == 0)
        return 0;
    buf[0] = '\0';
    if (!(trate > 0))
        trate = 0;
    append(buf, bufsz, &len,
           "{\"type\":\"progress\",\"elapsed\":%.3f,\"done\":%zu,"
           "\"failed\":%zu,\"skipped\":%zu,",
           s->elapsed, s->done, s->failed, s->skipped);
    if (s->total)
        append(buf, bufsz, &len, "\"total\":%zu,\"percent\":%.1f,", s->total,
               s->done >= s->total ? 100.0
                                   : progress_of(s) * 100 / (double)s->total);
    else
        append(buf, bufsz, &len, "\"total\":null,\"percent\":null,");
    append(buf, bufsz, &len,
           "\"bytes\":%lld,\"bytes_in_flight\":%lld,\"size_in_flight\":%lld,"
           "\"in_flight\":%u,\"workers\":%u,\"rate\":%.0f,"
           "\"task_rate\":%.2f,",
           (long long)s->bytes, (long long)s->live_got, (long long)s->live_size,
           s->busy, s->workers, s->rate > 0 ? s->rate : 0.0,
           trate < TASK_RATE_MAX ? trate : TASK_RATE_MAX);
    if (eta >= 0)
        append(buf, bufsz, &len, "\"eta\":%.1f}", eta);
    else
        append(buf, bufsz, &len, "\"eta\":null}");
    return len;
}

/* A string field of a record, read no further than its array: a record
 * that came through shared memory or a pipe is not trusted to end. */
static void json_field(FILE *out, const char *name, const char *s, size_t max)
{
    fprintf(out, ",\"%s\":", name);
    if (s && s[0])
        pdl_json_strn(out, s, strnlen(s, max));
    else
        fputs("null", out);
}

void pdl_progress_json_task(FILE *out, const struct pdl_task *t,
                            const struct pdl_result *r)
{
    int64_t ns = r->end_ns > r->start_ns ? r->end_ns - r->start_ns : 0;

    /* One line of several writes: a message another thread prints on out
     * meanwhile waits for its end instead of splitting it. */
    flockfile(out);
    fprintf(out, "{\"type\":\"task\",\"index\":%llu,\"url\":",
            (unsigned long long)t->id);
    pdl_json_strn(out, t->url ? t->url : "", t->url ? strlen(t->url) : 0);
    json_field(out, "file", t->name, PATH_MAX);
    fputs(",\"status\":", out);
    pdl_json_strn(out, pdl_status_token((enum pdl_status)r->status),
                  strlen(pdl_status_token((enum pdl_status)r->status)));
    fprintf(out,
            ",\"http\":%d,\"bytes\":%lld,\"duration\":%.6f,\"attempts\":%d,"
            "\"worker\":%d",
            (int)r->http, (long long)r->bytes, (double)ns / NS_PER_S,
            (int)r->attempts, (int)r->worker);
    json_field(out, "error", r->error, sizeof(r->error));
    fputs("}\n", out);
    funlockfile(out);
}

/* ---- The display thread ---- */

struct sample {
    pdl_monotime t;
    int64_t bytes;
    size_t ran; /* tasks done, less those skipped */
};

struct pdl_progress {
    const struct pdl_counters *counters;
    FILE *out;
    int fd;
    enum pdl_progress_style style; /* BAR, PLAIN or JSON */
    bool color;
    bool dumb; /* a terminal without escape codes: '\r' and spaces only */
    pdl_monotime t0;
    pthread_t thread;
    /* lock guards stopping; wake cuts the thread's wait short on stop. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    /* out_lock guards writing to out, drawn, last and last_cols: the
     * thread draws, pdl_progress_say writes lines above the bar. */
    pthread_mutex_t out_lock;
    bool drawn;                /* a bar is on the screen */
    char last[LINE_MAX_BYTES]; /* the bar as last drawn */
    int last_cols;             /* the columns it took */
    /* The rest belongs to the thread until it is joined. */
    struct sample ring[RATE_SAMPLES];
    size_t head; /* where the next sample goes */
    size_t nsamples;
    unsigned step; /* tenths of the tasks last reported in plain */
    pdl_monotime last_plain;
};

/* Bytes and tasks per second over the last few seconds of samples: recent
 * enough to follow a change of pace, long enough not to flicker. */
static void recent_rates(struct pdl_progress *p, pdl_monotime now,
                         struct pdl_progress_snapshot *s)
{
    const struct sample *old;
    double dt;

    p->ring[p->head] = (struct sample){now, s->bytes, s->done - s->skipped};
    p->head = (p->head + 1) % RATE_SAMPLES;
    if (p->nsamples < RATE_SAMPLES)
        p->nsamples++;
    old = &p->ring[(p->head + RATE_SAMPLES - p->nsamples) % RATE_SAMPLES];
    dt = (double)(now - old->t) / NS_PER_S;
    s->rate = dt > 0 ? (double)(s->bytes - old->bytes) / dt : 0.0;
    s->task_rate = dt > 0 && s->done - s->skipped >= old->ran
                       ? (double)(s->done - s->skipped - old->ran) / dt
                       : 0.0;
}

static int term_width(int fd)
{
    struct winsize ws;

    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return DEFAULT_WIDTH;
}

/* Columns line takes on the screen: its bytes less colour codes. */
static int columns(const char *line)
{
    int cols = 0;

    for (; *line; line++) {
        if (*line == '\033') {
            while (*line && *line != 'm')
                line++;
            if (!*line)
                break;
            continue;
        }
        cols++;
    }
    return cols;
}

/* Writes what takes the cursor back to where the bar's frame began, with
 * nothing from the old frame left after it, for a terminal width columns
 * wide. A terminal made narrower than the old frame has wrapped it over
 * several rows (terminals that reflow do): go up to the first of them and
 * erase from there to the end of the screen, where the bar is last. A dumb
 * terminal only gets '\r' and the frame's own padding. */
static void put_rewind(struct pdl_progress *p, char *buf, size_t size,
                       size_t *len, int width)
{
    int up = p->drawn && width > 0 && p->last_cols > width
                 ? (p->last_cols - 1) / width
                 : 0;

    if (p->dumb)
        append(buf, size, len, "\r");
    else if (up > 0)
        append(buf, size, len, "\033[%dA\r" ERASE_BELOW, up);
    else
        append(buf, size, len, "\r" ERASE_BELOW);
}

/* Removes the bar from the screen, the cursor left at the start of its
 * line. */
static void erase_bar(struct pdl_progress *p)
{
    char buf[LINE_MAX_BYTES + 16];
    size_t len = 0;

    if (!p->drawn)
        return;
    put_rewind(p, buf, sizeof(buf), &len, term_width(p->fd));
    if (p->dumb) {
        int pad = p->last_cols < LINE_MAX_BYTES ? p->last_cols : LINE_MAX_BYTES;
        append(buf, sizeof(buf), &len, "%*s\r", pad, "");
    }
    fputs(buf, p->out);
    fflush(p->out);
    p->drawn = false;
    p->last[0] = '\0';
    p->last_cols = 0;
}

/* One frame: back to the start of the frame before, the line, and erase
 * what is left of a longer one (with spaces on a dumb terminal). The last
 * three columns stay empty: the "^C" a terminal echoes when interrupted
 * must fit behind the line, else it wraps and leaves a stale frame above
 * the messages that follow; and a character in the last column puts many
 * terminals in a pending wrap, where the erase would eat it. */
static void draw_bar(struct pdl_progress *p,
                     const struct pdl_progress_snapshot *s)
{
    char text[LINE_MAX_BYTES], frame[2 * LINE_MAX_BYTES];
    int width = term_width(p->fd), cols;
    size_t len = 0;

    pdl_progress_format(text, sizeof(text), s, width - FREE_COLUMNS, p->color);
    cols = columns(text);
    if (p->drawn && strcmp(text, p->last) == 0 && p->last_cols <= width)
        return; /* nothing changed: spare a slow link the bytes */
    put_rewind(p, frame, sizeof(frame), &len, width);
    append(frame, sizeof(frame), &len, "%s", text);
    if (p->dumb && p->drawn && p->last_cols > cols)
        append(frame, sizeof(frame), &len, "%*s", p->last_cols - cols, "");
    fputs(frame, p->out);
    fflush(p->out);
    memcpy(p->last, text, strlen(text) + 1);
    /* The spaces that covered a longer frame are on the screen too. */
    p->last_cols =
        p->dumb && p->drawn && p->last_cols > cols ? p->last_cols : cols;
    p->drawn = true;
}

/* One whole line of s: plain text, or a JSON object. */
static void write_line(struct pdl_progress *p,
                       const struct pdl_progress_snapshot *s)
{
    char line[LINE_MAX_BYTES];

    if (p->style == PDL_PROGRESS_JSON)
        pdl_progress_format_json(line, sizeof(line), s);
    else
        pdl_progress_format_plain(line, sizeof(line), s);
    fprintf(p->out, "%s\n", line);
    fflush(p->out);
}

/* A plain line at each tenth of the tasks, and every PLAIN_EVERY_NS even
 * when nothing moved, so that a log shows the run is alive. The line for
 * the end is pdl_progress_stop's. */
static void tick_plain(struct pdl_progress *p,
                       const struct pdl_progress_snapshot *s, pdl_monotime now)
{
    unsigned step;

    if (s->total && s->done >= s->total)
        return;
    /* Tenths of the work, big files in flight counted by their part. */
    step =
        s->total ? (unsigned)(progress_of(s) * 10 / (double)s->total) : p->step;
    if (step <= p->step && now - p->last_plain < PLAIN_EVERY_NS)
        return;
    p->step = step;
    p->last_plain = now;
    write_line(p, s);
}

static void tick(struct pdl_progress *p)
{
    pdl_monotime now = pdl_now();
    struct pdl_progress_snapshot s;

    pdl_progress_snapshot_take(p->counters, p->t0, now, &s);
    recent_rates(p, now, &s);
    if (p->style == PDL_PROGRESS_BAR)
        draw_bar(p, &s);
    else if (p->style == PDL_PROGRESS_JSON)
        write_line(p, &s);
    else
        tick_plain(p, &s, now);
}

static struct timespec deadline_in(pdl_monotime ns)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ns += ts.tv_nsec;
    ts.tv_sec += (time_t)(ns / NS_PER_S);
    ts.tv_nsec = (long)(ns % NS_PER_S);
    return ts;
}

/* Ticks every TICK_NS after the last, so that JSON lines come at a fixed
 * interval however long a frame took. */
static void *display(void *arg)
{
    struct pdl_progress *p = arg;
    pdl_monotime next = pdl_now() + TICK_NS;

    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        pdl_monotime now = pdl_now();
        struct timespec until = deadline_in(next > now ? next - now : 0);

        if (pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0 ||
            p->stopping)
            continue; /* woken: a stop, or a spurious wake-up */
        next += TICK_NS;
        if (next < pdl_now())
            next = pdl_now() + TICK_NS; /* far behind: do not catch up */
        /* Drawing without the lock, so that a stop never waits on a slow
         * terminal more than one frame. */
        pthread_mutex_unlock(&p->lock);
        pthread_mutex_lock(&p->out_lock);
        tick(p);
        pthread_mutex_unlock(&p->out_lock);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Starts the display thread with every signal blocked: SIGINT and SIGTERM
 * belong to the signal watcher, whichever of the two starts first. Returns
 * 0 or an errno value. */
static int start_thread(struct pdl_progress *p)
{
    pthread_condattr_t attr;
    sigset_t all, old;
    int rc;

    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->out_lock, NULL);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&p->thread, NULL, display, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        pthread_mutex_destroy(&p->out_lock);
    }
    return rc;
}

struct pdl_progress *pdl_progress_start(const struct pdl_counters *counters,
                                        enum pdl_progress_style style,
                                        FILE *out, pdl_monotime t0)
{
    int fd = out ? fileno(out) : -1;
    enum pdl_progress_style st =
        pdl_progress_resolve(style, fd >= 0 && isatty(fd));
    struct pdl_progress *p;

    if (st == PDL_PROGRESS_NONE || !counters)
        return NULL;
    p = pdl_xcalloc(1, sizeof(*p));
    p->counters = counters;
    p->out = out;
    p->fd = fd;
    p->style = st;
    p->dumb = st == PDL_PROGRESS_BAR && pdl_progress_dumb(getenv("TERM"));
    p->color = !p->dumb && pdl_progress_use_color(st, getenv("NO_COLOR"));
    p->t0 = t0;
    p->last_plain = t0;
    p->ring[0] = (struct sample){t0, 0, 0};
    p->head = 1;
    p->nsamples = 1;
    if (start_thread(p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void pdl_progress_stop(struct pdl_progress *p)
{
    struct pdl_progress_snapshot s;

    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    if (p->style == PDL_PROGRESS_PLAIN || p->style == PDL_PROGRESS_JSON) {
        pdl_progress_snapshot_take(p->counters, p->t0, pdl_now(), &s);
        write_line(p, &s);
    } else {
        erase_bar(p);
    }
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->out_lock);
    free(p);
}

void pdl_progress_say(struct pdl_progress *p, FILE *out, const char *line)
{
    if (!p) {
        fprintf(out, "%s\n", line);
        return;
    }
    pthread_mutex_lock(&p->out_lock);
    if (p->style == PDL_PROGRESS_JSON) {
        flockfile(p->out); /* one line, as in pdl_progress_json_task */
        fputs("{\"type\":\"message\",\"text\":", p->out);
        pdl_json_strn(p->out, line, strlen(line));
        fputs("}\n", p->out);
        funlockfile(p->out);
    } else {
        erase_bar(p);
        fprintf(p->out, "%s\n", line);
    }
    fflush(p->out);
    pthread_mutex_unlock(&p->out_lock);
}

bool pdl_progress_task(struct pdl_progress *p, const struct pdl_task *t,
                       const struct pdl_result *r)
{
    if (!p || p->style != PDL_PROGRESS_JSON)
        return false;
    pthread_mutex_lock(&p->out_lock);
    pdl_progress_json_task(p->out, t, r);
    fflush(p->out);
    pthread_mutex_unlock(&p->out_lock);
    return true;
}
