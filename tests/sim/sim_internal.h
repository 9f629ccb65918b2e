/* Internals shared by the simulator's files. Not part of the API (opgp_sim.h). */
#ifndef OPGP_SIM_INTERNAL_H
#define OPGP_SIM_INTERNAL_H

#include "opgp_sim.h"

#define SIM_MAX_PIN 64
#define SIM_MAX_CERT 2048
#define SIM_MAX_DO 256
#define SIM_MAX_CMD_DATA 65535
#define SIM_MAX_CHALLENGE 1024
#define SIM_EXT_MAX 0x0800 /* announced max extended command/response length (7F66) */
#define SIM_KDF_ITERATIONS 100000u

/* Status words */
#define SW_OK 0x9000
#define SW_WRONG_LENGTH 0x6700
#define SW_SECURITY 0x6982
#define SW_BLOCKED 0x6983
#define SW_CONDITIONS 0x6985
#define SW_WRONG_DATA 0x6A80
#define SW_FUNC_NOT_SUPPORTED 0x6A81
#define SW_WRONG_P1P2 0x6A86
#define SW_NOT_FOUND 0x6A88
#define SW_FILE_NOT_FOUND 0x6A82
#define SW_INS_NOT_SUPPORTED 0x6D00
#define SW_CLA_NOT_SUPPORTED 0x6E00
#define SW_TERMINATED 0x6285
#define SW_MEMORY 0x6581
#define SW_LAST_CHAIN_EXPECTED 0x6883

enum sim_pw { SIM_PW1 = 0, SIM_RC = 1, SIM_PW3 = 2 };
enum sim_key_kind { SIM_KIND_NONE = 0, SIM_KIND_RSA, SIM_KIND_EC, SIM_KIND_ED25519, SIM_KIND_X25519 };

/* An algorithm the card knows: attributes are derived from it per slot. */
typedef struct sim_alg {
    const char *name;      /* "rsa2048", "p256", "ed25519", "x25519" ... */
    int kind;              /* enum sim_key_kind */
    unsigned bits;         /* RSA modulus bits; EC field bits */
    const char *group;     /* OpenSSL group name for EC */
    uint8_t oid[10];       /* curve OID (DER contents, no tag) */
    uint8_t oid_len;
    uint8_t kdf_hash, kdf_sym; /* ECDH KDF parameters for the fingerprint */
} sim_alg;

typedef struct sim_key {
    EVP_PKEY *pkey;          /* NULL when the slot has no key */
    uint8_t attr[16];        /* algorithm attributes (C1/C2/C3) */
    size_t attr_len;
    uint8_t fpr[20];         /* C7/C8/C9, zero when unset */
    uint8_t ca_fpr[20];      /* CA/CB/CC */
    uint8_t time[4];         /* CE/CF/D0 */
    uint8_t status;          /* DE: 00 none, 01 generated, 02 imported */
    uint8_t uif[2];          /* D6/D7/D8 */
    uint8_t cert[SIM_MAX_CERT];
    size_t cert_len;
} sim_key;

/* A variable-length data object stored as given (name, URL, private DOs, KDF-DO ...). */
typedef struct sim_do {
    uint16_t tag;
    size_t max;
    size_t len;
    uint8_t data[SIM_MAX_DO];
} sim_do;

#define SIM_NUM_DOS 10

/* One parsed command APDU. */
typedef struct sim_apdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data;
    size_t lc;
    size_t le;       /* expected length: 256 for short 00, 65536 for extended 0000 */
    bool has_le;
    bool extended;
} sim_apdu;

struct opgp_sim {
    opgp_sim_options opt;
    char *state_path;

    /* Physical and volatile state */
    bool inserted, powered;
    bool reset_seen;            /* a reset the transport has not reported yet */
    bool selected;
    bool pw1_sig, pw1_other, pw3_ok;
    bool cert_sel_fresh;        /* SELECT DATA applies to the next command only */
    int cert_sel;               /* occurrence chosen by SELECT DATA */
    uint8_t *pending;           /* response data GET RESPONSE still has to deliver */
    size_t pending_len, pending_off;
    uint8_t *chain;             /* command chaining accumulator */
    size_t chain_len;
    bool chaining;
    uint8_t chain_ins, chain_p1, chain_p2;
    uint8_t *rbuf;              /* handler output, OPGP_MAX_RESPONSE bytes */
    size_t rlen;

