/* What the integration suites share: pdl-testd started in the test's own
 * process on port 0 (a checked fixture, so each test, forked by check, has
 * its own server), a temporary folder, and URL lists written into it. */
#ifndef PDL_IT_HARNESS_H
#define PDL_IT_HARNESS_H

#include <stddef.h>

/* Checked fixture: starts the server and makes the folder; fails the test
 * if either cannot be had. */
void it_setup(void);
/* Checked fixture: stops the server and removes the folder. */
void it_teardown(void);

/* The temporary folder of this test. */
const char *it_dir(void);
/* The URL of path (which starts with '/') on the server, into out. */
void it_url(char *out, size_t outsz, const char *path);
/* Writes the list file name in the folder, one URL per path, and its full
 * path into out. */
void it_write_list(const char *name, const char *const *paths, size_t n,
                   char *out, size_t outsz);

#endif
