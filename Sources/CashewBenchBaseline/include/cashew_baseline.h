#ifndef CASHEW_BASELINE_H
#define CASHEW_BASELINE_H

/*
 * The Cashu crypto that `cashew-bench crypto` measures, written directly against libsecp256k1 in C, as the
 * baseline the Swift implementation is compared with in the same run. Same algorithms, same libsecp256k1 calls:
 * hash_to_curve (NUT-00), blind signing, DLEQ proofs with the deterministic nonce (NUT-12), proof verification.
 * Only the benchmark links it; the project's crypto is the Swift code.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct cashew_baseline cashew_baseline;

/* Prepares `count` items: secrets (64 ASCII characters each, concatenated), the mint key k (32 bytes), and per
 * item the blinded message B_ and the proof signature C = k*hash_to_curve(secret) (33-byte compressed, concatenated).
 * Returns NULL if any input does not parse. */
cashew_baseline *cashew_baseline_create(size_t count, const char *secrets, const unsigned char *k32,
                                        const unsigned char *blinded33, const unsigned char *signatures33);
void cashew_baseline_destroy(cashew_baseline *b);

/* Each runs `iterations` operations over the items in turn and returns how many succeeded. */
uint64_t cashew_baseline_hash_to_curve(cashew_baseline *b, uint64_t iterations);
uint64_t cashew_baseline_sign(cashew_baseline *b, uint64_t iterations);
uint64_t cashew_baseline_sign_dleq(cashew_baseline *b, uint64_t iterations);
uint64_t cashew_baseline_verify(cashew_baseline *b, uint64_t iterations);
uint64_t cashew_baseline_dleq_verify(cashew_baseline *b, uint64_t iterations);
uint64_t cashew_baseline_swap_2x2(cashew_baseline *b, uint64_t iterations);

/* The baseline's own blind signature and DLEQ (e, s) for item `index`, so the bench can check that Swift and C
 * compute the same values. Returns 1 on success. */
int cashew_baseline_dleq_of(cashew_baseline *b, size_t index, unsigned char *c33, unsigned char *e32, unsigned char *s32);

#endif
