/* Decoded OpenPGP card data (spec 3.4.1, section 4.4): the application related data 6E and
 * the DOs read next to it. Plain structs, no pointers into card buffers: a decoded value
 * outlives the response it came from. Decoders are bounded and reject malformed input. */
#ifndef OPGP_APPDATA_H
#define OPGP_APPDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "opgp/status.h"

/* The three key slots. Values index every per-key array below. */
typedef enum opgp_key_slot {
    OPGP_KEY_SIG = 0, /* signature key, PSO:COMPUTE DIGITAL SIGNATURE */
    OPGP_KEY_DEC = 1, /* decryption key, PSO:DECIPHER */
    OPGP_KEY_AUT = 2, /* authentication key, INTERNAL AUTHENTICATE */
} opgp_key_slot;
#define OPGP_KEY_SLOT_COUNT 3

/* Per-slot constants of the spec. All return 0 for an invalid slot. */
uint8_t opgp_key_slot_crt(opgp_key_slot s);            /* control reference template B6/B8/A4 */
uint8_t opgp_key_slot_attr_tag(opgp_key_slot s);       /* algorithm attributes C1/C2/C3 */
uint8_t opgp_key_slot_fpr_tag(opgp_key_slot s);        /* fingerprint PUT DATA C7/C8/C9 */
uint8_t opgp_key_slot_ca_fpr_tag(opgp_key_slot s);     /* CA fingerprint PUT DATA CA/CB/CC */
uint8_t opgp_key_slot_time_tag(opgp_key_slot s);       /* generation time PUT DATA CE/CF/D0 */
uint8_t opgp_key_slot_uif_tag(opgp_key_slot s);        /* user interaction flag D6/D7/D8 */
uint8_t opgp_key_slot_key_ref(opgp_key_slot s);        /* key reference in key info DE: 1/2/3 */
/* SELECT DATA occurrence of the slot's certificate 7F21: AUT 0, DEC 1, SIG 2. */
uint8_t opgp_key_slot_cert_occurrence(opgp_key_slot s);
const char *opgp_key_slot_name(opgp_key_slot s);       /* "signature", ...; never NULL */

/* ---- AID (4F) ---- */
#define OPGP_AID_LEN 16
typedef struct opgp_aid {
    uint8_t raw[OPGP_AID_LEN];
    uint8_t version_major, version_minor; /* OpenPGP spec version the card implements */
    uint16_t manufacturer;
    uint8_t serial[4];
    uint32_t serial_number;               /* serial as a big-endian number */
} opgp_aid;

/* Manufacturer name for an AID manufacturer code; "unknown manufacturer" when not listed. */
const char *opgp_manufacturer_name(uint16_t code);

/* ---- Algorithm attributes (C1/C2/C3, and the entries of FA) ---- */
typedef enum opgp_algo_id {
    OPGP_ALGO_NONE = 0,
    OPGP_ALGO_RSA = 0x01,
    OPGP_ALGO_ECDH = 0x12,
    OPGP_ALGO_ECDSA = 0x13,
    OPGP_ALGO_EDDSA = 0x16,
} opgp_algo_id;

typedef enum opgp_curve {
    OPGP_CURVE_UNKNOWN = 0, /* an OID we have no name for; the OID is kept */
    OPGP_CURVE_P256,
    OPGP_CURVE_P384,
    OPGP_CURVE_P521,
    OPGP_CURVE_BRAINPOOL_P256R1,
    OPGP_CURVE_BRAINPOOL_P384R1,
    OPGP_CURVE_BRAINPOOL_P512R1,
    OPGP_CURVE_SECP256K1,
    OPGP_CURVE_ED25519,
    OPGP_CURVE_X25519,
    OPGP_CURVE_COUNT
} opgp_curve;

#define OPGP_MAX_OID 16
typedef struct opgp_curve_info {
    opgp_curve curve;
    const char *name;         /* "NIST P-256", "Ed25519" */
    const uint8_t *oid;       /* DER OID content bytes (no 06 tag/length) */
    size_t oid_len;
    uint16_t bits;            /* field size in bits */
    uint8_t kdf_hash;         /* RFC 6637 KDF parameters for ECDH fingerprints (OpenPGP ids) */
    uint8_t kdf_cipher;
} opgp_curve_info;

/* Table lookups; NULL when unknown. */
const opgp_curve_info *opgp_curve_by_id(opgp_curve c);
const opgp_curve_info *opgp_curve_by_oid(const uint8_t *oid, size_t oid_len);