    /* Persistent state */
    bool terminated;
    uint32_t serial;
    uint8_t pw[3][SIM_MAX_PIN];
    size_t pw_len[3];
    uint8_t tries[3];
    uint8_t pw1_multi;          /* C4 byte 1: 01 = PW1 valid for several signatures */
    uint8_t sig_count[3];
    sim_key keys[3];
    sim_do dos[SIM_NUM_DOS];

    opgp_sim_stats stats;
    opgp_sim_fault_spec fault;
    unsigned long fault_seen;   /* APDUs since the fault was set */
    bool endless_61;

    /* The emulated pinpad of the in-process reader (sim_pinpad.c) */
    bool pinpad;
    char pinpad_pin[SIM_MAX_PIN + 1]; /* what the user "types"; "" presses Cancel */
};

/* sim_pinpad.c: the reader's control codes (PC/SC part 10) for the in-process transport. */
#define SIM_PINPAD_VERIFY_CODE 0x42330006u
opgp_status sim_pinpad_control(opgp_sim *s, uint32_t code, const uint8_t *in, size_t in_len,
                               uint8_t *out, size_t *out_len);

/* sim.c */
void sim_clear_volatile(opgp_sim *s);
void sim_factory_reset(opgp_sim *s);
void sim_changed(opgp_sim *s); /* persistent state changed: save when a state file is set */

/* sim_pin.c */
uint16_t sim_cmd_verify(opgp_sim *s, const sim_apdu *a);
uint16_t sim_cmd_change_pin(opgp_sim *s, const sim_apdu *a);
uint16_t sim_cmd_reset_retry(opgp_sim *s, const sim_apdu *a);
/* Sets the PIN from a clear-text value (hashed through the KDF-DO when the card has one). */
void sim_set_pin(opgp_sim *s, int which, const char *pin);

/* sim_data.c */
uint16_t sim_cmd_get_data(opgp_sim *s, const sim_apdu *a, int cert_occ);
uint16_t sim_cmd_put_data(opgp_sim *s, const sim_apdu *a, int cert_occ);
sim_do *sim_find_do(opgp_sim *s, uint16_t tag);
void sim_init_dos(opgp_sim *s);
size_t sim_put_tlv(uint8_t *out, size_t cap, size_t pos, uint16_t tag, const uint8_t *v, size_t len);
size_t sim_put_len(uint8_t *out, size_t cap, size_t pos, size_t len);
/* Bounded BER-TLV reader: the tag and value at *pos, advancing it. false when malformed. */
bool sim_get_tlv(const uint8_t *buf, size_t len, size_t *pos, unsigned *tag, const uint8_t **val,
                 size_t *vlen);

/* sim_crypto.c */
uint16_t sim_cmd_pso(opgp_sim *s, const sim_apdu *a);
uint16_t sim_cmd_internal_auth(opgp_sim *s, const sim_apdu *a);
uint16_t sim_cmd_get_challenge(opgp_sim *s, const sim_apdu *a);

/* sim_keys.c */
const sim_alg *sim_alg_by_name(const char *name);
const sim_alg *sim_alg_from_attr(const uint8_t *attr, size_t len);
size_t sim_alg_attr(const sim_alg *alg, int slot, uint8_t *attr, size_t cap);
EVP_PKEY *sim_keygen(const sim_alg *alg);
int sim_key_kind(EVP_PKEY *k);
bool sim_fingerprint(EVP_PKEY *k, const sim_alg *alg, int slot, const uint8_t time[4],
                     uint8_t fpr[20]);
size_t sim_pubkey_template(EVP_PKEY *k, uint8_t *out, size_t cap);
/* Put k in slot. With a creation time (4 bytes, big-endian) the fingerprint is computed as a
 * provisioned card holds it; without, fingerprint and date are cleared for the host to write (as
 * after GENERATE on a real card). */
void sim_install_key(opgp_sim *s, int slot, EVP_PKEY *k, uint8_t status, const uint8_t *created);
uint16_t sim_cmd_generate(opgp_sim *s, const sim_apdu *a);
uint16_t sim_cmd_import(opgp_sim *s, const sim_apdu *a);
size_t sim_algorithm_info(uint8_t *out, size_t cap);
int sim_slot_from_crt(uint8_t tag);

/* sim_certs.c */
int sim_make_certificates(opgp_sim *s);

/* sim_state.c */
int sim_state_save(const opgp_sim *s, const char *path);
int sim_state_load(opgp_sim *s, const char *path);

/* Secret wipe */
void sim_wipe(void *p, size_t n);

#endif
