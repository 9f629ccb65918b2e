/* opgp's vendor extensions of the cardmod interface: container properties
 * (CardGetContainerProperty), card properties (CardGetProperty) and key specs / flags for the
 * keys cardmod cannot express (brainpool, secp256k1, Ed25519, X25519). See VENDOR.md. */
#ifndef OPGP_MINIDRIVER_VENDOR_H
#define OPGP_MINIDRIVER_VENDOR_H

#include "opgp/cardmod.h"

/* ---- container properties ---------------------------------------------------------------- */

/* The public key as the card gives it: RSA modulus (big-endian), ECC point 04||X||Y, or the
 * 32 native bytes of Ed25519 / X25519. */
#define CCP_OPGP_PUBLIC_KEY        OPGP_WSTR("OpenPGP Public Key")
/* RSA public exponent (big-endian), RSA keys only. */
#define CCP_OPGP_PUBLIC_EXPONENT   OPGP_WSTR("OpenPGP Public Exponent")
/* The algorithm attributes DO of the slot (C1/C2/C3 value: algorithm id, then RSA sizes or the
 * curve OID). */
#define CCP_OPGP_ALGORITHM         OPGP_WSTR("OpenPGP Algorithm Attributes")
/* The OpenPGP v4 fingerprint (20 bytes) and generation time (4 bytes, big-endian seconds). */
#define CCP_OPGP_FINGERPRINT       OPGP_WSTR("OpenPGP Fingerprint")
#define CCP_OPGP_GENERATION_TIME   OPGP_WSTR("OpenPGP Generation Time")
/* One byte: the OpenPGP key the container holds, as the card numbers them (key reference of
 * the key information DE): OPGP_KEY_ROLE_*. Answered for empty containers too. */
#define CCP_OPGP_KEY_ROLE          OPGP_WSTR("OpenPGP Key Role")
#define OPGP_KEY_ROLE_SIG 1        /* PSO:COMPUTE DIGITAL SIGNATURE, PIN id 3 */
#define OPGP_KEY_ROLE_DEC 2        /* PSO:DECIPHER (RSA decryption, ECDH), ROLE_USER */
#define OPGP_KEY_ROLE_AUT 3        /* INTERNAL AUTHENTICATE, ROLE_USER */
/* The certificate (DER, the slot's 7F21) of any container, whether or not cardmod can express
 * its key. Get: SCARD_E_FILE_NOT_FOUND when the slot has none. Set (admin PIN verified):
 * writes it; an empty value deletes it. */
#define CCP_OPGP_CERTIFICATE       OPGP_WSTR("OpenPGP Certificate")

/* ---- card properties (dwFlags 0) --------------------------------------------------------- */

/* The cardholder name (5B) as stored, without terminator: ISO 8859-1 by the spec (UTF-8 on
 * some cards), "<<" between surname and given names, "<" between given names. Empty: no name.
 * Read with GET DATA 65 the first time a context asks, then kept for the context. */
#define CP_OPGP_CARDHOLDER_NAME    OPGP_WSTR("OpenPGP Cardholder Name")
/* Three bytes: tries left for PW1, the Reset Code and PW3 (PW status bytes C4, as read at open
 * and after every PIN operation of this context: no APDU). */
#define CP_OPGP_PIN_TRIES          OPGP_WSTR("OpenPGP PIN Tries")
/* cbData random bytes from the card's GET CHALLENGE (1..OPGP_MAX_RANDOM; several commands
 * when the card's maximum challenge is shorter). SCARD_E_UNSUPPORTED_FEATURE when the card
 * has no GET CHALLENGE. (CardGetChallenge stays the admin challenge-response of cardmod.) */
#define CP_OPGP_RANDOM             OPGP_WSTR("OpenPGP Random")
#define OPGP_MAX_RANDOM 1024
/* dwFlags: the tag of one public OpenPGP data object (6E, 65, 5E, 5F50, 7A, 7F74, F9, 5F52,
 * 4F); its raw value as GET DATA answers it (empty: length 0). Any other tag (the private DOs,
 * anything secret) SCARD_E_INVALID_PARAMETER before any APDU; a short buffer
 * SCARD_E_INSUFFICIENT_BUFFER with the length needed. Read-only. */
#define CP_OPGP_DATA_OBJECT        OPGP_WSTR("opgp Data Object")

/* ---- key specs and flags for keys cardmod cannot express --------------------------------- */

/* CardSignData dwKeySpec: ECDSA with the container's key on any curve the card has (NIST,
 * brainpool, secp256k1). pbData is the digest (any length, the card truncates); the
 * signature is r||s big-endian. */
#define AT_OPGP_ECDSA              0x4F500001u
/* CardCreateContainer(Ex) with CARD_CREATE_CONTAINER_KEY_GEN also takes AT_OPGP_ECDSA,
 * AT_OPGP_EDDSA and AT_OPGP_ECDH: pbKeyData is then the curve's DER OID (06 len OID; OpenPGP's
 * OIDs, or RFC 8410's 1.3.101.112 / 1.3.101.110 for Ed25519 / X25519), NULL allowed for
 * AT_OPGP_EDDSA (Ed25519); dwKeySize 0 or the curve's size (255 for Curve25519).
 * AT_OPGP_ECDSA / AT_OPGP_EDDSA: the SIG or AUT container; AT_OPGP_ECDH: the DEC container. */
/* CardSignData dwKeySpec: EdDSA (Ed25519). pbData is the message itself, never a hash, and
 * dwSigningFlags must carry OPGP_SIGN_MESSAGE (aiHashAlg 0); the signature is R||S as
 * RFC 8032 encodes it. */
#define AT_OPGP_EDDSA              0x4F500002u
/* CardCreateContainer(Ex) dwKeySpec: an ECDH key (NIST, brainpool, secp256k1, X25519) for the
 * DEC container, the curve's DER OID in pbKeyData (key generation only). */
#define AT_OPGP_ECDH               0x4F500003u
/* CARD_SIGNING_INFO.dwSigningFlags: pbData is the message to sign (EdDSA only). */
#define OPGP_SIGN_MESSAGE          0x00800000u
/* CARD_DH_AGREEMENT_INFO.dwFlags: pbPublicKey is the peer's public key in the card's form,
 * not a BCRYPT_ECCKEY_BLOB: 04||X||Y for Weierstrass curves (NIST, brainpool, secp256k1),
 * the 32 bytes of RFC 7748 for X25519. Any ECDH key of the card. */
#define OPGP_DH_RAW_PUBLIC_KEY     0x00000001u

#endif
