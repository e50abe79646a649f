/* Per-request options: what the user asked every request to carry (-H,
 * --user, --cookie, --proxy, --resolve, ...) set on each curl handle, and
 * what one task's lines under its URL add (header=, checksum=). Values are
 * checked here by pure functions, so that the CLI refuses them before any
 * download. */
#include "pdl/request.h"
#include "pdl/names.h"
#include "pdl/sha256.h"
#include "pdl/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <fcntl.h>

/* ---- value checks ---- */

/* RFC 9110 token characters: what a header's name may hold. */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
            return true;
    return false;
}

const char *pdl_request_check_header(const char *h)
{
    const char *p = h;

    while (is_tchar(*p))
        p++;
    if (p == h || *p != ':')
        return "must be \"Name: value\"";
    if (has_ctl(p))
        return "holds a control byte (a line break?)";
    return NULL;
}

const char *pdl_request_check_userpwd(const char *s)
{
    const char *colon = strchr(s, ':');

    if (!colon || colon == s)
        return "must be \"user:password\"";
    if (has_ctl(s))
        return "holds a control byte";
    return NULL;
}

/* True if [s, s + n) is a port: 1 to 65535 in decimal. */
static bool is_port(const char *s, size_t n)
{
    long v = 0;

    if (n == 0 || n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* The end of a host at s: past a bracketed IPv6 address, else at the next
 * ':'. NULL if a '[' is not closed. */
static const char *host_end(const char *s)
{
    if (*s == '[') {
        const char *e = strchr(s, ']');
        return e ? e + 1 : NULL;
    }
    return s + strcspn(s, ":");
}

const char *pdl_request_check_resolve(const char *s)
{
    static const char why[] = "must be \"host:port:address[,address...]\"";
    const char *p = s + (*s == '+' || *s == '-'), *h = host_end(p), *port;

    if (!h || h == p || *h != ':' || has_ctl(s) || strchr(s, ' '))
        return why;
    port = h + 1;
    h = port + strcspn(port, ":");
    if (!is_port(port, (size_t)(h - port)))
        return why;
    if (*s == '-')
        return *h ? why : NULL;
    if (*h != ':' || h[1] == '\0' || h[1] == ',')
        return why;
    return NULL;
}

const char *pdl_request_check_connect_to(const char *s)
{
    static const char why[] = "must be \"host1:port1:host2:port2\" (any part "
                              "may be empty)";
    const char *p = s;

    if (has_ctl(s) || strchr(s, ' '))
        return why;
    for (int part = 0; part < 4; part++) {
        const char *e = part % 2 ? p + strcspn(p, ":") : host_end(p);
        if (!e)
            return why;
        if (part % 2 && e > p && !is_port(p, (size_t)(e - p)))
            return why;
        if (part < 3 && *e != ':')
            return why;
        if (part == 3 && *e)
            return why;
        p = e + (part < 3);
    }
    return NULL;
}

const char *pdl_request_check_proxy(const char *s)
{
    static const char *const schemes[] = {"http://",   "https://",
                                          "socks4://", "socks4a://",
                                          "socks5://", "socks5h://"};
    const char *sep = strstr(s, "://");

    if (!*s || has_ctl(s) || strchr(s, ' '))
        return "must be a proxy URL (http://host:port)";
    if (!sep)
        return NULL; /* host:port, taken as http:// by libcurl */
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
        if (strncmp(s, schemes[i], strlen(schemes[i])) == 0)
            return sep[3] ? NULL : "names no host";
    return "the scheme must be http, https, socks4, socks4a, socks5 or "
           "socks5h";
}

bool pdl_request_cookie_is_data(const char *s)
{
    return strchr(s, '=') != NULL;
}

/* 64 hex digits at s into digest; false if s is not exactly that. */
static bool parse_hex(const char *s, size_t n, uint8_t digest[32])
{
    if (n != 64)
        return false;
    for (size_t i = 0; i < 32; i++) {
        int hi = pdl_hex_value(s[2 * i]), lo = pdl_hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        digest[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

const char *pdl_checksum_parse(const char *s, uint8_t digest[32])
{
    if (strncasecmp(s, "sha256:", 7) != 0)
        return "must be sha256:HEX";
    if (!parse_hex(s + 7, strlen(s + 7), digest))
        return "must be sha256: and 64 hex digits";
    return NULL;
}

/* ---- --checksums FILE ---- */

struct entry {
    char *name;
    uint8_t digest[32];
};

struct pdl_checksums {
    struct entry *e;
    size_t n, cap;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name,
                  ((const struct entry *)b)->name);
}

/* One line of sha256sum's output: "HEX  NAME" or "HEX *NAME". */
static const char *parse_sum_line(struct pdl_checksums *c, char *line)
{
    size_t len = strlen(line);
    uint8_t digest[32];

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (len == 0 || line[0] == '#')
        return NULL;
    if (len < 67 || !parse_hex(line, 64, digest) || line[64] != ' ' ||
        (line[65] != ' ' && line[65] != '*'))
        return "not \"HEX  NAME\" as sha256sum writes";
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->e = pdl_xrealloc(c->e, c->cap, sizeof(*c->e));
    }
    /* "./name" as sha256sum prints for ./name: the same file. */
    const char *name = line + 66;
    if (strncmp(name, "./", 2) == 0)
        name += 2;
    c->e[c->n].name = pdl_xstrdup(name);
    memcpy(c->e[c->n].digest, digest, 32);
    c->n++;
    return NULL;
}

struct pdl_checksums *pdl_checksums_load(const char *path, char *err,
                                         size_t errsz)
{
    struct pdl_checksums *c;
    FILE *in = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    long no = 0;

    if (!in) {
        snprintf(err, errsz, "%s", strerror(errno));
        return NULL;
    }
    c = pdl_xcalloc(1, sizeof(*c));
    while (getline(&line, &cap, in) >= 0) {
        const char *why = parse_sum_line(c, line);
        no++;
        if (why) {
            snprintf(err, errsz, "line %ld: %s", no, why);
            goto fail;
        }
    }
    if (ferror(in)) {
        snprintf(err, errsz, "%s", strerror(errno));
        goto fail;
    }
    qsort(c->e, c->n, sizeof(*c->e), by_name);
    free(line);
    fclose(in);
    return c;
fail:
    free(line);
    fclose(in);
    pdl_checksums_destroy(c);
    return NULL;
}

void pdl_checksums_destroy(struct pdl_checksums *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->e[i].name);
    free(c->e);
    free(c);
}

const uint8_t *pdl_checksums_find(const struct pdl_checksums *c,
                                  const char *name)
{
    struct entry key = {.name = (char *)name};
    const struct entry *e;

    if (!c || !name || c->n == 0)
        return NULL;
    e = bsearch(&key, c->e, c->n, sizeof(*c->e), by_name);
    return e ? e->digest : NULL;
}

/* ---- the shared cookie store ---- */

/* One store per process, for every handle that uses cookies. libcurl
 * takes the share's locks around every use of the store (one mutex per
 * kind of data, as libcurl may hold one kind while taking another);
 * share_lock guards the store's creation and its count of handles. */
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t data_lock[CURL_LOCK_DATA_LAST];
static pthread_once_t data_lock_once = PTHREAD_ONCE_INIT;
static CURLSH *share;
static unsigned share_users;

static void data_lock_init(void)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&data_lock[i], NULL);
}

