/* The mpi mode's message link: sends that never wait (their buffers kept
 * until MPI is done with them), polls and timed waits for what comes, and
 * the counts of messages the timeline reports. */
#ifdef PDL_HAVE_MPI

#include "mpi_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void pdl_mpi_nap(pdl_monotime ns)
{
    struct timespec ts = {ns / 1000000000, ns % 1000000000};

    nanosleep(&ts, NULL);
}

pdl_monotime pdl_mpi_backoff(pdl_monotime idle)
{
    return idle * 2 > IDLE_MAX_NS ? IDLE_MAX_NS : idle * 2;
}

const char *pdl_mpi_why(int rc, char *buf, size_t n)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;

    if (rc == TIMED_OUT)
        snprintf(buf, n, "no answer in time");
    else if (MPI_Error_string(rc, s, &len) == MPI_SUCCESS && len > 0)
        snprintf(buf, n, "%.*s", len, s);
    else
        snprintf(buf, n, "MPI error %d", rc);
    return buf;
}

void *pdl_mpi_dup(const void *p, size_t n)
{
    void *buf = pdl_xmalloc(n ? n : 1);

    if (n)
        memcpy(buf, p, n);
    return buf;
}

static bool is_dispatch(int tag)
{
    return tag == TAG_REQUEST || tag == TAG_GRANT || tag == TAG_RESULT;
}

int pdl_mpi_send(struct pdl_mpi_link *l, int peer, int tag, void *buf,
                 size_t len)
{
    MPI_Request req;
    int rc = MPI_Isend(buf, (int)len, MPI_BYTE, peer, tag, l->comm, &req);

    if (rc != MPI_SUCCESS) {
        free(buf);
        return rc;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->out = pdl_xrealloc(l->out, l->cap, sizeof(*l->out));
    }
    l->out[l->n++] = (struct pdl_mpi_pending){req, buf, peer};
    l->sent++;
    if (is_dispatch(tag))
        l->dispatch++;
    return MPI_SUCCESS;
}

int pdl_mpi_send_copy(struct pdl_mpi_link *l, int peer, int tag,
                      const void *data, size_t len)
{
    return pdl_mpi_send(l, peer, tag, pdl_mpi_dup(data, len), len);
}

int pdl_mpi_send_now(struct pdl_mpi_link *l, int peer, int tag,
                     const void *data, size_t len)
{
    l->sent++;
    if (is_dispatch(tag))
        l->dispatch++;
    return MPI_Send(data, (int)len, MPI_BYTE, peer, tag, l->comm);
}

int pdl_mpi_flush(struct pdl_mpi_link *l, int *peer)
{
    int rc = MPI_SUCCESS;
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++) {
        int done = 0, e = MPI_Test(&l->out[i].req, &done, MPI_STATUS_IGNORE);
        if (e != MPI_SUCCESS && rc == MPI_SUCCESS) {
            rc = e;
            *peer = l->out[i].peer;
        }
        if (e == MPI_SUCCESS && done)
            free(l->out[i].buf);
        if (e != MPI_SUCCESS || done)
            continue;
        l->out[k++] = l->out[i];
    }
    l->n = k;
    return rc;
}

void pdl_mpi_forget(struct pdl_mpi_link *l, int peer)
{
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (peer >= 0 && l->out[i].peer != peer) {
            l->out[k++] = l->out[i];
            continue;
        }
        MPI_Cancel(&l->out[i].req);
        MPI_Request_free(&l->out[i].req);
    }
    l->n = k;
}

void pdl_mpi_close(struct pdl_mpi_link *l, pdl_monotime ns)
{
    pdl_monotime end = pdl_now() + ns;
    int peer;

    while (l->n > 0 && pdl_now() < end) {
        pdl_mpi_flush(l, &peer);
        if (l->n > 0)
            pdl_mpi_nap(IDLE_MIN_NS);
    }
    pdl_mpi_forget(l, -1);
    free(l->out);
    l->out = NULL;
    l->n = l->cap = 0;
}

int pdl_mpi_poll(MPI_Comm comm, int src, int tag, struct pdl_mpi_msg *m)
{
    MPI_Message h;
    MPI_Status st;
    int flag = 0, count = 0;
    int rc = MPI_Improbe(src, tag, comm, &flag, &h, &st);

    m->tag = 0;
    m->buf = NULL;
    m->len = 0;
    if (rc != MPI_SUCCESS || !flag)
        return rc;
    MPI_Get_count(&st, MPI_BYTE, &count);
    m->buf = pdl_xmalloc(count > 0 ? (size_t)count : 1);
    rc = MPI_Mrecv(m->buf, count, MPI_BYTE, &h, &st);
    if (rc != MPI_SUCCESS) {
        free(m->buf);
        m->buf = NULL;
        return rc;
    }
    m->src = st.MPI_SOURCE;
    m->tag = st.MPI_TAG;
    m->len = (size_t)count;
    return MPI_SUCCESS;
}

int pdl_mpi_wait(MPI_Comm comm, int src, int tag, pdl_monotime ns, bool spin,
                 struct pdl_mpi_msg *m)
{
    pdl_monotime end = pdl_now() + ns, idle = IDLE_MIN_NS;

    for (;;) {
        int rc = pdl_mpi_poll(comm, src, tag, m);
        if (rc != MPI_SUCCESS || m->tag != 0)
            return rc;
        if (pdl_now() > end)
            return TIMED_OUT;
        if (!spin) {
            pdl_mpi_nap(idle);
            idle = pdl_mpi_backoff(idle);
        }
    }
}

#endif
