/* Drawing a timeline with gnuplot: the scripts live in plots/ and run on
 * their own; this only fills in the file names and runs gnuplot. */
#include "pdl/chart.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

    if (n <= 0)
        return false;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    snprintf(buf, bufsz, "%s/../share/pdl/plots", exe);
    strncat(buf, "/gantt.gp", bufsz - strlen(buf) - 1);
    bool ok = access(buf, R_OK) == 0;
    buf[strlen(buf) - strlen("/gantt.gp")] = '\0';
    return ok;
}

void pdl_plots_dir(char *buf, size_t bufsz)
{
    const char *env = getenv("PDL_PLOTS_DIR");

    if (env && *env)
        snprintf(buf, bufsz, "%s", env);
    else if (!installed_dir(buf, bufsz))
        snprintf(buf, bufsz, "%s", PDL_PLOTS_DIR);
}

int pdl_chart_format_ok(const char *out)
{
    const char *dot = strrchr(out, '.');

    return dot && (strcmp(dot, ".png") == 0 || strcmp(dot, ".svg") == 0 ||
                   strcmp(dot, ".pdf") == 0);
}

/* Appends s to buf as a gnuplot single-quoted string ('' is a quote). */
static void gp_quote(char *buf, size_t bufsz, const char *s)
{
    size_t o = strlen(buf);

    if (o + 1 < bufsz)
        buf[o++] = '\'';
    for (; *s && o + 2 < bufsz; s++) {
        if (*s == '\'')
            buf[o++] = '\'';
        buf[o++] = *s;
    }
    if (o + 1 < bufsz)
        buf[o++] = '\'';
    buf[o] = '\0';
}

/* "data='...'; out='...'" for gnuplot -e. */
static void settings(char *buf, size_t bufsz, const char *data, const char *out)
{
    snprintf(buf, bufsz, "data=");
    gp_quote(buf, bufsz, data);
    strncat(buf, "; out=", bufsz - strlen(buf) - 1);
    gp_quote(buf, bufsz, out);
}

/* Runs gnuplot -e SETTINGS SCRIPT; returns its exit status, 127 if it could
 * not be started. */
static int run_gnuplot(const char *set, const char *script)
{
    char *argv[] = {"gnuplot", "-e", (char *)set, (char *)script, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none;
    pid_t pid;
    int status, rc;

    /* gnuplot gets a clean signal mask, whatever the caller blocked. */
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_init(&fa);
    /* gnuplot's chatter is not pdl's output; its errors go to stderr. */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    rc = posix_spawnp(&pid, "gnuplot", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return 127;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 127;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Leaves OUT.gp, a script that draws the chart with plain `gnuplot OUT.gp`. */
static void write_filled(const char *set, const char *script, const char *out,
                         char *path, size_t pathsz)
{
    FILE *f;
    char call[4096] = "";

    snprintf(path, pathsz, "%s.gp", out);
    f = fopen(path, "w");
    if (!f) {
        path[0] = '\0';
        return;
    }
    gp_quote(call, sizeof(call), script);
    fprintf(f, "# Draws %s: gnuplot %s\n%s\ncall %s\n", out, path, set, call);
    if (fclose(f) != 0)
        path[0] = '\0';
}

int pdl_chart_render(const char *data, const char *out, const char *view,
                     char *err, size_t errsz)
{
    char dir[4096], script[4200], set[8192], filled[4400];
    int rc;

    if (!pdl_chart_format_ok(out)) {
        snprintf(err, errsz, "unknown chart format (use .png, .svg or .pdf)");
        return -1;
    }
    pdl_plots_dir(dir, sizeof(dir));
    snprintf(script, sizeof(script), "%s/%.32s.gp", dir, view);
    if (access(script, R_OK) != 0) {
        snprintf(err, errsz, "%s: %s", script, strerror(errno));
        return -1;
    }
    settings(set, sizeof(set), data, out);
    rc = run_gnuplot(set, script);
    if (rc == 0)
        return 0;
    write_filled(set, script, out, filled, sizeof(filled));
    snprintf(err, errsz, "%s; to draw it later: gnuplot -e \"%s\" %s%s%s",
             rc == 127 ? "gnuplot not found" : "gnuplot failed", set, script,
             filled[0] ? " (or: gnuplot " : "", filled[0] ? filled : "");
    if (filled[0])
        strncat(err, ")", errsz - strlen(err) - 1);
    return -1;
}
