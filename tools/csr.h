/* PKCS#10 certificate requests (RFC 2986) signed by a card key: the request body is built here,
 * the card signs its hash (or, for EdDSA, the body itself). */
#ifndef OPGP_TOOL_CSR_H
#define OPGP_TOOL_CSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/card.h"

#define CSR_MAX 4096

/* How a key of these attributes signs a request: the hash (none for EdDSA, which signs the
 * message) and the signature AlgorithmIdentifier. OPGP_E_NOT_SUPPORTED for ECDH keys and curves
 * without a signature OID. */
typedef struct csr_signer {
    bool eddsa;
    opgp_hash_alg hash;
    uint8_t alg_id[32];
    size_t alg_id_len;
} csr_signer;
opgp_status csr_signer_for(const opgp_algo_attr *attr, csr_signer *out);

/* The DER Name of an OpenSSL-style subject "/CN=Alice/O=Example" (attributes CN, O, OU, C, L,
 * ST, emailAddress; in the order given). OPGP_E_INVALID_ARG when malformed. */
opgp_status csr_encode_name(const char *subject, uint8_t *out, size_t *len);

/* CertificationRequestInfo: version 0, the name, the SubjectPublicKeyInfo, no attributes. */
opgp_status csr_build_info(const uint8_t *name, size_t name_len, const uint8_t *spki,
                           size_t spki_len, uint8_t *out, size_t *len);

/* The whole request from the info, the signer and the card's signature (RSA as is, ECDSA r||s
 * turned into the DER SEQUENCE of two INTEGERs, EdDSA R||S as is). */
opgp_status csr_assemble(const uint8_t *info, size_t info_len, const csr_signer *signer,
                         const opgp_algo_attr *attr, const uint8_t *sig, size_t sig_len,
                         uint8_t *out, size_t *len);

#endif
