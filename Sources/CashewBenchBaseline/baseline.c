#include "cashew_baseline.h"
#include "sha256.h"

#include <secp256k1.h>
#include <stdlib.h>
#include <string.h>

struct cashew_baseline {
    secp256k1_context *ctx;
    size_t count;
    char *secrets;                 /* count * 64 */
    unsigned char k[32];
    secp256k1_pubkey A;
    secp256k1_pubkey *blinded;     /* B_ */
    secp256k1_pubkey *signatures;  /* C = k*Y */
    secp256k1_pubkey *blind_sigs;  /* C_ = k*B_ */
    unsigned char *e;              /* count * 32 */
    unsigned char *s;              /* count * 32 */
};

static const unsigned char DOMAIN[] = "Secp256k1_HashToCurve_Cashu_";
static const unsigned char NONCE_TAG[] = "Cashu_DLEQ_R_v1";
static const char HEX[] = "0123456789abcdef";

static int hash_to_curve(const secp256k1_context *ctx, const unsigned char *msg, size_t len, secp256k1_pubkey *out) {
    unsigned char buf[36], candidate[33];
    cb_sha256 h;
    cb_sha256_init(&h);
    cb_sha256_update(&h, DOMAIN, sizeof DOMAIN - 1);
    cb_sha256_update(&h, msg, len);
    cb_sha256_final(&h, buf);
    candidate[0] = 0x02;
    for (uint32_t counter = 0; counter < 65536; counter++) {
        buf[32] = (unsigned char)counter; buf[33] = (unsigned char)(counter >> 8);
        buf[34] = (unsigned char)(counter >> 16); buf[35] = (unsigned char)(counter >> 24);
        cb_sha256_init(&h);
        cb_sha256_update(&h, buf, 36);
        cb_sha256_final(&h, candidate + 1);
        if (secp256k1_ec_pubkey_parse(ctx, out, candidate, 33)) return 1;
    }
    return 0;
}

static void serialize_uncompressed(const secp256k1_context *ctx, const secp256k1_pubkey *p, unsigned char out[65]) {
    size_t len = 65;
    secp256k1_ec_pubkey_serialize(ctx, out, &len, p, SECP256K1_EC_UNCOMPRESSED);
}

static void hex65(const unsigned char in[65], unsigned char out[130]) {
    for (int i = 0; i < 65; i++) { out[2 * i] = (unsigned char)HEX[in[i] >> 4]; out[2 * i + 1] = (unsigned char)HEX[in[i] & 15]; }
}

/* e = SHA256(hex(R1) || hex(R2) || hex(A) || hex(C_)) over uncompressed points. */
static void challenge(const secp256k1_context *ctx, const secp256k1_pubkey *r1, const secp256k1_pubkey *r2,
                      const unsigned char a65[65], const unsigned char c65[65], unsigned char e[32]) {
    unsigned char text[520], tmp[65];
    serialize_uncompressed(ctx, r1, tmp); hex65(tmp, text);
    serialize_uncompressed(ctx, r2, tmp); hex65(tmp, text + 130);
    hex65(a65, text + 260);
    hex65(c65, text + 390);
    cb_sha256 h;
    cb_sha256_init(&h);
    cb_sha256_update(&h, text, sizeof text);
    cb_sha256_final(&h, e);
}

static const unsigned char ORDER[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41};

/* Reduces a 32-byte big-endian value modulo n (one subtraction suffices). */
static void reduce(unsigned char x[32]) {
    if (memcmp(x, ORDER, 32) < 0) return;
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = (int)x[i] - ORDER[i] - borrow;
        borrow = d < 0;
        x[i] = (unsigned char)(d + (borrow ? 256 : 0));
    }
}

