/* The tasks rank 0 has granted one rank and not yet had back: an
 * open-addressing map by task id (linear probing, deletion by shifting
 * back, so no tombstones), at most half full. Its size follows what is in
 * flight on that rank, never the length of the lists. */
#ifdef PDL_HAVE_MPI

#include "mpi_internal.h"

#include <stdlib.h>
#include <string.h>

static size_t home(const struct pdl_mpi_held *h, uint64_t id)
{
    /* Fibonacci hashing: consecutive ids spread over the table. */
    return (size_t)((id * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (h->cap - 1);
}

static void insert(struct pdl_mpi_held *h, struct pdl_task *t)
{
    size_t i = home(h, t->id);

    while (h->slot[i].url)
        i = (i + 1) & (h->cap - 1);
    h->slot[i] = *t;
    memset(t, 0, sizeof(*t));
    h->n++;
}

static void grow(struct pdl_mpi_held *h)
{
    struct pdl_task *old = h->slot;
    size_t cap = h->cap;

    h->cap = cap ? 2 * cap : 16;
    h->slot = pdl_xcalloc(h->cap, sizeof(*h->slot));
    h->n = 0;
    for (size_t i = 0; i < cap; i++)
        if (old[i].url)
            insert(h, &old[i]);
    free(old);
}

void pdl_mpi_held_put(struct pdl_mpi_held *h, struct pdl_task *t)
{
    if (2 * (h->n + 1) > h->cap)
        grow(h);
    insert(h, t);
}

/* Empties slot i and moves back the entries after it that would no longer
 * be found past the gap. */
static void remove_at(struct pdl_mpi_held *h, size_t i)
{
    size_t mask = h->cap - 1, j = i;

    memset(&h->slot[i], 0, sizeof(h->slot[i]));
    h->n--;
    for (;;) {
        j = (j + 1) & mask;
        if (!h->slot[j].url)
            return;
        size_t k = home(h, h->slot[j].id);
        /* Entry j stays if its home lies cyclically in (i, j]. */
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        h->slot[i] = h->slot[j];
        memset(&h->slot[j], 0, sizeof(h->slot[j]));
        i = j;
    }
}

bool pdl_mpi_held_take(struct pdl_mpi_held *h, uint64_t id, struct pdl_task *t)
{
    if (h->n == 0)
        return false;
    for (size_t i = home(h, id); h->slot[i].url; i = (i + 1) & (h->cap - 1)) {
        if (h->slot[i].id != id)
            continue;
        *t = h->slot[i];
        remove_at(h, i);
        return true;
    }
    return false;
}

bool pdl_mpi_held_pop(struct pdl_mpi_held *h, struct pdl_task *t)
{
    for (size_t i = 0; h->n > 0 && i < h->cap; i++) {
        if (!h->slot[i].url)
            continue;
        *t = h->slot[i];
        remove_at(h, i);
        return true;
    }
    return false;
}

void pdl_mpi_held_cleanup(struct pdl_mpi_held *h)
{
    for (size_t i = 0; i < h->cap; i++)
        pdl_task_clear(&h->slot[i]);
    free(h->slot);
    memset(h, 0, sizeof(*h));
}

#endif
