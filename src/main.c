/* pdl: download lists of URLs serially, with a pool of threads or processes,
 * on curl_multi or across MPI ranks, and record when every task ran. This
 * file only picks the command; each is in src/cmd/. */
#include "cli.h"

#include <string.h>

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
} commands[] = {
    {"export", pdl_cmd_export}, {"compare", pdl_cmd_compare},
    {"chart", pdl_cmd_chart},   {"predict", pdl_cmd_predict},
    {"demo", pdl_cmd_demo},
};

int main(int argc, char **argv)
{
    pdl_main_init();
    for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(commands[0]);
         i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    return pdl_cmd_run(argc, argv);
}