/* C_ = a*B_ with its DLEQ proof (e, s), deterministic nonce as in NUT-12. */
static int sign_dleq(const secp256k1_context *ctx, const secp256k1_pubkey *B, const unsigned char a[32],
                     const secp256k1_pubkey *A, secp256k1_pubkey *C, unsigned char e[32], unsigned char s[32]) {
    *C = *B;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, C, a)) return 0;
    unsigned char a65[65], b65[65], c65[65], r[32];
    serialize_uncompressed(ctx, A, a65);
    serialize_uncompressed(ctx, B, b65);
    serialize_uncompressed(ctx, C, c65);
    int found = 0;
    for (int ctr = 0; ctr < 256 && !found; ctr++) {
        unsigned char c = (unsigned char)ctr;
        cb_hmac_sha256 mac;
        cb_hmac_sha256_init(&mac, a, 32);
        cb_hmac_sha256_update(&mac, NONCE_TAG, sizeof NONCE_TAG - 1);
        cb_hmac_sha256_update(&mac, a65, 65);
        cb_hmac_sha256_update(&mac, b65, 65);
        cb_hmac_sha256_update(&mac, c65, 65);
        cb_hmac_sha256_update(&mac, &c, 1);
        cb_hmac_sha256_final(&mac, r);
        found = secp256k1_ec_seckey_verify(ctx, r);
    }
    if (!found) return 0;
    secp256k1_pubkey r1, r2 = *B;
    if (!secp256k1_ec_pubkey_create(ctx, &r1, r)) return 0;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &r2, r)) return 0;
    challenge(ctx, &r1, &r2, a65, c65, e);
    reduce(e);
    unsigned char ea[32];
    memcpy(ea, a, 32);
    if (!secp256k1_ec_seckey_tweak_mul(ctx, ea, e)) return 0;
    memcpy(s, r, 32);
    return secp256k1_ec_seckey_tweak_add(ctx, s, ea);
}

/* R1 = s*G - e*A, R2 = s*B_ - e*C_, e == hash(R1, R2, A, C_). */
static int dleq_verify(const secp256k1_context *ctx, const secp256k1_pubkey *A, const secp256k1_pubkey *B,
                       const secp256k1_pubkey *C, const unsigned char e[32], const unsigned char s[32]) {
    unsigned char minus_e[32];
    memcpy(minus_e, e, 32);
    if (!secp256k1_ec_seckey_negate(ctx, minus_e)) return 0;
    secp256k1_pubkey r1 = *A, sb = *B, ec = *C, r2;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &r1, minus_e)) return 0;
    if (!secp256k1_ec_pubkey_tweak_add(ctx, &r1, s)) return 0;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &sb, s)) return 0;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &ec, minus_e)) return 0;
    const secp256k1_pubkey *parts[2] = {&sb, &ec};
    if (!secp256k1_ec_pubkey_combine(ctx, &r2, parts, 2)) return 0;
    unsigned char a65[65], c65[65], expected[32];
    serialize_uncompressed(ctx, A, a65);
    serialize_uncompressed(ctx, C, c65);
    challenge(ctx, &r1, &r2, a65, c65, expected);
    return memcmp(expected, e, 32) == 0;
}

/* k*hash_to_curve(secret) == C */
static int verify_proof(const secp256k1_context *ctx, const char *secret, const unsigned char k[32], const secp256k1_pubkey *C) {
    secp256k1_pubkey y;
    if (!hash_to_curve(ctx, (const unsigned char *)secret, 64, &y)) return 0;
    if (!secp256k1_ec_pubkey_tweak_mul(ctx, &y, k)) return 0;
    return secp256k1_ec_pubkey_cmp(ctx, &y, C) == 0;
}

