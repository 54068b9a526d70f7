#ifndef CASHEW_CSECP256K1_SHIM_H
#define CASHEW_CSECP256K1_SHIM_H

/* Debian's libsecp256k1-dev 0.2.0, built with the ecdh, extrakeys, schnorrsig and recovery modules. */
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#include <secp256k1_recovery.h>

#endif
