#ifndef CASHEW_BASELINE_SHA256_H
#define CASHEW_BASELINE_SHA256_H
#include <stddef.h>
#include <stdint.h>

/* A plain FIPS 180-4 SHA-256 and RFC 2104 HMAC-SHA256 for the C baseline. */
typedef struct {
    uint32_t state[8];
    uint64_t length;
    unsigned char block[64];
    size_t used;
} cb_sha256;

void cb_sha256_init(cb_sha256 *h);
void cb_sha256_update(cb_sha256 *h, const unsigned char *data, size_t len);
void cb_sha256_final(cb_sha256 *h, unsigned char out[32]);

typedef struct {
    cb_sha256 inner;
    cb_sha256 outer;
} cb_hmac_sha256;

void cb_hmac_sha256_init(cb_hmac_sha256 *h, const unsigned char *key, size_t keylen);
void cb_hmac_sha256_update(cb_hmac_sha256 *h, const unsigned char *data, size_t len);
void cb_hmac_sha256_final(cb_hmac_sha256 *h, unsigned char out[32]);

#endif
