"""Cross-checks Cashew against nutshell's own Python code (the `cashu` package, 0.21.0).

Reads a JSON request (argv[1]) written by Cashew's InteropTests, computes the same things with nutshell's
functions, and prints the results as JSON. Cashew's test compares.
"""
import json
import sys

from cashu.core.base import DLEQWallet, PaymentRequest, Proof, TokenV3, TokenV3Token, TokenV4
from cashu.core.crypto import b_dhke
from cashu.core.crypto.keys import derive_keys, derive_keyset_id, derive_keyset_id_v2
from cashu.core.crypto.secp import PrivateKey, PublicKey
from cashu.core.nuts import nut18, nut20
from cashu.core.base import BlindedMessage

req = json.load(open(sys.argv[1]))
out = {}

# NUT-00 / NUT-12
a = PrivateKey(bytes.fromhex(req["mint_key"]))
A = a.public_key
out["hash_to_curve"] = [b_dhke.hash_to_curve(s.encode()).format().hex() for s in req["secrets"]]
out["B_"], out["C_"], out["e"], out["s"], out["C"] = [], [], [], [], []
for secret, r_hex in zip(req["secrets"], req["r"]):
    B_, r = b_dhke.step1_alice(secret, PrivateKey(bytes.fromhex(r_hex)))
    C_, e, s = b_dhke.step2_bob(B_, a)
    out["B_"].append(B_.format().hex())
    out["C_"].append(C_.format().hex())
    out["e"].append(e.to_hex())
    out["s"].append(s.to_hex())
    out["C"].append(b_dhke.step3_alice(C_, r, A).format().hex())
ours = req["ours"]
out["alice_verify_ours"] = [
    b_dhke.alice_verify_dleq(
        PublicKey(bytes.fromhex(B)), PublicKey(bytes.fromhex(C_)),
        PrivateKey(bytes.fromhex(e)), PrivateKey(bytes.fromhex(s)), A)
    for B, C_, e, s in zip(ours["B_"], ours["C_"], ours["e"], ours["s"])
]
out["carol_verify_ours"] = [
    b_dhke.carol_verify_dleq(secret, PrivateKey(bytes.fromhex(r)), PublicKey(bytes.fromhex(C)),
                             PrivateKey(bytes.fromhex(e)), PrivateKey(bytes.fromhex(s)), A)
    for secret, r, C, e, s in zip(req["secrets"], req["r"], ours["C"], ours["e"], ours["s"])
]
out["verify_ours"] = [b_dhke.verify(a, PublicKey(bytes.fromhex(C)), secret) for secret, C in zip(req["secrets"], ours["C"])]

# Keysets (nutshell's derivation from its MINT_PRIVATE_KEY string)
ks = req["keyset"]
amounts = [2**i for i in range(ks["orders"])]
keys = derive_keys(ks["seed"], ks["path"], amounts)
pubs = {amt: k.public_key for amt, k in keys.items()}
out["keyset"] = {
    "keys": {str(amt): p.format().hex() for amt, p in pubs.items()},
    "id_v1": derive_keyset_id(pubs),
    "id_v2": derive_keyset_id_v2(pubs, "sat", None, 0),
    "id_v2_fee": derive_keyset_id_v2(pubs, "sat", None, ks["fee"]),
}

# Tokens: nutshell decodes ours, and encodes the same proofs for us to decode.
def describe(token):
    return {
        "mint": token.mint,
        "unit": token.unit,
        "memo": token.memo,
        "proofs": [
            {"id": p.id, "amount": p.amount, "secret": p.secret, "C": p.C, "witness": p.witness,
             "dleq": p.dleq.model_dump() if p.dleq else None}
            for p in token.proofs
        ],
    }

out["decoded_v4"] = describe(TokenV4.deserialize(req["tokens"]["v4"]))
out["decoded_v3"] = describe(TokenV3.deserialize(req["tokens"]["v3"]))
proofs = [
    Proof(id=p["id"], amount=p["amount"], secret=p["secret"], C=p["C"], witness=p.get("witness"),
          dleq=DLEQWallet(**p["dleq"]) if p.get("dleq") else None)
    for p in req["token_proofs"]
]
t3 = TokenV3(_memo=req["token_memo"], _unit="sat")
t3.token.append(TokenV3Token(mint=req["token_mint"], proofs=proofs))
out["token_v3"] = t3.serialize(include_dleq=True)
out["token_v4"] = TokenV4.from_tokenv3(t3).serialize(include_dleq=True)

# NUT-20: nutshell verifies our signature; nutshell signs (its v1 format) for us to verify.
mr = req["mint_request"]
outputs = [BlindedMessage(**o) for o in mr["outputs"]]
out["nut20_ours_valid"] = nut20.verify_mint_quote(mr["quote"], outputs, req["quote_pubkey"], mr["signature"])
out["nut20_nutshell_signature"] = nut20.sign_mint_quote(mr["quote"], outputs, req["quote_privkey"])

# NUT-18
pr = nut18.deserialize(req["payment_request"])
out["creq_decoded"] = pr.model_dump(exclude_none=True)
out["creq_nutshell"] = nut18.serialize(PaymentRequest(**req["payment_request_json"]))

print(json.dumps(out))