static void lock_data(CURL *c, curl_lock_data d, curl_lock_access a, void *u)
{
    (void)c;
    (void)a;
    (void)u;
    if ((unsigned)d < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&data_lock[d]);
}

static void unlock_data(CURL *c, curl_lock_data d, void *u)
{
    (void)c;
    (void)u;
    if ((unsigned)d < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&data_lock[d]);
}

static CURLSH *share_take(void)
{
    CURLSH *sh;

    pthread_once(&data_lock_once, data_lock_init);
    pthread_mutex_lock(&share_lock);
    if (!share) {
        share = curl_share_init();
        if (share) {
            curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_data);
            curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_data);
            curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
        }
    }
    if (share)
        share_users++;
    sh = share;
    pthread_mutex_unlock(&share_lock);
    return sh;
}

static void share_give(void)
{
    pthread_mutex_lock(&share_lock);
    if (share && --share_users == 0) {
        curl_share_cleanup(share);
        share = NULL;
    }
    pthread_mutex_unlock(&share_lock);
}

/* ---- handles ---- */

struct pdl_request {
    CURL *curl;
    const struct pdl_options *opt;
    struct curl_slist *headers;    /* -H */
    struct curl_slist *resolve;    /* --resolve */
    struct curl_slist *connect_to; /* --connect-to */
    struct curl_slist *task;       /* -H, header= and If-Range of a task */
    bool shared;                   /* attached to the cookie store */
    struct pdl_sink *sink;         /* the attempt's, for a server's name */
};

static struct curl_slist *to_slist(const char *const *v, size_t n, bool *ok)
{
    struct curl_slist *l = NULL;

    for (size_t i = 0; i < n && *ok; i++) {
        struct curl_slist *t = curl_slist_append(l, v[i]);
        if (!t)
            *ok = false;
        else
            l = t;
    }
    return l;
}

