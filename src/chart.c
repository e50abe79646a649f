/* Drawing a timeline with gnuplot: the scripts live in plots/ and run on
 * their own; this fills in the file names (and, for a large timeline, the
 * overview's bins), runs gnuplot and says why it failed. */
#include "pdl/chart.h"
#include "pdl/chartdata.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PDL_PLOTS_DIR
#define PDL_PLOTS_DIR "plots"
#endif

extern char **environ;

/* share/pdl/plots of the prefix the running binary is installed in, if it
 * holds the scripts. */
static bool installed_dir(char *buf, size_t bufsz)
{
    char exe[4096], *slash;

    if (pdl_self_exe(exe, sizeof(exe)) != PDL_OK)
        return false;
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    if (pdl_path_fmt(buf, bufsz, "%s/../share/pdl/plots/gantt.gp", exe) !=
        PDL_OK)
        return false;
    bool ok = access(buf, R_OK) == 0;
    buf[strlen(buf) - strlen("/gantt.gp")] = '\0';
    return ok;
}

int pdl_plots_dir(char *buf, size_t bufsz)
{
    const char *env = getenv("PDL_PLOTS_DIR");

    if (env && *env)
        return pdl_path_fmt(buf, bufsz, "%s", env);
    if (installed_dir(buf, bufsz))
        return PDL_OK;
    return pdl_path_fmt(buf, bufsz, "%s", PDL_PLOTS_DIR);
}

int pdl_chart_format_ok(const char *out)
{
    const char *dot = strrchr(out, '.');

    return dot && (strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0 ||
                   strcmp(dot, ".pdf") == 0);
}

/* Appends s to buf as a gnuplot single-quoted string ('' is a quote).
 * Returns PDL_OK, or PDL_ERR_TOOLONG (buf then "") if it does not fit: a
 * path cut short would name another file. */
static int gp_quote(char *buf, size_t bufsz, const char *s)
{
    size_t o = strlen(buf);

    if (o + 1 >= bufsz)
        goto toolong;
    buf[o++] = '\'';
    for (; *s; s++) {
        if (o + 3 >= bufsz)
            goto toolong;
        if (*s == '\'')
            buf[o++] = '\'';
        buf[o++] = *s;
    }
    if (o + 1 >= bufsz)
        goto toolong;
    buf[o++] = '\'';
    buf[o] = '\0';
    return PDL_OK;
toolong:
    buf[0] = '\0';
    return PDL_ERR_TOOLONG;
}

/* PDL_OK, or PDL_ERR_USAGE with err saying which formats there are. */
static int check_format(const char *out, char *err, size_t errsz)
{
    if (pdl_chart_format_ok(out))
        return PDL_OK;
    snprintf(err, errsz, "unknown chart format (use .png, .svg or .pdf)");
    return PDL_ERR_USAGE;
}

/* Returns rc with err saying what it means. */
static int said(int rc, const char *what, char *err, size_t errsz)
{
    snprintf(err, errsz, "%s", what);
    return rc;
}

int pdl_chart_out_ok(const char *out, char *err, size_t errsz)
{
    char probe[4200];
    struct stat st;
    int fd;

    if (check_format(out, err, errsz) != PDL_OK)
        return PDL_ERR_USAGE;
    if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
        return said(PDL_ERR_IO, strerror(EISDIR), err, errsz);
    if (pdl_path_fmt(probe, sizeof(probe), "%s.part-%ld", out,
                     (long)getpid()) != PDL_OK)
        return said(PDL_ERR_TOOLONG, pdl_strerror(PDL_ERR_TOOLONG), err, errsz);
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return said(PDL_ERR_IO, strerror(errno), err, errsz);
    close(fd);
    unlink(probe);
    return PDL_OK;
}

struct pdl_chart {
    char *data; /* the timeline's path */
    const char *view;
    struct pdl_chart_scan scan;
    char agg[4200]; /* the overview's bins, a temporary file; "" if none */
};

/* Writes the overview's bins into a temporary gnuplot file. */
static int make_overview(struct pdl_chart *ch, char *err, size_t errsz)
{
    const char *tmp = getenv("TMPDIR");
    FILE *f;
    int fd, rc;

    if (pdl_path_fmt(ch->agg, sizeof(ch->agg), "%s/pdl-overview-XXXXXX.gp",
                     tmp && *tmp ? tmp : "/tmp") != PDL_OK) {
        snprintf(err, errsz, "$TMPDIR: %s", pdl_strerror(PDL_ERR_TOOLONG));
        return PDL_ERR_TOOLONG;
    }
    fd = mkstemps(ch->agg, 3);
    if (fd < 0 || !(f = fdopen(fd, "w"))) {
        snprintf(err, errsz, "%s: %s", ch->agg, strerror(errno));
        if (fd >= 0)
            close(fd);
        ch->agg[0] = '\0';
        return PDL_ERR_IO;
    }
    rc = pdl_chart_aggregate(ch->data, &ch->scan, f, err, errsz);
    if (fclose(f) != 0 && rc == PDL_OK) {
        snprintf(err, errsz, "%s: %s", ch->agg, strerror(errno));
        rc = PDL_ERR_IO;
    }
    return rc;
}