typedef struct opgp_algo_attr {
    opgp_algo_id algo;        /* OPGP_ALGO_NONE: absent */
    uint16_t rsa_bits;        /* modulus length in bits */
    uint16_t rsa_e_bits;      /* public exponent length in bits */
    uint8_t rsa_import_format; /* 00 e,p,q; 01 e,p,q,n; 02 CRT; 03 CRT with n */
    opgp_curve curve;
    uint8_t oid[OPGP_MAX_OID];
    size_t oid_len;
    bool ecc_import_pubkey;   /* trailing FF: key import carries the public key */
} opgp_algo_attr;

/* Decode / encode the value of C1/C2/C3 (and an FA entry). */
opgp_status opgp_algo_attr_decode(const uint8_t *v, size_t len, opgp_algo_attr *out);
opgp_status opgp_algo_attr_encode(const opgp_algo_attr *a, uint8_t *out, size_t *out_len);
/* Constructors: RSA with e of 32 bits and import format 00; ECC by curve (algo must fit). */
opgp_algo_attr opgp_algo_attr_rsa(uint16_t bits);
opgp_status opgp_algo_attr_ecc(opgp_algo_id algo, opgp_curve curve, opgp_algo_attr *out);
bool opgp_algo_attr_equal(const opgp_algo_attr *a, const opgp_algo_attr *b);
/* "RSA 2048", "ECDSA NIST P-256", "EdDSA Ed25519". Always NUL-terminated when cap > 0. */
char *opgp_algo_attr_describe(const opgp_algo_attr *a, char *buf, size_t cap);
/* Bytes of the field/modulus: signature halves, point coordinates. 0 when unknown. */
size_t opgp_algo_attr_key_bytes(const opgp_algo_attr *a);

/* ---- Extended capabilities (C0) ---- */
#define OPGP_EXTCAP_SM             0x80
#define OPGP_EXTCAP_GET_CHALLENGE  0x40
#define OPGP_EXTCAP_KEY_IMPORT     0x20
#define OPGP_EXTCAP_PW_STATUS_CHANGEABLE 0x10
#define OPGP_EXTCAP_PRIVATE_DOS    0x08
#define OPGP_EXTCAP_ALGO_ATTR_CHANGEABLE 0x04
#define OPGP_EXTCAP_PSO_AES        0x02
#define OPGP_EXTCAP_KDF            0x01

typedef struct opgp_ext_caps {
    bool present;
    uint8_t flags;            /* OPGP_EXTCAP_* */
    uint8_t sm_algo;
    uint16_t max_challenge;
    uint16_t max_cert;
    uint16_t max_special_do;
    bool pin_block2;          /* PIN block 2 format supported */
    bool mse_key_swap;        /* MSE for DEC/AUT key swap supported */
} opgp_ext_caps;

/* ---- Historical bytes (5F52) card capabilities ---- */
typedef struct opgp_historical {
    uint8_t raw[32];
    size_t len;
    bool has_caps;            /* compact-TLV 73 found */
    uint8_t caps[3];
    bool chaining;            /* caps[2] bit 8 */
    bool extended_length;     /* caps[2] bit 7 */
    bool has_status;
    uint8_t life_cycle;       /* status indicator, 05 = operational */
} opgp_historical;

/* ---- PW status bytes (C4) ---- */
typedef struct opgp_pw_status {
    bool present;
    bool pw1_multi_sign;      /* byte 1 = 01: PW1 (81) stays valid for several signatures */
    uint8_t max_len_pw1, max_len_rc, max_len_pw3;
    bool pw1_pin_block2;      /* max length byte bit 8: PIN block 2 format */
    bool pw3_pin_block2;
    uint8_t tries_pw1, tries_rc, tries_pw3;
} opgp_pw_status;

opgp_status opgp_pw_status_decode(const uint8_t *v, size_t len, opgp_pw_status *out);

/* ---- KDF-DO (F9) ---- */
#define OPGP_KDF_NONE 0x00
#define OPGP_KDF_ITERSALTED_S2K 0x03
#define OPGP_KDF_HASH_SHA256 0x08
#define OPGP_KDF_HASH_SHA512 0x0A
#define OPGP_KDF_MAX_SALT 16
#define OPGP_KDF_MAX_HASH 64

