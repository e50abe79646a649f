/* What a request carries besides its URL: the user's headers, credentials,
 * cookies, proxy and name overrides (-H, --user, --cookie, --resolve, ...),
 * set on each curl handle once, and a task's own options (header= and
 * checksum= lines under its URL) set at each attempt. */
#ifndef PDL_REQUEST_H
#define PDL_REQUEST_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdl/job.h"
#include "pdl/result.h"
#include "pdl/sink.h"
#include "pdl/tasklist.h"

/* Why a value is refused, or NULL if it is good. Pure: they read nothing
 * but the value, so cli.c checks every value before any download. */
const char *pdl_request_check_header(const char *h);     /* "Name: value" */
const char *pdl_request_check_userpwd(const char *s);    /* "user:pass" */
const char *pdl_request_check_resolve(const char *s);    /* host:port:addr */
const char *pdl_request_check_connect_to(const char *s); /* h1:p1:h2:p2 */
const char *pdl_request_check_proxy(const char *s);

/* True if a --cookie argument is cookies to send ("n=v; n2=v2"), false if
 * it names a cookie file to read (curl's rule: a '=' makes it data). */
bool pdl_request_cookie_is_data(const char *s);

/* Parses "sha256:HEX" (64 hex digits, either case) into digest. Returns
 * NULL, or why the text is refused. */
const char *pdl_checksum_parse(const char *s, uint8_t digest[32]);

/* The expected digests of a --checksums file (sha256sum's format: "HEX  NAME"
 * or "HEX *NAME", one a line), keyed by the name pdl gives the body. Memory
 * grows with the file, never with the list. */
struct pdl_checksums;

/* Reads path. Returns NULL with why (a sentence, "LINE: ..." for a bad
 * line) written into err if the file cannot be read or a line is bad. */
struct pdl_checksums *pdl_checksums_load(const char *path, char *err,
                                         size_t errsz);
void pdl_checksums_destroy(struct pdl_checksums *c); /* accepts NULL */

/* The digest expected for name, or NULL if the file has none. */
const uint8_t *pdl_checksums_find(const struct pdl_checksums *c,
                                  const char *name);

/* The request state of one curl handle: the lists libcurl reads from while
 * the handle lives (it does not copy them) and the cookie store it shares. */
struct pdl_request;

/* Sets on c every option the user's options ask for (headers, --user,
 * --netrc, cookies, --compressed, --proxy, --resolve, --connect-to) and
 * returns the state the fetcher owns, to be destroyed before c is cleaned
 * up. Cookies are kept in one store shared by every handle of the process
 * (a CURLSH with a lock), so that threads and the async loop see one
 * another's cookies and --cookie-jar gets them all. Returns NULL if
 * libcurl refused an option (it was built without it). */
struct pdl_request *pdl_request_create(CURL *c, const struct pdl_options *opt);

/* Writes the cookie jar (--cookie-jar) with every cookie of the shared
 * store, detaches c from the store and frees q. Call before
 * curl_easy_cleanup(c). Accepts NULL. */
void pdl_request_destroy(struct pdl_request *q);

/* Applies task t's own options to the attempt about to start: its header=
 * lines (after the -H ones, and after extra, the resume's If-Range, which
 * it replaces on the handle) and the checksum the body must have (its
 * checksum= line, else --checksums by t->name), which s verifies before
 * the rename. Call after pdl_sink_init and pdl_resume_begin. */
void pdl_request_task(struct pdl_request *q, const struct pdl_task *t,
                      const struct curl_slist *extra, struct pdl_sink *s);

/* The folders -x saves url's body in: its host (lowercase, "host_port"
 * with a port, never the credentials), then each folder of its path, each
 * component cleaned as pdl_name_from_url cleans a name (never "." or
 * "..", never hidden), each followed by '/'; at most 32 levels. Returns
 * PDL_OK, or PDL_ERR_TOOLONG (out then "") when they do not fit in out. */
int pdl_request_dirs(const char *url, char *out, size_t outsz);

/* The room for the folders of pdl_request_dirs (PATH_MAX on Linux). */
#define PDL_PATH_MAX 4096

/* The file name a Content-Disposition value gives (filename*= before
 * filename=, quoted or not), its last path component cleaned as
 * pdl_name_from_url cleans a name; "" if it gives none. out holds at least
 * PDL_NAME_MAX + 1 bytes. */
void pdl_request_disposition_name(const char *value, char *out, size_t outsz);

/* Where t's body is saved under the output folder: its -x folders (with
 * --force-directories) and name (t->name, or another name it was saved
 * under). Returns PDL_OK, or PDL_ERR_TOOLONG (out then "") when it does
 * not fit in out. */
int pdl_request_path(const struct pdl_options *opt, const struct pdl_task *t,
                     const char *name, char *out, size_t outsz);

/* With --no-clobber: true if t's file is already in dirfd (in its -x
 * folders), and then *r is its record: skipped, "exists (--no-clobber)". */
bool pdl_request_exists(const struct pdl_options *opt, int dirfd,
                        const struct pdl_task *t, struct pdl_result *r);

/* The text of one of t's options ("header", "checksum"): the n-th line
 * "key=value" of t->opts with that key, copied into out without the key.
 * False if there is none. */
bool pdl_task_opt(const char *opts, const char *key, size_t n, char *out,
                  size_t outsz);

#endif
