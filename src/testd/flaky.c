/*
 * Request counts per key for pdl-testd's /flaky, /retry-after and the
 * endpoints that change after a first request (/versioned, ?cut=).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Returns 0, or an errno value if the mutex cannot be made. */
int pdl_testd_flaky_init(struct pdl_testd_flaky *flaky)
{
    int rc = pthread_mutex_init(&flaky->mutex, NULL);

    if (rc != 0)
        return rc;
    flaky->slots = calloc(PDL_TESTD_FLAKY_KEYS, sizeof *flaky->slots);
    if (flaky->slots == NULL) {
        pthread_mutex_destroy(&flaky->mutex);
        return ENOMEM;
    }
    flaky->used = 0;
    flaky->next = 0;
    return 0;
}

void pdl_testd_flaky_cleanup(struct pdl_testd_flaky *flaky)
{
    free(flaky->slots);
    pthread_mutex_destroy(&flaky->mutex);
}

/* Gives (kind, key) the oldest slot when all are taken. Caller locks. */
static struct pdl_testd_flaky_slot *
pdl_testd_flaky_insert(struct pdl_testd_flaky *flaky, char kind,
                       const char *key)
{
    struct pdl_testd_flaky_slot *slot = &flaky->slots[flaky->next];

    flaky->next = (flaky->next + 1) % PDL_TESTD_FLAKY_KEYS;
    if (flaky->used < PDL_TESTD_FLAKY_KEYS)
        flaky->used++;
    slot->kind = kind;
    snprintf(slot->key, sizeof slot->key, "%s", key);
    slot->count = 0;
    return slot;
}

/* Counts one more request for (kind, key); returns the count, 1 first. */
uint64_t pdl_testd_flaky_hit(struct pdl_testd_flaky *flaky, char kind,
                             const char *key)
{
    struct pdl_testd_flaky_slot *slot = NULL;
    uint64_t count;
    size_t i;

    pthread_mutex_lock(&flaky->mutex);
    for (i = 0; i < flaky->used && slot == NULL; i++) {
        if (flaky->slots[i].kind == kind &&
            strcmp(flaky->slots[i].key, key) == 0)
            slot = &flaky->slots[i];
    }
    if (slot == NULL)
        slot = pdl_testd_flaky_insert(flaky, kind, key);
    if (slot->count < UINT64_MAX)
        slot->count++;
    count = slot->count;
    pthread_mutex_unlock(&flaky->mutex);
    return count;
}

void pdl_testd_flaky_clear(struct pdl_testd_flaky *flaky)
{
    pthread_mutex_lock(&flaky->mutex);
    flaky->used = 0;
    flaky->next = 0;
    pthread_mutex_unlock(&flaky->mutex);
}
