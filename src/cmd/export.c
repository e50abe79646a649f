/* pdl export TIMELINE FILE...: an earlier run's timeline in other formats. */
#include "../cli.h"
#include "pdl/export.h"

#include <stdio.h>

static const struct pdl_opt export_opts[] = {
    {"help", no_argument, 'h', NULL, NULL, NULL}, /* the usage says it all */
    PDL_OPT_END,
};

static const struct pdl_opt_layout export_layout = {18, false};

static const char export_head[] =
    "Usage: pdl export TIMELINE FILE...\n"
    "Writes the timeline TSV of a run (TIMELINE, '-' for stdin) as\n"
    "each FILE, by its extension: *.jsonl (JSON lines), *.trace.json\n"
    "(Chrome trace event format, for Perfetto), *.har (HAR 1.2, for\n"
    "browser devtools), any other *.json (the document --json writes).\n";

/* --help, or an option export does not have. */
static int export_option(void *ctx, int c, const char *arg)
{
    (void)ctx;
    (void)arg;
    if (c == 'h') {
        pdl_opt_usage(stdout, export_opts, &export_layout, export_head, "");
        return PDL_EXIT_OK;
    }
    fputs("Try 'pdl export --help'.\n", stderr);
    return PDL_EXIT_USAGE;
}

int pdl_cmd_export(int argc, char **argv)
{
    const struct pdl_opt *tables[] = {export_opts};
    char err[512];
    int rc = pdl_cli_options(argc, argv, tables, 1, false, export_option, NULL);

    if (rc >= 0)
        return rc;
    if (argc - optind < 2) {
        pdl_opt_usage(stderr, export_opts, &export_layout, export_head, "");
        return PDL_EXIT_USAGE;
    }
    rc = PDL_EXIT_OK;
    for (int i = optind + 1; i < argc; i++) {
        if (pdl_export_file(argv[optind], argv[i], err, sizeof(err)) !=
            PDL_OK) {
            fprintf(stderr, "pdl: export: %s\n", err);
            rc = PDL_EXIT_FAILED;
        }
    }
    return rc;
}
