/*
 * pdl-testd as a library: a local HTTP test server on 127.0.0.1 that a
 * program or a test starts in its own process (port 0: the kernel picks),
 * asks for its port, and stops. Every server is its own context; two can
 * run side by side.
 */

#ifndef PDL_TESTD_H
#define PDL_TESTD_H

#include <stddef.h>
#include <stdio.h>

#define PDL_TESTD_NAME "pdl-testd"
#define PDL_TESTD_VERSION "0.1.0"

/* How to start a server. All zero is a valid choice: a port the kernel
 * picks, one polling thread, no port file, no log. */
struct pdl_testd_options {
    unsigned port;         /* 0 lets the kernel pick */
    const char *port_file; /* NULL, or written "port\n" through F.tmp */
    unsigned threads;      /* polling threads; 0 and 1 mean one */
    FILE *log;             /* NULL, or where one line per request goes */
};

struct pdl_testd;

/* Starts a server as opt says (copied; opt->port_file is used only here)
 * and returns it serving, with the port file written if asked. Returns
 * NULL with the reason in err ("127.0.0.1:P: cannot start server", or
 * "F: why" for the port file) if it cannot start; nothing is left running. */
struct pdl_testd *pdl_testd_start(const struct pdl_testd_options *opt,
                                  char *err, size_t errsz);

/* The port the server listens on (the kernel's pick for port 0). */
unsigned pdl_testd_port(const struct pdl_testd *td);

/* Answers every waiting request (a /delay with 503, a /hang by closing),
 * stops the server and frees it. Accepts NULL. */
void pdl_testd_stop(struct pdl_testd *td);

#endif