cashew_baseline *cashew_baseline_create(size_t count, const char *secrets, const unsigned char *k32,
                                        const unsigned char *blinded33, const unsigned char *signatures33) {
    cashew_baseline *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    for (int i = 0; i < 32; i++) seed[i] = (unsigned char)(rand() & 0xFF);
    if (!secp256k1_context_randomize(b->ctx, seed)) goto fail;
    b->count = count;
    memcpy(b->k, k32, 32);
    if (!secp256k1_ec_pubkey_create(b->ctx, &b->A, b->k)) goto fail;
    b->secrets = malloc(count * 64);
    b->blinded = malloc(count * sizeof(secp256k1_pubkey));
    b->signatures = malloc(count * sizeof(secp256k1_pubkey));
    b->blind_sigs = malloc(count * sizeof(secp256k1_pubkey));
    b->e = malloc(count * 32);
    b->s = malloc(count * 32);
    if (!b->secrets || !b->blinded || !b->signatures || !b->blind_sigs || !b->e || !b->s) goto fail;
    memcpy(b->secrets, secrets, count * 64);
    for (size_t i = 0; i < count; i++) {
        if (!secp256k1_ec_pubkey_parse(b->ctx, &b->blinded[i], blinded33 + 33 * i, 33)) goto fail;
        if (!secp256k1_ec_pubkey_parse(b->ctx, &b->signatures[i], signatures33 + 33 * i, 33)) goto fail;
        if (!sign_dleq(b->ctx, &b->blinded[i], b->k, &b->A, &b->blind_sigs[i], b->e + 32 * i, b->s + 32 * i)) goto fail;
    }
    return b;
fail:
    cashew_baseline_destroy(b);
    return NULL;
}

void cashew_baseline_destroy(cashew_baseline *b) {
    if (!b) return;
    if (b->ctx) secp256k1_context_destroy(b->ctx);
    free(b->secrets); free(b->blinded); free(b->signatures); free(b->blind_sigs); free(b->e); free(b->s);
    free(b);
}

uint64_t cashew_baseline_hash_to_curve(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    secp256k1_pubkey y;
    for (uint64_t i = 0; i < iterations; i++) {
        size_t j = i % b->count;
        ok += (uint64_t)hash_to_curve(b->ctx, (const unsigned char *)b->secrets + 64 * j, 64, &y);
    }
    return ok;
}

uint64_t cashew_baseline_sign(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        secp256k1_pubkey c = b->blinded[i % b->count];
        ok += (uint64_t)secp256k1_ec_pubkey_tweak_mul(b->ctx, &c, b->k);
    }
    return ok;
}

uint64_t cashew_baseline_sign_dleq(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    secp256k1_pubkey c;
    unsigned char e[32], s[32];
    for (uint64_t i = 0; i < iterations; i++) {
        ok += (uint64_t)sign_dleq(b->ctx, &b->blinded[i % b->count], b->k, &b->A, &c, e, s);
    }
    return ok;
}

uint64_t cashew_baseline_verify(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        size_t j = i % b->count;
        ok += (uint64_t)verify_proof(b->ctx, b->secrets + 64 * j, b->k, &b->signatures[j]);
    }
    return ok;
}

uint64_t cashew_baseline_dleq_verify(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    for (uint64_t i = 0; i < iterations; i++) {
        size_t j = i % b->count;
        ok += (uint64_t)dleq_verify(b->ctx, &b->A, &b->blinded[j], &b->blind_sigs[j], b->e + 32 * j, b->s + 32 * j);
    }
    return ok;
}

uint64_t cashew_baseline_swap_2x2(cashew_baseline *b, uint64_t iterations) {
    uint64_t ok = 0;
    secp256k1_pubkey c;
    unsigned char e[32], s[32];
    for (uint64_t i = 0; i < iterations; i++) {
        size_t j0 = (2 * i) % b->count, j1 = (2 * i + 1) % b->count;
        int good = verify_proof(b->ctx, b->secrets + 64 * j0, b->k, &b->signatures[j0]);
        good &= verify_proof(b->ctx, b->secrets + 64 * j1, b->k, &b->signatures[j1]);
        good &= sign_dleq(b->ctx, &b->blinded[j0], b->k, &b->A, &c, e, s);
        good &= sign_dleq(b->ctx, &b->blinded[j1], b->k, &b->A, &c, e, s);
        ok += (uint64_t)good;
    }
    return ok;
}

int cashew_baseline_dleq_of(cashew_baseline *b, size_t index, unsigned char *c33, unsigned char *e32, unsigned char *s32) {
    if (index >= b->count) return 0;
    size_t len = 33;
    secp256k1_ec_pubkey_serialize(b->ctx, c33, &len, &b->blind_sigs[index], SECP256K1_EC_COMPRESSED);
    memcpy(e32, b->e + 32 * index, 32);
    memcpy(s32, b->s + 32 * index, 32);
    return 1;
}
