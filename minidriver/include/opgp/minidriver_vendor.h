/* opgp's own container properties (CardGetContainerProperty), for keys cardmod cannot express
 * (brainpool, Ed25519, X25519) and for tools that want OpenPGP details. See VENDOR.md. */
#ifndef OPGP_MINIDRIVER_VENDOR_H
#define OPGP_MINIDRIVER_VENDOR_H

#include "opgp/cardmod.h"

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

#endif