/* True if a variable libcurl reads for a proxy is set. */
static bool proxy_in_environment(void)
{
    static const char *const names[] = {
        "http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return true;
    }
    return false;
}

/* The User-Agent as a header line, made once: libcurl formats
 * CURLOPT_USERAGENT anew for every request. A -H User-Agent wins. */
static bool add_user_agent(struct pdl_request *q, const struct pdl_options *o)
{
    struct curl_slist *l;
    char *line;

    for (const struct curl_slist *h = q->headers; h; h = h->next)
        if (strncasecmp(h->data, "User-Agent:", 11) == 0 ||
            strncasecmp(h->data, "User-Agent;", 11) == 0)
            return true;
    if (!o->user_agent || !*o->user_agent)
        return true;
    size_t n = strlen(o->user_agent) + 13;
    line = pdl_xmalloc(n);
    snprintf(line, n, "User-Agent: %s", o->user_agent);
    l = curl_slist_append(NULL, line);
    free(line);
    if (!l)
        return false;
    l->next = q->headers;
    q->headers = l;
    return true;
}

static bool set_cookies(struct pdl_request *q, const struct pdl_options *o)
{
    CURL *c = q->curl;
    bool ok = true;

    if (!o->cookie && !o->cookie_jar)
        return true;
    if (o->cookie && pdl_request_cookie_is_data(o->cookie))
        ok = curl_easy_setopt(c, CURLOPT_COOKIE, o->cookie) == CURLE_OK;
    /* A file to read, or "": the cookie engine on, nothing read. */
    const char *file =
        o->cookie && !pdl_request_cookie_is_data(o->cookie) ? o->cookie : "";
    ok = ok && curl_easy_setopt(c, CURLOPT_COOKIEFILE, file) == CURLE_OK;
    if (o->cookie_jar)
        ok = ok &&
             curl_easy_setopt(c, CURLOPT_COOKIEJAR, o->cookie_jar) == CURLE_OK;
    CURLSH *sh = ok ? share_take() : NULL;
    if (!sh)
        return false;
    q->shared = true;
    return curl_easy_setopt(c, CURLOPT_SHARE, sh) == CURLE_OK;
}

static bool set_access(CURL *c, const struct pdl_options *o)
{
    bool ok = true;

    if (o->userpwd)
        ok = curl_easy_setopt(c, CURLOPT_USERPWD, o->userpwd) == CURLE_OK;
    if (o->netrc)
        ok = ok && curl_easy_setopt(c, CURLOPT_NETRC,
                                    (long)CURL_NETRC_OPTIONAL) == CURLE_OK;
    if (o->compressed)
        ok = ok && curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK;
    if (o->proxy)
        ok = ok && curl_easy_setopt(c, CURLOPT_PROXY, o->proxy) == CURLE_OK;
    else if (!proxy_in_environment())
        /* libcurl looks the proxy variables up on every transfer (some
         * 1,500 instructions of each small request), and no_proxy and
         * NO_PROXY too unless told the list (2 getenv, ~650 more); they
         * cannot change during a run, so when no proxy is set, say so
         * once: no proxy, so no exceptions to it. */
        ok = ok && curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_NOPROXY, "") == CURLE_OK;
    return ok;
}

/* ---- names ---- */

/* A name for the file from one path component or a server's name: the
 * rules of pdl_name_from_url (percent-decoded, bytes outside
 * [A-Za-z0-9._+=,@-] as '_', no leading dot, at most PDL_NAME_MAX bytes).
 * Empty if text is. */
static void clean_name(const char *text, size_t len, char *out, size_t outsz)
{
    char url[PDL_NAME_MAX * 3 + 16];
    size_t o = (size_t)snprintf(url, sizeof(url), "http://h/");

    out[0] = '\0';
    if (len == 0)
        return;
    /* '?' and '#' would end the path: as '_' they are what they become. */
    for (size_t i = 0; i < len && o + 1 < sizeof(url); i++)
        url[o++] = (text[i] == '?' || text[i] == '#') ? '_' : text[i];
    url[o] = '\0';
    pdl_name_from_url(url, out, outsz);
}

/* The folders -x puts url's body in: its host (lowercase, with the port),
 * then each folder of its path, each cleaned as a file name, each ended
 * by '/'. At most 32 levels. */
