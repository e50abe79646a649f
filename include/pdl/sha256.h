/* SHA-256 (FIPS 180-4), streaming: bodies are hashed as they are written,
 * so a checksum costs no second read of the file. */
#ifndef PDL_SHA256_H
#define PDL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct pdl_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
};

void pdl_sha256_init(struct pdl_sha256 *s);
void pdl_sha256_update(struct pdl_sha256 *s, const void *data, size_t len);
/* Writes the digest; s must be initialised again before more use. */
void pdl_sha256_final(struct pdl_sha256 *s, uint8_t out[32]);

/* Writes the digest as 64 lowercase hex digits and a terminator. */
void pdl_sha256_hex(const uint8_t digest[32], char out[65]);

#endif
