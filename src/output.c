/* Output files through a temporary name and a rename. */
#include "pdl/output.h"
#include "pdl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *pdl_output_tmpname(const char *path)
{
    size_t n = strlen(path) + 32;
    char *tmp = pdl_xmalloc(n);

    snprintf(tmp, n, "%s.part-%ld", path, (long)getpid());
    return tmp;
}

static int report(struct pdl_output *o, int err, FILE *diag)
{
    if (!o->failed && diag)
        fprintf(diag, "pdl: %s: %s\n",
                strcmp(o->path, "-") == 0 ? "standard output" : o->path,
                strerror(err));
    o->failed = true;
    return -1;
}

int pdl_output_open(struct pdl_output *o, const char *path, FILE *diag)
{
    struct stat st;

    *o = (struct pdl_output){.path = path};
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return report(o, EISDIR, diag);
    /* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written as it
     * is: there is no earlier copy to keep, and nothing to rename over. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->f = fopen(path, "w");
        return o->f ? 0 : report(o, errno, diag);
    }
    o->tmp = pdl_output_tmpname(path);
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        int err = errno;
        free(o->tmp);
        o->tmp = NULL;
        return report(o, err, diag);
    }
    return 0;
}

int pdl_output_close(struct pdl_output *o, bool keep, FILE *diag)
{
    int err = 0;

    if (!o->f)
        return o->failed ? -1 : 0;
    if (o->f != stdout && !o->tmp) {
        bool bad = ferror(o->f) != 0;
        if ((fclose(o->f) != 0 || bad) && keep)
            err = errno ? errno : EIO;
        o->f = NULL;
        return err ? report(o, err, diag) : (o->failed ? -1 : 0);
    }
    if (o->f == stdout) {
        if ((fflush(stdout) != 0 || ferror(stdout)) && keep)
            err = errno ? errno : EIO;
        o->f = NULL;
        return err ? report(o, err, diag) : (o->failed ? -1 : 0);
    }
    if (ferror(o->f))
        err = errno ? errno : EIO;
    if (fclose(o->f) != 0 && !err)
        err = errno;
    o->f = NULL;
    if (keep && !err && rename(o->tmp, o->path) != 0)
        err = errno;
    if (!keep || err)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    if (keep && err)
        return report(o, err, diag);
    return o->failed ? -1 : 0;
}

int pdl_output_check(const char *path, FILE *diag)
{
    struct pdl_output o;

    if (!path || strcmp(path, "-") == 0)
        return 0;
    if (pdl_output_open(&o, path, diag) != 0)
        return -1;
    pdl_output_close(&o, false, diag);
    return 0;
}