/* The views of a timeline: the script, the word --by takes for it, and the
 * most rows it draws before the overview is drawn instead (0: any). */
static const struct view {
    const char *script;
    const char *by;
    size_t max;
} views[] = {
    {"gantt", "task", PDL_CHART_TASKS_MAX},
    {"lanes", "worker", PDL_CHART_LANES_MAX},
    {"conns", "connection", PDL_CHART_LANES_MAX},
    {"overview", "overview", 0},
};

static const struct view *find_view(const char *script)
{
    for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
        if (strcmp(views[i].script, script) == 0)
            return &views[i];
    return NULL;
}

int pdl_chart_create(struct pdl_chart **chart, const char *data,
                     const char *view, char *err, size_t errsz)
{
    const struct view *v = find_view(view);
    struct pdl_chart *ch;
    int rc;

    *chart = NULL;
    if (!v) {
        snprintf(err, errsz, "unknown view \"%.40s\"", view);
        return PDL_ERR_USAGE;
    }
    ch = pdl_xcalloc(1, sizeof(*ch));
    ch->data = pdl_xstrdup(data);
    rc = pdl_chart_scan_file(data, &ch->scan, err, errsz);
    if (rc == PDL_OK)
        ch->view = v->max && ch->scan.rows > v->max ? "overview" : v->script;
    if (rc == PDL_OK && strcmp(ch->view, "overview") == 0)
        rc = make_overview(ch, err, errsz);
    if (rc != PDL_OK) {
        pdl_chart_destroy(ch);
        return rc;
    }
    *chart = ch;
    return PDL_OK;
}

const char *pdl_chart_view(const struct pdl_chart *chart)
{
    return chart->view;
}

size_t pdl_chart_rows(const struct pdl_chart *chart)
{
    return chart->scan.rows;
}

void pdl_chart_destroy(struct pdl_chart *chart)
{
    if (!chart)
        return;
    if (chart->agg[0])
        unlink(chart->agg);
    free(chart->data);
    free(chart);
}

/* "data='...'; out='...'" (and "; agg='...'") for gnuplot -e. Returns
 * PDL_OK or PDL_ERR_TOOLONG (buf then ""). */
static int settings(char *buf, size_t bufsz, const char *data, const char *out,
                    const char *agg)
{
    snprintf(buf, bufsz, "data=");
    if (gp_quote(buf, bufsz, data) != PDL_OK)
        return PDL_ERR_TOOLONG;
    strncat(buf, "; out=", bufsz - strlen(buf) - 1);
    if (gp_quote(buf, bufsz, out) != PDL_OK)
        return PDL_ERR_TOOLONG;
    if (agg && *agg) {
        strncat(buf, "; agg=", bufsz - strlen(buf) - 1);
        return gp_quote(buf, bufsz, agg);
    }
    return PDL_OK;
}

/* The last line gnuplot printed that is not blank, trimmed: its reason. */
static void last_line(const char *text, char *buf, size_t bufsz)
{
    const char *end = text + strlen(text), *start;

    while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    start = end;
    while (start > text && start[-1] != '\n')
        start--;
    while (start < end && (*start == ' ' || *start == '\t'))
        start++;
    snprintf(buf, bufsz, "%.*s", (int)(end - start), start);
}

/* Runs gnuplot -e SETTINGS SCRIPT with its stderr in text (cut to textsz);
 * returns its exit status, 127 if it could not be started. */