int pdl_request_dirs(const char *url, char *out, size_t outsz)
{
    const char *p = strstr(url, "://"), *e;
    char comp[PDL_NAME_MAX + 1];
    size_t o;

    p = p ? p + 3 : url;
    e = p + strcspn(p, "/?#");
    for (const char *at = p; at < e; at++)
        if (*at == '@')
            p = at + 1; /* never the credentials */
    clean_name(p, (size_t)(e - p), comp, sizeof(comp));
    for (char *c = comp; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (pdl_path_fmt(out, outsz, "%s/", comp[0] ? comp : "_") != PDL_OK)
        return PDL_ERR_TOOLONG;
    o = strlen(out);
    for (int level = 1; level < 32 && *e == '/'; level++) {
        p = e + 1;
        e = p + strcspn(p, "/?#");
        if (*e != '/')
            break; /* the last segment names the file, not a folder */
        clean_name(p, (size_t)(e - p), comp, sizeof(comp));
        if (!comp[0])
            continue;
        if (pdl_path_fmt(out + o, outsz - o, "%s/", comp) != PDL_OK) {
            out[0] = '\0';
            return PDL_ERR_TOOLONG;
        }
        o += strlen(out + o);
    }
    return PDL_OK;
}

/* The file name in a Content-Disposition value: filename*= (RFC 6266, its
 * charset and language dropped) before filename=, quoted or not. Only the
 * last path component counts. Empty if there is none. */
void pdl_request_disposition_name(const char *v, char *out, size_t outsz)
{
    char raw[PDL_NAME_MAX * 2];
    const char *star = strcasestr(v, "filename*="), *p;
    size_t n = 0;

    p = star ? star + 10 : strcasestr(v, "filename=");
    out[0] = '\0';
    if (!p)
        return;
    if (!star)
        p += 9;
    /* charset'language'value (RFC 8187): the value only. */
    const char *q1 = star ? strchr(p, '\'') : NULL;
    const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    if (q2)
        p = q2 + 1;
    if (*p == '"') {
        for (p++; *p && *p != '"' && n + 1 < sizeof(raw); p++) {
            if (*p == '\\' && p[1])
                p++;
            raw[n++] = *p;
        }
    } else {
        for (; *p && *p != ';' && *p != ' ' && *p != '\r' && *p != '\n' &&
               n + 1 < sizeof(raw);
             p++)
            raw[n++] = *p;
    }
    raw[n] = '\0';
    /* "../../etc/passwd" and "C:\\x" count by their last part; an encoded
     * "%2F" is decoded and then cleaned to '_' like any other. */
    const char *base = raw;
    for (const char *c = raw; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    clean_name(base, strlen(base), out, outsz);
}

/* libcurl's header callback: a new response forgets the last one's name;
 * Content-Disposition gives one. */
static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
    struct pdl_request *q = userdata;
    size_t len = size * n;
    char line[PDL_NAME_MAX * 3];

    if (!q->sink)
        return len;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
        q->sink->alt[0] = '\0';
    else if (len > 20 && strncasecmp(data, "content-disposition:", 20) == 0) {
        snprintf(line, sizeof(line), "%.*s", (int)(len - 20), data + 20);
        pdl_request_disposition_name(line, q->sink->alt, sizeof(q->sink->alt));
    }
    return len;
}

int pdl_request_path(const struct pdl_options *opt, const struct pdl_task *t,
                     const char *name, char *out, size_t outsz)
{
    size_t n;

    out[0] = '\0';
    if (opt->force_dirs && pdl_request_dirs(t->url, out, outsz) != PDL_OK)
        return PDL_ERR_TOOLONG;
    n = strlen(out);
    return pdl_path_fmt(out + n, outsz - n, "%s", name) == PDL_OK
               ? PDL_OK
               : (out[0] = '\0', PDL_ERR_TOOLONG);
}

bool pdl_request_exists(const struct pdl_options *opt, int dirfd,
                        const struct pdl_task *t, struct pdl_result *r)
{
    char path[PDL_PATH_MAX + PDL_NAME_MAX + 1];
    struct stat st;

    if (!opt->no_clobber || dirfd < 0 || !t->name)
        return false;
    /* A path too long to hold is not there: the download then fails on it
     * and says so (pdl_request_task). */
    if (pdl_request_path(opt, t, t->name, path, sizeof(path)) != PDL_OK ||
        fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return false;
    *r = (struct pdl_result){.status = PDL_ST_SKIPPED};
    snprintf(r->error, sizeof(r->error), "exists (--no-clobber)");
    /* The file that is there, for scripts reading the timeline. */
    snprintf(r->file, sizeof(r->file), "%.*s", (int)sizeof(r->file) - 1, path);
    return true;
}

struct pdl_request *pdl_request_create(CURL *c, const struct pdl_options *opt)
{
    struct pdl_request *q = pdl_xcalloc(1, sizeof(*q));
    bool ok = true;

    q->curl = c;
    q->opt = opt;
    q->headers = to_slist(opt->headers, opt->nheaders, &ok);
    ok = ok && add_user_agent(q, opt);
    q->resolve = to_slist(opt->resolve, opt->nresolve, &ok);
    q->connect_to = to_slist(opt->connect_to, opt->nconnect_to, &ok);
    if (ok && q->resolve)
        ok = curl_easy_setopt(c, CURLOPT_RESOLVE, q->resolve) == CURLE_OK;
    if (ok && q->connect_to)
        ok = curl_easy_setopt(c, CURLOPT_CONNECT_TO, q->connect_to) == CURLE_OK;
    if (ok && opt->content_disposition) {
        ok = curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ==
                 CURLE_OK &&
             curl_easy_setopt(c, CURLOPT_HEADERDATA, q) == CURLE_OK;
    }
    ok = ok && set_access(c, opt) && set_cookies(q, opt);
    if (!ok) {
        pdl_request_destroy(q);
        return NULL;
    }
    return q;
}

void pdl_request_destroy(struct pdl_request *q)
{
    if (!q)
        return;
    curl_easy_setopt(q->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(q->curl, CURLOPT_RESOLVE, NULL);
    curl_easy_setopt(q->curl, CURLOPT_CONNECT_TO, NULL);
    if (q->shared) {
        /* Every handle writes the whole store (libcurl writes a temporary
         * file and renames it), so the last one to end leaves all the
         * cookies; curl_easy_cleanup must not write it again without the
         * store. */
        if (q->opt->cookie_jar)
            curl_easy_setopt(q->curl, CURLOPT_COOKIELIST, "FLUSH");
        curl_easy_setopt(q->curl, CURLOPT_COOKIEJAR, NULL);
        curl_easy_setopt(q->curl, CURLOPT_SHARE, NULL);
        share_give();
    }
    curl_slist_free_all(q->headers);
    curl_slist_free_all(q->resolve);
    curl_slist_free_all(q->connect_to);
    curl_slist_free_all(q->task);
    free(q);
}

bool pdl_task_opt(const char *opts, const char *key, size_t n, char *out,
                  size_t outsz)
{
    size_t klen = strlen(key);

    for (const char *p = opts; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=' &&
            n-- == 0) {
            snprintf(out, outsz, "%.*s", (int)(len - klen - 1), p + klen + 1);
            return true;
        }
        p += len + (nl != NULL);
    }
    return false;
}

/* The task's list: -H, then its header= lines, then extra. NULL (and the
 * -H list used as it is) when the task adds nothing. */
static struct curl_slist *task_list(struct pdl_request *q,
                                    const struct pdl_task *t,
                                    const struct curl_slist *extra)
{
    struct curl_slist *l = NULL;
    char *line;

    if (!extra && (!t->opts || !strstr(t->opts, "header=")))
        return NULL;
    line = pdl_xmalloc(PDL_OPTS_MAX + 1);
    for (const struct curl_slist *h = q->headers; h; h = h->next)
        l = curl_slist_append(l, h->data);
    for (size_t i = 0; pdl_task_opt(t->opts, "header", i, line, PDL_OPTS_MAX);
         i++)
        l = curl_slist_append(l, line);
    free(line);
    for (const struct curl_slist *h = extra; h; h = h->next)
        l = curl_slist_append(l, h->data);
    return l;
}

void pdl_request_task(struct pdl_request *q, const struct pdl_task *t,
                      const struct curl_slist *extra, struct pdl_sink *s)
{
    uint8_t digest[32];
    char text[80];
    const uint8_t *want = NULL;

    q->sink = s;
    s->no_replace = q->opt->no_clobber;
    if (q->opt->force_dirs) {
        char dirs[PDL_PATH_MAX];
        /* Folders too deep to name fail the task as a write would, with
         * the file's name, rather than land in a shallower folder. */
        if (pdl_request_dirs(t->url, dirs, sizeof(dirs)) == PDL_OK)
            pdl_sink_subdir(s, dirs);
        else if (s->err == 0)
            s->err = ENAMETOOLONG;
    }
    curl_slist_free_all(q->task);
    q->task = task_list(q, t, extra);
    curl_easy_setopt(q->curl, CURLOPT_HTTPHEADER,
                     q->task ? q->task : q->headers);
    if (pdl_task_opt(t->opts, "checksum", 0, text, sizeof(text)) &&
        !pdl_checksum_parse(text, digest))
        want = digest;
    else
        want = pdl_checksums_find(q->opt->checksums, t->name);
    if (want)
        pdl_sink_expect(s, want);
}
