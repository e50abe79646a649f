/* A fixed network delay without sch_netem: holds every packet that an
 * iptables NFQUEUE rule hands over for a set time, then lets it go, in order.
 * For test network namespaces on kernels built without netem. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define MAX_QUEUES 8
#define RING 65536 /* packets held per queue; must be a power of two */

struct held {
    uint32_t id;
    uint64_t due_ns;
};

/* One NFQUEUE number, the delay it adds and the packets it holds, oldest
 * first. One delay per queue keeps the due times in arrival order. */
struct queue {
    unsigned num;
    uint64_t delay_ns;
    struct nfq_q_handle *qh;
    struct held ring[RING];
    size_t head, tail; /* held packets are ring[tail .. head) */
};

static struct queue queues[MAX_QUEUES];
static volatile sig_atomic_t stop;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
                     struct nfq_data *nfa, void *data)
{
    struct queue *q = data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    uint32_t id;

    (void)msg;
    if (ph == NULL)
        return 0;
    id = ntohl(ph->packet_id);
    /* A full ring lets the packet through at once rather than lose it. */
    if (q->head - q->tail == RING)
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    q->ring[q->head % RING] =
        (struct held){.id = id, .due_ns = now_ns() + q->delay_ns};
    q->head++;
    return 0;
}

/* Releases every packet that is due; returns the ns until the next one is,
 * or -1 when none is held. */
static int64_t release_due(size_t nq)
{
    int64_t next = -1;
    uint64_t now = now_ns();

    for (size_t i = 0; i < nq; i++) {
        struct queue *q = &queues[i];
        while (q->tail != q->head && q->ring[q->tail % RING].due_ns <= now) {
            nfq_set_verdict(q->qh, q->ring[q->tail % RING].id, NF_ACCEPT, 0,
                            NULL);
            q->tail++;
        }
        if (q->tail != q->head) {
            int64_t wait = (int64_t)(q->ring[q->tail % RING].due_ns - now);
            if (next < 0 || wait < next)
                next = wait;
        }
    }
    return next;
}

static int parse_spec(const char *spec, struct queue *q)
{
    char *end;
    long num, ms;

    errno = 0;
    num = strtol(spec, &end, 10);
    if (errno != 0 || end == spec || *end != ':' || num < 0 || num > 65535)
        return -1;
    spec = end + 1;
    ms = strtol(spec, &end, 10);
    if (errno != 0 || end == spec || *end != '\0' || ms < 0 || ms > 60000)
        return -1;
    q->num = (unsigned)num;
    q->delay_ns = (uint64_t)ms * 1000000u;
    return 0;
}

static int serve(struct nfq_handle *h, size_t nq)
{
    char buf[65536];
    struct pollfd pfd = {.fd = nfq_fd(h), .events = POLLIN};

    while (!stop) {
        int64_t next = release_due(nq);
        int timeout = next < 0 ? 1000 : (int)((next + 999999) / 1000000);
        int n = poll(&pfd, 1, timeout);
        if (n < 0 && errno != EINTR)
            return -1;
        while (n > 0) {
            ssize_t len = recv(pfd.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (len < 0)
                break; /* EAGAIN, or ENOBUFS when the kernel dropped some */
            nfq_handle_packet(h, buf, (int)len);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct nfq_handle *h;
    size_t nq = (size_t)argc - 1;
    int rc = 1;

    if (argc < 2 || nq > MAX_QUEUES) {
        fprintf(
            stderr,
            "usage: %s QUEUE:MS... (at most %d)\n"
            "Delays the packets of each NFQUEUE number by MS milliseconds;\n"
            "prints \"ready\" once every queue is bound.\n",
            argv[0], MAX_QUEUES);
        return 2;
    }
    for (size_t i = 0; i < nq; i++) {
        if (parse_spec(argv[i + 1], &queues[i]) != 0) {
            fprintf(stderr, "netdelay: bad QUEUE:MS \"%s\"\n", argv[i + 1]);
            return 2;
        }
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    h = nfq_open();
    if (h == NULL) {
        perror("netdelay: nfq_open");
        return 1;
    }
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8 << 20);
    for (size_t i = 0; i < nq; i++) {
        struct queue *q = &queues[i];
        q->qh = nfq_create_queue(h, (uint16_t)q->num, on_packet, q);
        if (q->qh == NULL) {
            fprintf(stderr, "netdelay: cannot bind queue %u: %s\n", q->num,
                    strerror(errno));
            goto out;
        }
        nfq_set_mode(q->qh, NFQNL_COPY_META, 0);
        nfq_set_queue_maxlen(q->qh, RING);
        nfq_set_queue_flags(q->qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    }
    printf("ready\n");
    fflush(stdout);
    rc = serve(h, nq) == 0 ? 0 : 1;
out:
    for (size_t i = 0; i < nq; i++)
        if (queues[i].qh != NULL)
            nfq_destroy_queue(queues[i].qh);
    nfq_close(h);
    return rc;
}