static int run_gnuplot(const char *set, const char *script, char *text,
                       size_t textsz)
{
    char *argv[] = {"gnuplot", "-e", (char *)set, (char *)script, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    FILE *cap = tmpfile();
    sigset_t none;
    pid_t pid;
    int status = 0, rc;
    size_t n = 0;

    text[0] = '\0';
    /* gnuplot gets a clean signal mask, whatever the caller blocked. */
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_init(&fa);
    /* gnuplot's chatter is not pdl's output; its errors are kept to say
     * why a chart failed. */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (cap)
        posix_spawn_file_actions_adddup2(&fa, fileno(cap), 2);
    rc = posix_spawnp(&pid, "gnuplot", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    while (rc == 0 && waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            rc = errno;
    if (cap) {
        rewind(cap);
        n = fread(text, 1, textsz - 1, cap);
        text[n] = '\0';
        fclose(cap);
    }
    if (rc != 0)
        return 127;
    return WIFEXITED(status)     ? WEXITSTATUS(status)
           : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                 : 128;
}

/* Copies file from to to; returns PDL_OK or PDL_ERR_IO. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
    char buf[65536];
    size_t n;
    int rc = PDL_OK;

    while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = PDL_ERR_IO;
    if (!out || ferror(in) || fclose(out) != 0)
        rc = PDL_ERR_IO;
    if (in)
        fclose(in);
    return rc;
}

/* Leaves OUT.gp, a script that draws the chart with plain `gnuplot OUT.gp`. */
static void write_filled(const char *set, const char *script, const char *out,
                         char *path, size_t pathsz)
{
    FILE *f;
    char call[4096] = "";

    if (pdl_path_fmt(path, pathsz, "%s.gp", out) != PDL_OK ||
        gp_quote(call, sizeof(call), script) != PDL_OK)
        return;
    f = fopen(path, "w");
    if (!f) {
        path[0] = '\0';
        return;
    }
    fprintf(f, "# Draws %s: gnuplot %s\n%s\ncall %s\n", out, path, set, call);
    if (fclose(f) != 0)
        path[0] = '\0';
}

/* Draws with plots/VIEW.gp; agg is the overview's bins or NULL. */
static int draw(const char *data, const char *out, const char *view,
                const char *agg, FILE *report, char *err, size_t errsz)
{
    char dir[4096], script[4200], set[16384], filled[4400], kept[4400];
    char text[16384], why[1024];
    int rc;

    if (check_format(out, err, errsz) != PDL_OK)
        return PDL_ERR_USAGE;
    if (pdl_plots_dir(dir, sizeof(dir)) != PDL_OK ||
        pdl_path_fmt(script, sizeof(script), "%s/%.32s.gp", dir, view) !=
            PDL_OK) {
        snprintf(err, errsz, "the plots folder: %s",
                 pdl_strerror(PDL_ERR_TOOLONG));
        return PDL_ERR_TOOLONG;
    }
    if (access(script, R_OK) != 0) {
        snprintf(err, errsz, "%s: %s", script, strerror(errno));
        return PDL_ERR_IO;
    }
    if (settings(set, sizeof(set), data, out, agg) != PDL_OK)
        return said(PDL_ERR_TOOLONG, pdl_strerror(PDL_ERR_TOOLONG), err, errsz);
    rc = run_gnuplot(set, script, text, sizeof(text));
    if (rc == 0) {
        if (report && text[0])
            fputs(text, report);
        return PDL_OK;
    }
    /* The overview's bins are temporary: keep a copy for the command. */
    if (agg && *agg &&
        pdl_path_fmt(kept, sizeof(kept), "%s.data.gp", out) == PDL_OK &&
        copy_file(agg, kept) == PDL_OK &&
        settings(set, sizeof(set), data, out, kept) != PDL_OK)
        settings(set, sizeof(set), data, out, agg);
    write_filled(set, script, out, filled, sizeof(filled));
    last_line(text, why, sizeof(why));
    if (rc > 128)
        snprintf(why, sizeof(why), "killed by signal %d (%s)", rc - 128,
                 strsignal(rc - 128));
    snprintf(err, errsz, "%s%s%s; to draw it later: gnuplot -e \"%s\" %s%s%s",
             rc == 127 ? "gnuplot not found" : "gnuplot failed",
             why[0] && rc != 127 ? ": " : "", rc != 127 ? why : "", set, script,
             filled[0] ? " (or: gnuplot " : "", filled[0] ? filled : "");
    if (filled[0])
        strncat(err, ")", errsz - strlen(err) - 1);
    return PDL_ERR_TOOL;
}

int pdl_chart_draw(struct pdl_chart *chart, const char *out, FILE *report,
                   char *err, size_t errsz)
{
    return draw(chart->data, out, chart->view, chart->agg, report, err, errsz);
}

int pdl_chart_render(const char *data, const char *out, const char *view,
                     char *err, size_t errsz)
{
    struct pdl_chart *ch;
    int rc;

    /* These scripts read their own summaries, not a timeline. */
    if (strcmp(view, "compare") == 0 || strcmp(view, "predict") == 0)
        return draw(data, out, view, NULL, stderr, err, errsz);
    rc = pdl_chart_create(&ch, data, view, err, errsz);
    if (rc != PDL_OK)
        return rc;
    rc = pdl_chart_draw(ch, out, stderr, err, errsz);
    pdl_chart_destroy(ch);
    return rc;
}

size_t pdl_chart_render_all(const char *data, const char *const *outs, size_t n,
                            const char *view, FILE *report, bool quiet)
{
    char err[20000];
    struct pdl_chart *ch;
    size_t failed = 0;

    if (n == 0)
        return 0;
    if (pdl_chart_create(&ch, data, view, err, sizeof(err)) != PDL_OK) {
        for (size_t i = 0; i < n; i++)
            fprintf(report, "pdl: chart %s: %s: %s\n", outs[i], data, err);
        return n;
    }
    if (!quiet && strcmp(ch->view, view) != 0) {
        const struct view *v = find_view(view);
        fprintf(report,
                "pdl: chart: %zu tasks, drawn as an overview over time "
                "(the %s view draws up to %zu)\n",
                ch->scan.rows, v->by, v->max);
    }
    for (size_t i = 0; i < n; i++) {
        if (pdl_chart_draw(ch, outs[i], report, err, sizeof(err)) != 0) {
            fprintf(report, "pdl: chart %s: %s\n", outs[i], err);
            failed++;
        } else if (!quiet) {
            fprintf(report, "pdl: chart: %s\n", outs[i]);
        }
    }
    pdl_chart_destroy(ch);
    return failed;
}
