#!/usr/bin/env python3
"""Helpers of ksp_test.sh for CNG key blobs and signatures.

    ksp_blob.py check BLOB PEM ROLE   a BCRYPT_RSAPUBLIC_BLOB / BCRYPT_ECCPUBLIC_BLOB equals the key
    ksp_blob.py der RS OUT            ECDSA r||s (CNG) to DER (what openssl dgst -verify takes)
    ksp_blob.py point PEM OUT         an EC key's public point 04||X||Y
"""
import struct
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

RSA_MAGIC = 0x31415352
ECDSA = {256: 0x31534345, 384: 0x33534345, 521: 0x35534345}
ECDH = {256: 0x314B4345, 384: 0x334B4345, 521: 0x354B4345}
ECDSA_GENERIC, ECDH_GENERIC = 0x50444345, 0x504B4345


def check(blob_path, pem_path, role):
    blob = open(blob_path, "rb").read()
    key = serialization.load_pem_public_key(open(pem_path, "rb").read())
    if isinstance(key, rsa.RSAPublicKey):
        magic, bits, cb_exp, cb_mod, p1, p2 = struct.unpack_from("<6I", blob)
        n = key.public_numbers()
        exp = int.from_bytes(blob[24:24 + cb_exp], "big")
        mod = int.from_bytes(blob[24 + cb_exp:24 + cb_exp + cb_mod], "big")
        ok = (magic == RSA_MAGIC and bits == key.key_size and p1 == p2 == 0 and
              len(blob) == 24 + cb_exp + cb_mod and exp == n.e and mod == n.n)
    else:
        magic, cb = struct.unpack_from("<2I", blob)
        n = key.public_numbers()
        x = int.from_bytes(blob[8:8 + cb], "big")
        y = int.from_bytes(blob[8 + cb:8 + 2 * cb], "big")
        size = key.curve.key_size
        named = key.curve.name.startswith("secp")
        if role == "dec":
            want = ECDH[size] if named else ECDH_GENERIC
        else:
            want = ECDSA[size] if named else ECDSA_GENERIC
        ok = (magic == want and cb == (size + 7) // 8 and len(blob) == 8 + 2 * cb and
              x == n.x and y == n.y)
        print("magic 0x%08X (want 0x%08X), curve %s" % (magic, want, key.curve.name))
    print("blob %s: %s" % (blob_path, "matches" if ok else "DIFFERS"))
    return 0 if ok else 1


def der(rs_path, out_path):
    rs = open(rs_path, "rb").read()
    half = len(rs) // 2
    if len(rs) % 2 or half == 0:
        return 1
    r = int.from_bytes(rs[:half], "big")
    s = int.from_bytes(rs[half:], "big")
    open(out_path, "wb").write(encode_dss_signature(r, s))
    return 0


def point(pem_path, out_path):
    key = serialization.load_pem_private_key(open(pem_path, "rb").read(), password=None)
    pub = key.public_key().public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    open(out_path, "wb").write(pub)
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "check" and len(sys.argv) == 5:
        sys.exit(check(*sys.argv[2:]))
    if cmd == "der" and len(sys.argv) == 4:
        sys.exit(der(*sys.argv[2:]))
    if cmd == "point" and len(sys.argv) == 4:
        sys.exit(point(*sys.argv[2:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