typedef struct opgp_kdf {
    bool present;
    uint8_t algo;             /* OPGP_KDF_NONE / OPGP_KDF_ITERSALTED_S2K */
    uint8_t hash;             /* OPGP_KDF_HASH_* */
    uint32_t iterations;      /* bytes hashed in total (the S2K "count") */
    uint8_t salt_pw1[OPGP_KDF_MAX_SALT], salt_rc[OPGP_KDF_MAX_SALT], salt_pw3[OPGP_KDF_MAX_SALT];
    size_t salt_pw1_len, salt_rc_len, salt_pw3_len;
    uint8_t initial_pw1[OPGP_KDF_MAX_HASH], initial_pw3[OPGP_KDF_MAX_HASH];
    size_t initial_pw1_len, initial_pw3_len;
} opgp_kdf;

opgp_status opgp_kdf_decode(const uint8_t *v, size_t len, opgp_kdf *out);

/* ---- Key information (DE) and UIF (D6-D8) ---- */
#define OPGP_KEYSTATUS_NONE 0x00
#define OPGP_KEYSTATUS_GENERATED 0x01
#define OPGP_KEYSTATUS_IMPORTED 0x02

#define OPGP_UIF_OFF 0x00
#define OPGP_UIF_ON 0x01
#define OPGP_UIF_PERMANENT 0x02   /* cannot be switched off again */

/* ---- Everything 6E carries ---- */
typedef struct opgp_appdata {
    opgp_aid aid;
    opgp_historical historical;
    bool has_ext_len_info;    /* 7F66 present */
    uint16_t ext_max_cmd;     /* 7F66: max command / response length, bytes */
    uint16_t ext_max_resp;
    bool has_features;        /* 7F74 general feature management */
    uint8_t features;         /* its 81 byte: 0x20 button, 0x08 LED, 0x80 display, ... */
    opgp_ext_caps ext_caps;
    opgp_algo_attr attr[OPGP_KEY_SLOT_COUNT];
    opgp_pw_status pw;
    uint8_t fpr[OPGP_KEY_SLOT_COUNT][20];
    uint8_t ca_fpr[OPGP_KEY_SLOT_COUNT][20];
    uint32_t gen_time[OPGP_KEY_SLOT_COUNT];
    bool has_key_info;        /* DE present (3.4) */
    uint8_t key_status[OPGP_KEY_SLOT_COUNT]; /* OPGP_KEYSTATUS_* */
    bool has_uif[OPGP_KEY_SLOT_COUNT];
    uint8_t uif[OPGP_KEY_SLOT_COUNT];        /* OPGP_UIF_* */
    opgp_kdf kdf;             /* F9 when in 6E, else read separately by opgp_card_open */
} opgp_appdata;

/* Decode a complete 6E response (with its 6E tag). AID, extended capabilities, algorithm
 * attributes and PW status are required; a missing or malformed one is OPGP_E_BAD_RESPONSE
 * or OPGP_E_BAD_TLV. Other DOs are optional. */
opgp_status opgp_appdata_decode(const uint8_t *buf, size_t len, opgp_appdata *out);
opgp_status opgp_aid_decode(const uint8_t *v, size_t len, opgp_aid *out);
opgp_status opgp_historical_decode(const uint8_t *v, size_t len, opgp_historical *out);

/* A key is present when the card says so in DE, or (cards without DE) its fingerprint is not
 * all zero. */
bool opgp_appdata_key_present(const opgp_appdata *ad, opgp_key_slot s);

/* ---- DOs read on their own ---- */
typedef struct opgp_cardholder {
    char name[40];            /* 5B, NUL-terminated (ISO 8859-1 as stored; "<<" separates) */
    char language[9];         /* 5F2D, up to 4 two-letter codes */
    uint8_t sex;              /* 5F35: '1' male, '2' female, '9' n/a, 0 absent */
} opgp_cardholder;

opgp_status opgp_cardholder_decode(const uint8_t *buf, size_t len, opgp_cardholder *out);

/* Algorithm information FA: the attributes the card accepts for each slot. */
#define OPGP_MAX_ALGO_INFO 64
typedef struct opgp_algo_info {
    size_t count;
    struct {
        opgp_key_slot slot;
        opgp_algo_attr attr;
    } entry[OPGP_MAX_ALGO_INFO];
} opgp_algo_info;

opgp_status opgp_algo_info_decode(const uint8_t *buf, size_t len, opgp_algo_info *out);

#endif
