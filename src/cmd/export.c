/* pdl export TIMELINE FILE...: an earlier run's timeline in other formats. */
#include "../cli.h"
#include "pdl/export.h"

#include <stdio.h>

int pdl_cmd_export(int argc, char **argv)
{
    char err[512];
    int rc = PDL_EXIT_OK;

    if (argc < 3 || (argv[1][0] == '-' && argv[1][1] != '\0')) {
        fputs("Usage: pdl export TIMELINE FILE...\n"
              "Writes the timeline TSV of a run (TIMELINE, '-' for stdin) as\n"
              "each FILE: *.jsonl (JSON lines), *.json (Chrome trace event\n"
              "format, for Perfetto) or *.har (HAR 1.2, for browser "
              "devtools).\n",
              argc < 3 ? stderr : stdout);
        return argc < 3 ? PDL_EXIT_USAGE : PDL_EXIT_OK;
    }
    for (int i = 2; i < argc; i++) {
        if (pdl_export_file(argv[1], argv[i], err, sizeof(err)) != PDL_OK) {
            fprintf(stderr, "pdl: export: %s\n", err);
            rc = PDL_EXIT_FAILED;
        }
    }
    return rc;
}
